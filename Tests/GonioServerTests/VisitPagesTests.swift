import Foundation
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// The visit pages a person uses without the API: a therapist's hours form, booking for a
/// patient (one visit or a weekly series), and moving a visit to another time.
@Suite struct VisitPagesTests {
    typealias Browser = WebTests.Browser

    /// The hours form as the page fills it for the demo schedule, with `changes` applied.
    static func hoursForm(_ changes: [String: String] = [:]) -> [String: String] {
        var f: [String: String] = [
            "timeZone": "America/Los_Angeles", "location": "Gonio Demo Clinic, 100 Main Street, Sacramento, CA",
            "bufferMinutes": "10", "minimumNoticeHours": "12", "horizonDays": "60", "slotStepMinutes": "15",
            "cancellationNoticeHours": "24", "lateCancelFee": "25.00",
        ]
        for d in 1...5 { f["w\(d)_0_start"] = "09:00"; f["w\(d)_0_end"] = "17:00"; f["w\(d)_0_offer"] = "either" }
        for type in VisitType.standard {
            f["type_\(type.id)_on"] = "on"; f["type_\(type.id)_minutes"] = "\(type.minutes)"; f["type_\(type.id)_offer"] = "either"
        }
        return f.merging(changes) { $1 }
    }

    @Test func aTherapistSetsHoursDaysOffAndRulesOnAPage() async throws {
        try await VisitAPITests.withDemo { app, _ in
            let therapist = try await app.therapistID(of: Demo.therapist)
            var dana = Browser(app: app)
            try await dana.signIn(Demo.therapist)
            let page = try await dana.get("/visits/hours")
            #expect(page.status == .ok)
            #expect(page.text.contains("Your hours") && page.text.contains(#"id="w1_0_start" name="w1_0_start" value="09:00""#))
            #expect(page.text.contains(#"<option value="America/Los_Angeles" selected>"#))
            let csrf = Browser.csrf(in: page.text)
            // Saturday mornings by video, Christmas Eve closed, a week off, a bigger fee.
            let saved = try await dana.post("/visits/hours", form: Self.hoursForm([
                "w6_0_start": "09:00", "w6_0_end": "12:00", "w6_0_offer": "video", "lateCancelFee": "40",
                "ex_day": "2026-12-24", "ex_note": "Closed", "off_from": "2026-12-28", "off_through": "2027-01-01", "off_note": "Away",
            ]), csrf: csrf)
            #expect(saved.status == .seeOther && saved.headers.first(name: .location) == "/visits/hours?notice=saved", "\(saved.text)")
            let schedule = try await app.send(.GET, "/api/v1/therapists/\(therapist)/schedule", token: try await app.token(Demo.therapist)).object
            let weekly = schedule["weekly"] as? [[String: Any]] ?? []
            #expect(weekly.count == 6 && weekly.contains { $0["weekday"] as? Int == 6 && $0["offer"] as? String == "video" })
            #expect((schedule["policy"] as? [String: Any])?["lateCancelFeeCents"] as? Int == 4000)
            #expect((schedule["exceptions"] as? [[String: Any]])?.first?["day"] as? String == "2026-12-24")
            #expect((schedule["timeOff"] as? [[String: Any]])?.first?["through"] as? String == "2027-01-01")
            let slots = try await app.send(.GET, "/api/v1/therapists/\(therapist)/slots?from=2026-12-05T00:00:00Z&to=2026-12-06T08:00:00Z",
                                           token: try await app.token(Demo.patient))
            #expect(slots.status == .ok && slots.array.count > 0, "Saturday has hours now")
            // The saved page lists the day and the time off with boxes to remove them.
            let after = try await dana.get("/visits/hours?notice=saved")
            #expect(after.text.contains("remove_exception_2026-12-24") && after.text.contains("remove_off_0"))
            // A mistake is shown on the form with what was typed, and nothing is saved.
            let bad = try await dana.post("/visits/hours", form: Self.hoursForm(["w2_0_start": "18:00", "w3_0_end": ""]),
                                          csrf: Browser.csrf(in: after.text))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("give both a start and an end time") || bad.text.contains("Hours must end after they start"))
            #expect(bad.text.contains(#"name="w2_0_start" value="18:00""#))
            let unchanged = try await app.send(.GET, "/api/v1/therapists/\(therapist)/schedule", token: try await app.token(Demo.therapist)).object
            #expect((unchanged["weekly"] as? [Any])?.count == 6)
        }
    }

    @Test func onlyTheTherapistAndTheirClinicAdminOpenTheHours() async throws {
        try await VisitAPITests.withDemo { app, _ in
            let therapist = try await app.therapistID(of: Demo.therapist)
            var admin = Browser(app: app)
            try await admin.signIn(Demo.admin)
            #expect(try await admin.get("/dashboard").text.contains("/visits/hours?therapist=\(therapist)"), "the admin's dashboard links to it")
            let page = try await admin.get("/visits/hours?therapist=\(therapist)")
            #expect(page.status == .ok && page.text.contains("Hours of "))
            let saved = try await admin.post("/visits/hours?therapist=\(therapist)", form: Self.hoursForm(), csrf: Browser.csrf(in: page.text))
            #expect(saved.status == .seeOther && saved.headers.first(name: .location)?.contains("therapist=\(therapist)") == true)
            #expect(try await admin.get("/visits/hours").status == .notFound, "an admin without a therapist record names one")
            for email in [Demo.patient, Demo.caregiver, Demo.unverified, Demo.platform] {
                var browser = Browser(app: app)
                try await browser.signIn(email)
                #expect(try await browser.get("/visits/hours?therapist=\(therapist)").status == .notFound, "\(email)")
                let csrf = Browser.csrf(in: try await browser.get("/").text)
                #expect(try await browser.post("/visits/hours?therapist=\(therapist)", form: Self.hoursForm(), csrf: csrf).status == .notFound, "\(email)")
            }
        }
    }

    @Test func aTherapistFindsAPatientAndBooksAWeeklySeries() async throws {
        try await VisitAPITests.withDemo { app, _ in
            let therapist = try await app.therapistID(of: Demo.therapist)
            let maria = try await app.patientID(of: Demo.patient)
            var dana = Browser(app: app)
            try await dana.signIn(Demo.therapist)
            let search = try await dana.get("/visits?q=Maria")
            #expect(search.text.contains("/visits?patient=\(maria)"))
            let page = try await dana.get("/visits?patient=\(maria)&week=2026-12-07")
            #expect(page.status == .ok && page.text.contains("Book a visit for Maria") && page.text.contains(#"name="repeatCount""#))
            // Another visit already holds the third Tuesday at 10:00.
            #expect(try await app.send(.POST, "/api/v1/visits", token: try await app.token(Demo.therapist),
                                       json: VisitAPITests.booking(therapist, maria, "2026-12-22T18:00:00Z")).status == .created)
            let r = try await dana.post("/visits/book", form: [
                "patientId": maria, "therapistId": therapist, "visitType": "follow-up", "start": "2026-12-08T18:00:00Z",
                "modality": "video", "location": "US-CA", "repeatCount": "4", "everyWeeks": "1",
            ], csrf: Browser.csrf(in: page.text))
            #expect(r.status == .ok, "\(r.status)")
            #expect(r.text.contains("3 of 4 visits booked.") && r.text.contains("Tuesday 22 December"), "\(r.text.prefix(0))")
            let visits = try await app.send(.GET, "/api/v1/visits?from=2026-12-07T00:00:00Z&to=2027-01-01T00:00:00Z",
                                            token: try await app.token(Demo.patient)).array
            #expect(visits.filter { $0["seriesId"] is String }.count == 3)
            // A patient's page offers no series.
            var patient = Browser(app: app)
            try await patient.signIn(Demo.patient)
            #expect(!(try await patient.get("/visits").text.contains(#"name="repeatCount""#)))
            // A patient not on Dana's care team cannot be opened.
            let stranger = try await dana.get("/visits?patient=\(UUID())")
            #expect(stranger.status == .notFound)
        }
    }

    @Test func aPatientMovesAVisitOnThePage() async throws {
        try await VisitAPITests.withDemo { app, advance in
            let therapist = try await app.therapistID(of: Demo.therapist)
            let maria = try await app.patientID(of: Demo.patient)
            let booked = try await app.send(.POST, "/api/v1/visits", token: try await app.token(Demo.patient),
                                            json: VisitAPITests.booking(therapist, maria, "2026-12-03T17:00:00Z"))
            let id = try #require(booked.object["id"] as? String)
            var browser = Browser(app: app)
            try await browser.signIn(Demo.patient)
            let list = try await browser.get("/visits")
            #expect(list.text.contains("/visits?patient=\(maria)&amp;move=\(id)") || list.text.contains("move=\(id)"))
            let page = try await browser.get("/visits?patient=\(maria)&move=\(id)")
            #expect(page.text.contains("Move a visit") && page.text.contains("/visits/\(id)/move"))
            #expect(!page.text.contains(#"value="2026-12-03T17:00:00Z""#), "its own time is not offered")
            let moved = try await browser.post("/visits/\(id)/move", form: ["start": "2026-12-04T18:00:00Z", "modality": "video", "location": "US-CA"],
                                               csrf: Browser.csrf(in: page.text))
            #expect(moved.status == .seeOther && moved.headers.first(name: .location)?.contains("notice=moved") == true, "\(moved.text)")
            let visit = try await app.send(.GET, "/api/v1/visits/\(id)", token: try await app.token(Demo.patient)).object
            #expect(visit["start"] as? String == "2026-12-04T18:00:00Z" && visit["status"] as? String == "booked")
            // Inside the notice the page says to cancel instead, and the visit stays.
            advance(3 * 86_400 + 12 * 3600)
            var later = Browser(app: app)
            try await later.signIn(Demo.patient)
            let form = try await later.get("/visits?patient=\(maria)&move=\(id)")
            let late = try await later.post("/visits/\(id)/move", form: ["start": "2026-12-07T18:00:00Z", "modality": "video", "location": "US-CA"],
                                            csrf: Browser.csrf(in: form.text))
            #expect(late.status == .unprocessableEntity && late.text.contains("cancel instead"))
            // Someone else's visit cannot be moved.
            var other = Browser(app: app)
            try await other.signIn(Demo.patient2)
            let csrf = Browser.csrf(in: try await other.get("/visits").text)
            #expect(try await other.post("/visits/\(id)/move", form: ["start": "2026-12-07T18:00:00Z"], csrf: csrf).status == .notFound)
        }
    }
}

extension VisitPagesTests {
    @Test func aVisitsNoteIsWrittenForItAndLinked() async throws {
        try await VisitAPITests.withDemo { app, _ in
            let dana = try await app.token(Demo.therapist)
            let all = try await app.send(.GET, "/api/v1/visits?from=2026-11-01T00:00:00Z&to=2026-12-31T00:00:00Z", token: dana).array
            let past = all.filter { $0["status"] as? String == "completed" }
            let maria = try await app.patientID(of: Demo.patient), james = try await app.patientID(of: Demo.patient2)
            let mariaVisit = try #require(past.first { $0["patientId"] as? String == maria }?["id"] as? String)
            let jamesVisit = try #require(past.first { $0["patientId"] as? String == james }?["id"] as? String)
            // The demo: Maria's visit has its note, James's is waiting for one.
            var browser = Browser(app: app)
            try await browser.signIn(Demo.therapist)
            let page = try await browser.get("/visits")
            #expect(page.text.contains("Visit note written"))
            #expect(page.text.contains("/patients/\(james)/notes/new?kind=follow-up&amp;visit=\(jamesVisit)")
                    || page.text.contains("/patients/\(james)/notes/new?kind=follow-up&visit=\(jamesVisit)"))
            let notes = try await app.send(.GET, "/api/v1/patients/\(maria)/notes", token: dana).object["items"] as? [[String: Any]] ?? []
            #expect(notes.contains { $0["visitId"] as? String == mariaVisit && $0["kind"] as? String == "follow-up" })
            // Written through the API for James's visit; not for a visit of another patient.
            let template = try await app.send(.GET, "/api/v1/patients/\(james)/notes/template?kind=follow-up", token: dana).object
            let created = try await app.send(.POST, "/api/v1/patients/\(james)/notes", token: dana,
                                             json: ["kind": "follow-up", "body": template, "visitId": jamesVisit])
            #expect(created.status == .created && created.object["visitId"] as? String == jamesVisit, "\(created.text)")
            let wrong = try await app.send(.POST, "/api/v1/patients/\(james)/notes", token: dana,
                                           json: ["kind": "follow-up", "body": template, "visitId": mariaVisit])
            #expect(wrong.status == .unprocessableEntity && wrong.errorCode == "visit-not-yours")
            #expect(try await browser.get("/visits").text.components(separatedBy: "Visit note written").count == 3)
        }
    }
}

extension VisitPagesTests {
    /// What the goniometer measured shows with its past visit, for those who see the record.
    @Test func aVisitsReadingsShowWithIt() async throws {
        try await withTestApp(history: true) { app in
            let reading = "Sit to stand: 10 repetitions (1 partial). Knee flexion, right 5°–97°, left 6°–94°. Form 84/100."
            var maria = WebTests.Browser(app: app)
            try await maria.signIn(Demo.patient)
            let own = try await maria.get("/visits")
            #expect(own.status == .ok && own.text.contains("Measured in the visit") && own.text.contains(reading))
            var dana = WebTests.Browser(app: app)
            try await dana.signIn(Demo.therapist)
            let patientID = try await app.patientID(of: Demo.patient)
            #expect(try await dana.get("/visits?patient=\(patientID)").text.contains(reading))
            var james = WebTests.Browser(app: app)
            try await james.signIn(Demo.patient2)
            #expect(!(try await james.get("/visits").text.contains("Measured in the visit")))
        }
    }
}
