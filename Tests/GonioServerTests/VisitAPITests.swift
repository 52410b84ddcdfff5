import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// Schedules, slots and visits over HTTP: who may book, move, cancel and record attendance;
/// the rules' reasons; one booking per slot, even when many arrive at once.
@Suite struct VisitAPITests {
    /// Monday 30 November 2026, 08:00 in Los Angeles.
    static let monday = ISO8601DateFormatter().date(from: "2026-11-30T16:00:00Z")!
    static var california: [String: Any] { ["country": "US", "region": "CA"] }

    /// The demo with its history, on a clock the test can move.
    static func withDemo(_ body: (Application, @Sendable (TimeInterval) -> Void) async throws -> Void) async throws {
        let (clock, time) = GonioClock.manual(monday)
        try await withTestApp(history: true, clock: clock) { app in
            try await body(app, { seconds in time.advance(by: seconds) })
        }
    }

    static func booking(_ therapist: String, _ patient: String, _ start: String, type: String = "follow-up", modality: String = "video",
                        location: [String: Any]? = california) -> [String: Any] {
        var body: [String: Any] = ["therapistId": therapist, "patientId": patient, "start": start, "visitType": type, "modality": modality]
        if let location { body["patientLocation"] = location }
        return body
    }

    @Test func theDemoTherapistHasHoursAndEachDemoPatientAPastAndANextVisit() async throws {
        try await Self.withDemo { app, _ in
            let therapist = try await app.therapistID(of: Demo.therapist)
            let maria = try await app.token(Demo.patient)
            let schedule = try await app.send(.GET, "/api/v1/therapists/\(therapist)/schedule", token: maria)
            #expect(schedule.status == .ok && schedule.object["timeZone"] as? String == "America/Los_Angeles")
            #expect((schedule.object["weekly"] as? [Any])?.count == 5)
            for email in [Demo.patient, Demo.patient2] {
                let visits = try await app.send(.GET, "/api/v1/visits", token: try await app.token(email)).array
                #expect(visits.count == 2, "\(email)")
                #expect(visits.first?["status"] as? String == "completed" && visits.first?["attendedMinutes"] as? Int != nil)
                #expect(visits.last?["status"] as? String == "booked")
            }
            // The therapist's calendar has all four and Robert's discharge visit three weeks ago; the caregiver sees Maria's two.
            #expect(try await app.send(.GET, "/api/v1/visits", token: try await app.token(Demo.therapist)).array.count == 5)
            #expect(try await app.send(.GET, "/api/v1/visits", token: try await app.token(Demo.caregiver)).array.count == 2)
            #expect(try await app.send(.GET, "/api/v1/visits", token: try await app.token(Demo.admin)).array.isEmpty == false)
        }
    }

    @Test func slotsAreShownForTheAskedRangeAndBadQueriesAreRefused() async throws {
        try await Self.withDemo { app, _ in
            let therapist = try await app.therapistID(of: Demo.therapist)
            let maria = try await app.token(Demo.patient)
            // Tuesday 1 December, 09:00-17:00 local = 17:00Z-01:00Z: 16 half-hour slots, less any booked.
            let slots = try await app.send(.GET, "/api/v1/therapists/\(therapist)/slots?from=2026-12-01T08:00:00Z&to=2026-12-02T08:00:00.000Z&visitType=follow-up",
                                           token: maria)
            #expect(slots.status == .ok)
            #expect(slots.array.count == 16)
            #expect(slots.array.first?["start"] as? String == "2026-12-01T17:00:00Z" && slots.array.first?["modality"] as? String == "either")
            for bad in ["from=yesterday", "from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z", "from=2026-12-01T00:00:00Z&to=2027-06-01T00:00:00Z",
                        "visitType=massage"] {
                let r = try await app.send(.GET, "/api/v1/therapists/\(therapist)/slots?\(bad)", token: maria)
                #expect(r.status == .unprocessableEntity, "\(bad): \(r.status)")
            }
            #expect(try await app.send(.GET, "/api/v1/therapists/\(UUID())/slots", token: maria).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/therapists/\(therapist)/slots").status == .unauthorized)
            // The unverified therapist takes no bookings.
            let unverified = try await app.therapistID(of: Demo.unverified)
            #expect(try await app.send(.GET, "/api/v1/therapists/\(unverified)/slots", token: maria).status == .notFound)
        }
    }

    @Test func bookingRefusalsSayWhy() async throws {
        try await Self.withDemo { app, _ in
            let therapist = try await app.therapistID(of: Demo.therapist)
            let maria = try await app.patientID(of: Demo.patient)
            let token = try await app.token(Demo.patient)
            func book(_ body: [String: Any]) async throws -> TestResponse {
                try await app.send(.POST, "/api/v1/visits", token: token, json: body)
            }
            let tuesday9 = "2026-12-01T17:00:00Z"
            for (body, code) in [
                (Self.booking(therapist, maria, tuesday9, location: ["country": "US", "region": "NY"]), "not-licensed-in-location"),
                (Self.booking(therapist, maria, tuesday9, location: nil), "location-required"),
                (Self.booking(therapist, maria, "2026-12-01T17:10:00Z"), "outside-hours"),
                (Self.booking(therapist, maria, "2026-12-05T17:00:00Z"), "outside-hours"),
                (Self.booking(therapist, maria, "2026-11-30T22:00:00Z"), "notice-too-short"),
                (Self.booking(therapist, maria, "2027-03-01T17:00:00Z"), "beyond-horizon"),
                (Self.booking(therapist, maria, tuesday9, type: "massage"), "visit-type-unknown"),
                (Self.booking(therapist, maria, tuesday9, location: ["country": "US", "region": "ZZ"]), "jurisdiction-invalid"),
            ] {
                let r = try await book(body)
                #expect(r.status == .unprocessableEntity && r.errorCode == code, "\(code): \(r.status) \(r.text)")
            }
            // Malformed bodies are 4xx, never 500.
            for bad in ["{}", "[]", "{\"therapistId\":\"x\"}", "{\"therapistId\":\"\(therapist)\",\"patientId\":\"\(maria)\",\"start\":\"soon\",\"visitType\":\"follow-up\"}"] {
                let r = try await app.send(.POST, "/api/v1/visits", token: token, body: bad)
                #expect((400..<500).contains(r.status.code), "\(bad): \(r.status)")
            }
            // A bookable one works, in person without a location too.
            let ok = try await book(Self.booking(therapist, maria, tuesday9))
            #expect(ok.status == .created && ok.object["status"] as? String == "booked" && ok.object["end"] as? String == "2026-12-01T17:30:00Z", "\(ok.text)")
            let inPerson = try await book(Self.booking(therapist, maria, "2026-12-01T22:00:00Z", type: "follow-up-45", modality: "in-person", location: nil))
            #expect(inPerson.status == .created && (inPerson.object["location"] as? String)?.contains("Sacramento") == true, "\(inPerson.text)")
            // The same time again: taken.
            let again = try await book(Self.booking(therapist, maria, tuesday9))
            #expect(again.status == .conflict && again.errorCode == "slot-taken")
        }
    }

    @Test func videoNeedsAClearOrClearedIntake() async throws {
        try await withTestApp { app in
            // Without the demo history no intake has been submitted.
            let therapist = try await app.therapistID(of: Demo.therapist)
            let maria = try await app.patientID(of: Demo.patient)
            let token = try await app.token(Demo.patient)
            let therapistToken = try await app.token(Demo.therapist)
            let saved = try await app.send(.PUT, "/api/v1/therapists/\(therapist)/schedule", token: therapistToken, json: [
                "timeZone": "America/Los_Angeles",
                "weekly": (1...7).map { ["weekday": $0, "start": "00:00", "end": "24:00", "offer": "either"] },
                "visitTypes": [["id": "follow-up", "name": "Follow-up", "minutes": 30, "offer": "either"]],
                "policy": ["bufferMinutes": 0, "minimumNoticeHours": 0, "horizonDays": 60, "slotStepMinutes": 30,
                           "cancellationNoticeHours": 24, "lateCancelFeeCents": 0],
            ])
            #expect(saved.status == .ok, "\(saved.text)")
            let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3 * 86_400).rounded(to: 1800))
            let video = try await app.send(.POST, "/api/v1/visits", token: token, json: Self.booking(therapist, maria, start))
            #expect(video.status == .unprocessableEntity && video.errorCode == "intake-required", "\(video.text)")
            let inPerson = try await app.send(.POST, "/api/v1/visits", token: token,
                                              json: Self.booking(therapist, maria, start, modality: "in-person", location: nil))
            #expect(inPerson.status == .created, "\(inPerson.text) \(start)")
        }
    }

    @Test func whoMayBookForWhom() async throws {
        try await Self.withDemo { app, _ in
            let therapist = try await app.therapistID(of: Demo.therapist)
            let maria = try await app.patientID(of: Demo.patient)
            let james = try await app.patientID(of: Demo.patient2)
            // James books for himself, from Washington (the therapist's compact privilege).
            let own = try await app.send(.POST, "/api/v1/visits", token: try await app.token(Demo.patient2),
                                         json: Self.booking(therapist, james, "2026-12-01T17:00:00Z", location: ["country": "US", "region": "WA"]))
            #expect(own.status == .created, "\(own.text)")
            // Maria's caregiver (who may book) books for her; James's record is not theirs to see.
            let caregiver = try await app.token(Demo.caregiver)
            #expect(try await app.send(.POST, "/api/v1/visits", token: caregiver,
                                       json: Self.booking(therapist, maria, "2026-12-01T18:00:00Z")).status == .created)
            #expect(try await app.send(.POST, "/api/v1/visits", token: caregiver,
                                       json: Self.booking(therapist, james, "2026-12-01T19:00:00Z")).status == .notFound)
            // Patients cannot book for each other; the front desk can; the platform admin cannot.
            #expect(try await app.send(.POST, "/api/v1/visits", token: try await app.token(Demo.patient2),
                                       json: Self.booking(therapist, maria, "2026-12-01T19:00:00Z")).status == .notFound)
            let admin = try await app.send(.POST, "/api/v1/visits", token: try await app.token(Demo.admin),
                                           json: Self.booking(therapist, maria, "2026-12-01T19:00:00Z"))
            #expect(admin.status == .created, "\(admin.text)")
            #expect(try await app.send(.POST, "/api/v1/visits", token: try await app.token(Demo.platform),
                                       json: Self.booking(therapist, maria, "2026-12-01T20:00:00Z")).status == .notFound)
            // The unverified therapist is on no care team: the record is not theirs to see.
            let unverified = try await app.send(.POST, "/api/v1/visits", token: try await app.token(Demo.unverified),
                                                json: Self.booking(therapist, maria, "2026-12-01T20:00:00Z"))
            #expect(unverified.status == .notFound, "\(unverified.text)")
            // Reading one visit follows the same rule.
            let id = try #require(own.object["id"] as? String)
            #expect(try await app.send(.GET, "/api/v1/visits/\(id)", token: try await app.token(Demo.patient2)).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/visits/\(id)", token: try await app.token(Demo.therapist)).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/visits/\(id)", token: caregiver).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/visits/\(id)", token: try await app.token(Demo.patient)).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/visits/\(UUID())", token: caregiver).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/visits/not-an-id", token: caregiver).status == .notFound)
            // Every refusal above was audited against the patient.
            let denied = try await AuditEntryModel.query(on: app.db).filter(\.$action == "visit.book").filter(\.$outcome == .denied).count()
            #expect(denied >= 3)
        }
    }

    @Test func movingCancellingAndLateCancellation() async throws {
        try await Self.withDemo { app, advance in
            let therapist = try await app.therapistID(of: Demo.therapist)
            let maria = try await app.patientID(of: Demo.patient)
            let token = try await app.token(Demo.patient)
            let booked = try await app.send(.POST, "/api/v1/visits", token: token, json: Self.booking(therapist, maria, "2026-12-02T17:00:00Z"))
            let id = try #require(booked.object["id"] as? String)
            // Moved to Thursday: same rules, new time.
            let moved = try await app.send(.PATCH, "/api/v1/visits/\(id)", token: token, json: ["start": "2026-12-03T21:00:00Z"])
            #expect(moved.status == .ok && moved.object["start"] as? String == "2026-12-03T21:00:00Z", "\(moved.text)")
            let outside = try await app.send(.PATCH, "/api/v1/visits/\(id)", token: token, json: ["start": "2026-12-05T21:00:00Z"])
            #expect(outside.status == .unprocessableEntity && outside.errorCode == "outside-hours")
            // Wednesday evening: Thursday 13:00 is less than 24 hours away.
            advance(2 * 86_400 + 12 * 3600)
            let token2 = try await app.token(Demo.patient)  // the earlier session has expired meanwhile
            let late = try await app.send(.PATCH, "/api/v1/visits/\(id)", token: token2, json: ["start": "2026-12-04T21:00:00Z"])
            #expect(late.status == .unprocessableEntity && late.errorCode == "too-late-to-move")
            let cancelled = try await app.send(.POST, "/api/v1/visits/\(id)/cancel", token: token2, json: ["reason": "Car broke down"])
            #expect(cancelled.status == .ok && cancelled.object["status"] as? String == "late-cancelled" && cancelled.object["lateFeeCents"] as? Int == 2500)
            let twice = try await app.send(.POST, "/api/v1/visits/\(id)/cancel", token: token2)
            #expect(twice.status == .conflict && twice.errorCode == "visit-not-booked")
            // The freed time can be booked again; an early cancellation costs nothing.
            let other = try await app.send(.POST, "/api/v1/visits", token: token2, json: Self.booking(therapist, maria, "2026-12-08T17:00:00Z"))
            let otherID = try #require(other.object["id"] as? String)
            let early = try await app.send(.POST, "/api/v1/visits/\(otherID)/cancel", token: token2)
            #expect(early.status == .ok && early.object["status"] as? String == "cancelled" && early.object["lateFeeCents"] as? Int == 0)
            // The therapist may cancel late without a fee.
            let third = try await app.send(.POST, "/api/v1/visits", token: try await app.token(Demo.therapist),
                                           json: Self.booking(therapist, maria, "2026-12-03T23:00:00Z"))
            #expect(third.status == .created, "\(third.text)")
            let staffCancel = try await app.send(.POST, "/api/v1/visits/\(third.object["id"] as? String ?? "")/cancel",
                                                 token: try await app.token(Demo.therapist), json: ["reason": "Therapist unwell"])
            #expect(staffCancel.object["status"] as? String == "cancelled" && staffCancel.object["lateFeeCents"] as? Int == 0)
        }
    }

    @Test func attendanceIsTheVisitTherapistsToRecord() async throws {
        try await Self.withDemo { app, advance in
            let therapist = try await app.therapistID(of: Demo.therapist)
            let maria = try await app.patientID(of: Demo.patient)
            let booked = try await app.send(.POST, "/api/v1/visits", token: try await app.token(Demo.patient),
                                            json: Self.booking(therapist, maria, "2026-12-01T17:00:00Z"))
            let id = try #require(booked.object["id"] as? String)
            let early = try await app.send(.POST, "/api/v1/visits/\(id)/attendance", token: try await app.token(Demo.therapist), json: ["attendance": "arrived", "minutes": 30])
            #expect(early.status == .unprocessableEntity && early.errorCode == "visit-not-started")
            advance(86_400 + 3600 + 1800)  // Tuesday 09:30 local
            let dana = try await app.token(Demo.therapist)  // the earlier session has expired meanwhile
            #expect(try await app.send(.POST, "/api/v1/visits/\(id)/attendance", token: try await app.token(Demo.patient),
                                       json: ["attendance": "arrived", "minutes": 30]).status == .forbidden)
            let bad = try await app.send(.POST, "/api/v1/visits/\(id)/attendance", token: dana, json: ["attendance": "arrived", "minutes": 0])
            #expect(bad.status == .unprocessableEntity)
            let done = try await app.send(.POST, "/api/v1/visits/\(id)/attendance", token: dana, json: ["attendance": "arrived", "minutes": 28])
            #expect(done.status == .ok && done.object["status"] as? String == "completed" && done.object["attendedMinutes"] as? Int == 28)
            let again = try await app.send(.POST, "/api/v1/visits/\(id)/attendance", token: dana, json: ["attendance": "no-show"])
            #expect(again.status == .conflict)
        }
    }

    @Test func aWeeklySeriesKeepsLocalTimeAndReportsWhatItSkipped() async throws {
        try await Self.withDemo { app, _ in
            let therapist = try await app.therapistID(of: Demo.therapist)
            let maria = try await app.patientID(of: Demo.patient)
            let dana = try await app.token(Demo.therapist)
            // Another visit already holds the third Tuesday.
            #expect(try await app.send(.POST, "/api/v1/visits", token: dana,
                                       json: Self.booking(therapist, maria, "2026-12-15T18:00:00Z")).status == .created)
            var body = Self.booking(therapist, maria, "2026-12-01T18:00:00Z")
            body["count"] = 8
            let series = try await app.send(.POST, "/api/v1/visits/series", token: dana, json: body)
            #expect(series.status == .created, "\(series.text)")
            let booked = series.object["booked"] as? [[String: Any]] ?? []
            let skipped = series.object["skipped"] as? [[String: Any]] ?? []
            #expect(booked.count == 7 && skipped.count == 1)
            #expect(skipped.first?["start"] as? String == "2026-12-15T18:00:00Z" && skipped.first?["code"] as? String == "slot-taken")
            #expect(Set(booked.compactMap { $0["seriesId"] as? String }).count == 1)
            // Patients do not book series.
            #expect(try await app.send(.POST, "/api/v1/visits/series", token: try await app.token(Demo.patient), json: body).status == .forbidden)
            body["count"] = 99
            #expect(try await app.send(.POST, "/api/v1/visits/series", token: dana, json: body).status == .unprocessableEntity)
        }
    }

    @Test func schedulesAreSavedByTheirTherapistOrTheClinicAdmin() async throws {
        try await Self.withDemo { app, _ in
            let therapist = try await app.therapistID(of: Demo.therapist)
            let dana = try await app.token(Demo.therapist)
            var schedule = try await app.send(.GET, "/api/v1/therapists/\(therapist)/schedule", token: dana).object
            schedule["timeOff"] = [["from": "2026-12-21", "through": "2027-01-01", "note": "Holidays"]]
            let saved = try await app.send(.PUT, "/api/v1/therapists/\(therapist)/schedule", token: dana, json: schedule)
            #expect(saved.status == .ok, "\(saved.text)")
            let slots = try await app.send(.GET, "/api/v1/therapists/\(therapist)/slots?from=2026-12-22T00:00:00Z&to=2026-12-24T00:00:00Z",
                                           token: dana)
            #expect(slots.status == .ok && slots.array.isEmpty)
            #expect(try await app.send(.PUT, "/api/v1/therapists/\(therapist)/schedule", token: try await app.token(Demo.admin), json: schedule).status == .ok)
            for email in [Demo.patient, Demo.caregiver] {
                #expect(try await app.send(.PUT, "/api/v1/therapists/\(therapist)/schedule", token: try await app.token(email), json: schedule).status == .forbidden)
            }
            #expect(try await app.send(.PUT, "/api/v1/therapists/\(therapist)/schedule", token: try await app.token(Demo.unverified),
                                       json: schedule).status == .notFound)
            schedule["weekly"] = [["weekday": 1, "start": "09:00", "end": "12:00", "offer": "video"],
                                  ["weekday": 1, "start": "11:00", "end": "13:00", "offer": "video"]]
            let overlap = try await app.send(.PUT, "/api/v1/therapists/\(therapist)/schedule", token: dana, json: schedule)
            #expect(overlap.status == .unprocessableEntity && overlap.errorCode == "hours-overlap")
        }
    }

    @Test func inPersonVisitsNeedALicenceInTheClinicsState() async throws {
        try await Self.withDemo { app, _ in
            let therapist = try await app.therapistID(of: Demo.therapist)
            let maria = try await app.patientID(of: Demo.patient)
            let dana = try await app.token(Demo.therapist)
            var schedule = try await app.send(.GET, "/api/v1/therapists/\(therapist)/schedule", token: dana).object
            #expect(schedule["inPersonRegion"] as? String == "US-CA", "the demo clinic is in California")
            // Moved to a state where Dana holds no licence or privilege: in-person booking stops, video does not.
            schedule["inPersonRegion"] = "US-NY"
            #expect(try await app.send(.PUT, "/api/v1/therapists/\(therapist)/schedule", token: dana, json: schedule).status == .ok)
            let inPerson = try await app.send(.POST, "/api/v1/visits", token: try await app.token(Demo.patient),
                                              json: Self.booking(therapist, maria, "2026-12-02T18:00:00Z", modality: "in-person", location: nil))
            #expect(inPerson.status == .unprocessableEntity && inPerson.errorCode == "not-licensed-in-location", "\(inPerson.text)")
            #expect(try await app.send(.POST, "/api/v1/visits", token: try await app.token(Demo.patient),
                                       json: Self.booking(therapist, maria, "2026-12-02T18:00:00Z")).status == .created)
            schedule["inPersonRegion"] = "Narnia"
            let bad = try await app.send(.PUT, "/api/v1/therapists/\(therapist)/schedule", token: dana, json: schedule)
            #expect(bad.status == .unprocessableEntity && bad.errorCode == "jurisdiction-invalid")
            schedule["inPersonRegion"] = "US-CA"
            #expect(try await app.send(.PUT, "/api/v1/therapists/\(therapist)/schedule", token: dana, json: schedule).status == .ok)
            #expect(try await app.send(.POST, "/api/v1/visits", token: try await app.token(Demo.patient),
                                       json: Self.booking(therapist, maria, "2026-12-04T18:00:00Z", modality: "in-person", location: nil)).status == .created)
        }
    }

    @Test func aVisitDownloadsAsACalendarEvent() async throws {
        try await Self.withDemo { app, _ in
            let token = try await app.token(Demo.patient)
            let visit = try #require(try await app.send(.GET, "/api/v1/visits", token: token).array.last)
            let ics = try await app.send(.GET, "/api/v1/visits/\(visit["id"] as? String ?? "")/ics", token: token)
            #expect(ics.status == .ok && ics.headers.contentType?.subType == "calendar")
            #expect(ics.text.hasPrefix("BEGIN:VCALENDAR\r\n") && ics.text.contains("BEGIN:VEVENT\r\n") && ics.text.hasSuffix("END:VCALENDAR\r\n"))
            #expect(ics.text.contains("SUMMARY:Follow-up with Dana Whitaker\\, PT\\, DPT"))
            #expect(!ics.text.contains("knee"), "no health details")
            #expect(try await app.send(.GET, "/api/v1/visits/\(visit["id"] as? String ?? "")/ics", token: try await app.token(Demo.patient2)).status == .notFound)
        }
    }

    /// Fifty requests for one slot from two patients, over real sockets: one visit.
    @Test func fiftyRequestsForOneSlotBookItOnce() async throws {
        let (clock, _) = GonioClock.manual(Self.monday)
        try await withTestApp(history: true, onDisk: true, clock: clock) { app in
            try await app.running { port in
                let therapist = try await app.therapistID(of: Demo.therapist)
                let people = [(try await app.token(Demo.patient), try await app.patientID(of: Demo.patient), "CA"),
                              (try await app.token(Demo.patient2), try await app.patientID(of: Demo.patient2), "WA")]
                let statuses = try await ConcurrencyTests.atOnce(50) { i in
                    let (token, patient, region) = people[i % 2]
                    return try await app.live(.POST, port: port, "/api/v1/visits", token: token,
                                              json: Self.booking(therapist, patient, "2026-12-01T17:00:00Z", location: ["country": "US", "region": region]))
                }
                #expect(statuses.count { $0 == 201 } == 1, "\(statuses)")
                #expect(statuses.count { $0 == 409 } == 49, "\(statuses)")
                let start = ISO8601DateFormatter().date(from: "2026-12-01T17:00:00Z")!
                #expect(try await VisitModel.query(on: app.db).filter(\.$startAt == start).count() == 1)
            }
        }
    }
}

extension Date {
    /// This instant rounded up to a multiple of `seconds` since 1970.
    func rounded(to seconds: TimeInterval) -> Date {
        Date(timeIntervalSince1970: (timeIntervalSince1970 / seconds).rounded(.up) * seconds)
    }
}
