import Foundation
import Fluent
import SQLKit
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// Plans of care and home practice over HTTP: who may read, build, change and log; versions;
/// today on the patient's calendar; logs once per client id, even sent at once; pain alerts;
/// adherence.
@Suite struct PlanPracticeTests {
    /// A plan for James (patient2) from phase 1 of the knee osteoarthritis protocol, built by the
    /// demo therapist.
    static func plan(_ app: Application, start: String? = nil) async throws -> (patient: String, plan: TestResponse) {
        let patient = try await app.patientID(of: Demo.patient2)
        var body: [String: Any] = ["protocolId": "knee-osteoarthritis", "protocolPhase": 1]
        if let start { body["startDate"] = start }
        let r = try await app.send(.POST, "/api/v1/patients/\(patient)/plan", token: try await app.token(Demo.therapist), json: body)
        #expect(r.status == .created, "\(r.text)")
        return (patient, r)
    }

    static func items(_ plan: TestResponse) -> [[String: Any]] { plan.object["items"] as? [[String: Any]] ?? [] }

    @Test func theTherapistBuildsAPlanAndThoseWhoMaySeeItReadIt() async throws {
        try await withTestApp { app in
            let patient = try await app.patientID(of: Demo.patient2)
            let therapist = try await app.token(Demo.therapist)
            let none = try await app.send(.GET, "/api/v1/patients/\(patient)/plan", token: therapist)
            #expect(none.status == .notFound && none.errorCode == "no-active-plan")
            // Only the care team's therapist builds it.
            for email in [Demo.patient2, Demo.admin] {
                let r = try await app.send(.POST, "/api/v1/patients/\(patient)/plan", token: try await app.token(email),
                                           json: ["protocolId": "knee-osteoarthritis"])
                #expect(r.status == .forbidden, "\(email): \(r.status)")
            }
            let (_, plan) = try await Self.plan(app)
            #expect(plan.object["version"] as? Int == 1 && plan.object["protocolId"] as? String == "knee-osteoarthritis")
            let items = Self.items(plan)
            #expect(items.count >= 5)
            #expect(items.allSatisfy { ($0["exercise"] as? [String: Any])?["instructions"] != nil }, "each item carries its exercise")
            #expect(plan.object["timeZone"] as? String == "America/Los_Angeles", "James is in Washington")
            // A second plan while one is active is refused.
            let again = try await app.send(.POST, "/api/v1/patients/\(patient)/plan", token: therapist, json: ["protocolId": "low-back-pain"])
            #expect(again.status == .conflict && again.errorCode == "plan-exists")
            // The patient reads it; the clinic admin (front desk) does not see clinical content.
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)/plan", token: try await app.token(Demo.patient2)).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)/plan", token: try await app.token(Demo.admin)).status == .forbidden)
            // Bad input is a clear 422.
            let maria = try await app.patientID(of: Demo.patient)
            for bad: [String: Any] in [["protocolId": "nope"], ["items": []], ["items": [["exerciseId": "knee-nope"]]],
                                       ["items": [["exerciseId": "knee-heel-slides", "dose": ["sets": 0]]]],
                                       ["protocolId": "knee-osteoarthritis", "protocolPhase": 9],
                                       ["items": [["exerciseId": "knee-heel-slides"]], "startDate": "2026-02-30"]] {
                let r = try await app.send(.POST, "/api/v1/patients/\(maria)/plan", token: therapist, json: bad)
                #expect(r.status == .unprocessableEntity, "\(bad): \(r.status) \(r.text)")
            }
        }
    }

    @Test func changesMakeVersionsWithAReasonAndAStaleChangeIsRefused() async throws {
        try await withTestApp { app in
            let (patient, plan) = try await Self.plan(app)
            let therapist = try await app.token(Demo.therapist)
            var items = Self.items(plan).map { item -> [String: Any] in
                ["id": item["id"]!, "exerciseId": item["exerciseId"]!, "block": item["block"]!]
            }
            items[0]["dose"] = ["reps": 12]
            let noReason = try await app.send(.PUT, "/api/v1/patients/\(patient)/plan", token: therapist, json: ["items": items, "baseVersion": 1])
            #expect(noReason.status == .unprocessableEntity && noReason.errorCode == "reason-required")
            let v2 = try await app.send(.PUT, "/api/v1/patients/\(patient)/plan", token: therapist,
                                        json: ["items": items, "baseVersion": 1, "reason": "More repetitions after review"])
            #expect(v2.status == .ok && v2.object["version"] as? Int == 2, "\(v2.text)")
            #expect((Self.items(v2)[0]["dose"] as? [String: Any])?["reps"] as? Int == 12)
            #expect(Self.items(v2).map { $0["id"] as? String } == Self.items(plan).map { $0["id"] as? String }, "items keep their ids")
            let stale = try await app.send(.PUT, "/api/v1/patients/\(patient)/plan", token: therapist,
                                           json: ["title": "Another", "baseVersion": 1, "reason": "Made from version 1"])
            #expect(stale.status == .conflict && stale.errorCode == "plan-changed")
            let same = try await app.send(.PUT, "/api/v1/patients/\(patient)/plan", token: therapist, json: ["baseVersion": 2, "reason": "Nothing"])
            #expect(same.status == .unprocessableEntity && same.errorCode == "plan-unchanged")
            let versions = try await app.send(.GET, "/api/v1/patients/\(patient)/plan/versions", token: try await app.token(Demo.patient2))
            #expect(versions.array.map { $0["version"] as? Int } == [2, 1])
            #expect(versions.array.first?["reason"] as? String == "More repetitions after review")
            #expect(versions.array.first?["createdBy"] as? String == "Dana Whitaker, PT, DPT")
            // A version never changes once written.
            await #expect(throws: (any Error).self) {
                try await (app.db as! any SQLDatabase).raw("UPDATE plan_versions SET reason = 'rewritten'").run()
            }
            // Ended: the patient has no active plan; a new one may start.
            #expect(try await app.send(.POST, "/api/v1/patients/\(patient)/plan/end", token: therapist, json: [:]).status == .unprocessableEntity)
            #expect(try await app.send(.POST, "/api/v1/patients/\(patient)/plan/end", token: therapist, json: ["reason": "Goals met"]).status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)/plan", token: therapist).status == .notFound)
            _ = try await Self.plan(app)
        }
    }

    @Test func todayFollowsThePatientsCalendarAndLogsCountOnce() async throws {
        // 07:45 UTC on Monday 30 November 2026 is still Sunday 29 November in Washington state.
        let (clock, time) = GonioClock.manual(ISO8601DateFormatter().date(from: "2026-11-30T07:45:00Z")!)
        try await withTestApp(clock: clock) { app in
            let (patient, plan) = try await Self.plan(app, start: "2026-11-23")
            let james = try await app.token(Demo.patient2)
            var today = try await app.send(.GET, "/api/v1/patients/\(patient)/today", token: james)
            #expect(today.object["day"] as? String == "2026-11-29" && today.object["status"] as? String == "not-started")
            let due = today.array.count
            #expect(due == Self.items(plan).count, "phase 1 is all daily")
            #expect(today.object["sessions"] as? Int == 2, "quadriceps sets twice a day")
            let item = try #require(Self.items(plan).first { ($0["dose"] as? [String: Any])?["perDay"] as? Int == 2 })
            let itemID = try #require(item["id"] as? String)
            let logID = UUID().uuidString
            let body: [String: Any] = ["id": logID, "itemId": itemID, "outcome": "completed", "setsDone": 2, "repsDone": 20,
                                       "painBefore": 2, "painDuring": 3, "painAfter": 2, "effort": 4, "feeling": "about-right"]
            let first = try await app.send(.POST, "/api/v1/patients/\(patient)/logs", token: james, json: body)
            #expect(first.status == .created && first.object["day"] as? String == "2026-11-29" && first.object["alert"] as? Bool == false)
            let retry = try await app.send(.POST, "/api/v1/patients/\(patient)/logs", token: james, json: body)
            #expect(retry.status == .ok && retry.object["id"] as? String == first.object["id"] as? String, "a retry is answered, not stored")
            var other = body
            other["painDuring"] = 4
            #expect(try await app.send(.POST, "/api/v1/patients/\(patient)/logs", token: james, json: other).errorCode == "log-id-used")
            today = try await app.send(.GET, "/api/v1/patients/\(patient)/today", token: james)
            let row = try #require(today.array.first { $0["itemId"] as? String == itemID })
            #expect(row["logged"] as? Int == 1 && row["status"] as? String == "partly-done" && today.object["status"] as? String == "partly-done")
            // After local midnight the next day starts fresh.
            time.advance(by: 20 * 60)
            today = try await app.send(.GET, "/api/v1/patients/\(patient)/today", token: james)
            #expect(today.object["day"] as? String == "2026-11-30" && today.object["status"] as? String == "not-started")
            // Pain above 5 raises one alert for the care team.
            var painful = body
            painful["id"] = UUID().uuidString
            painful["outcome"] = "stopped"
            painful["painDuring"] = 7
            let hurt = try await app.send(.POST, "/api/v1/patients/\(patient)/logs", token: james, json: painful)
            #expect(hurt.status == .created && hurt.object["alert"] as? Bool == true && (hurt.object["advice"] as? String ?? "").contains("Stop"))
            let therapist = try await app.token(Demo.therapist)
            let alerts = try await app.send(.GET, "/api/v1/patients/\(patient)/practice-alerts", token: therapist)
            #expect(alerts.array.count == 1 && alerts.array.first?["pain"] as? Int == 7)
            let alertID = try #require(alerts.array.first?["id"] as? String)
            #expect(try await app.send(.POST, "/api/v1/patients/\(patient)/practice-alerts/\(alertID)/acknowledge", token: james).status == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/patients/\(patient)/practice-alerts/\(alertID)/acknowledge", token: therapist).status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)/practice-alerts", token: therapist).array.isEmpty)
            // Bad reports are refused with the reason.
            for (key, value) in [("painDuring", 11), ("effort", -1), ("setsDone", 50)] as [(String, Any)] {
                var bad = body
                bad["id"] = UUID().uuidString
                bad[key] = value
                #expect(try await app.send(.POST, "/api/v1/patients/\(patient)/logs", token: james, json: bad).status == .unprocessableEntity, "\(key)")
            }
            var unknown = body
            unknown["id"] = UUID().uuidString
            unknown["itemId"] = "not-in-the-plan"
            #expect(try await app.send(.POST, "/api/v1/patients/\(patient)/logs", token: james, json: unknown).errorCode == "item-unknown")
            var future = body
            future["id"] = UUID().uuidString
            future["performedAt"] = "2026-12-02T00:00:00Z"
            #expect(try await app.send(.POST, "/api/v1/patients/\(patient)/logs", token: james, json: future).errorCode == "performed-in-future")
            var offline = body
            offline["id"] = UUID().uuidString
            offline["performedAt"] = "2026-11-27T17:00:00Z"
            let late = try await app.send(.POST, "/api/v1/patients/\(patient)/logs", token: james, json: offline)
            #expect(late.status == .created && late.object["day"] as? String == "2026-11-27", "a log kept offline counts on its own day")
            // Adherence and the therapist's list.
            let adherence = try await app.send(.GET, "/api/v1/patients/\(patient)/adherence?weeks=2", token: therapist)
            #expect((adherence.object["weeks"] as? [Any])?.count == 2 && adherence.object["lastPractised"] as? String == "2026-11-30")
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)/adherence?weeks=99", token: therapist).status == .unprocessableEntity)
            for odd in ["weeks=2&weeks=3", "weeks=", "weeks"] {
                #expect(try await app.send(.GET, "/api/v1/patients/\(patient)/adherence?\(odd)", token: therapist).status == .unprocessableEntity, "\(odd)")
            }
            let logs = try await app.send(.GET, "/api/v1/patients/\(patient)/logs", token: therapist)
            #expect(logs.metadata["total"] as? Int == 3)
        }
    }

    @Test func whoMayLogPractice() async throws {
        try await withTestApp { app in
            let (patient, plan) = try await Self.plan(app)
            let itemID = try #require(Self.items(plan).first?["id"] as? String)
            func log(_ token: String) async throws -> TestResponse {
                try await app.send(.POST, "/api/v1/patients/\(patient)/logs", token: token, json: [
                    "id": UUID().uuidString, "itemId": itemID, "outcome": "completed", "setsDone": 1, "repsDone": 10,
                ])
            }
            #expect(try await log(try await app.token(Demo.patient2)).status == .created)
            #expect(try await log(try await app.token(Demo.therapist)).status == .forbidden, "therapists read practice, they do not log it")
            #expect(try await log(try await app.token(Demo.admin)).status == .forbidden)
            #expect(try await log(try await app.token(Demo.patient)).status == .notFound)
            // A caregiver with the practice scope logs; one who may only look does not.
            let helper = try await CaregiverTests().registerCaregiver(app, email: "coach@example.com")
            let owner = try await app.token(Demo.patient2)
            let link = try await app.send(.POST, "/api/v1/patients/\(patient)/caregivers", token: owner, json: [
                "caregiverEmail": "coach@example.com", "scopes": ["view"], "expiresOn": CaregiverTests.nextMonth,
            ])
            #expect(link.status == .created)
            #expect(try await log(helper).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)/today", token: helper).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)/practice-alerts", token: helper).status == .ok)
            let linkID = try #require(link.object["id"] as? String)
            _ = try await app.send(.DELETE, "/api/v1/patients/\(patient)/caregivers/\(linkID)", token: owner)
            let practiser = try await app.send(.POST, "/api/v1/patients/\(patient)/caregivers", token: owner, json: [
                "caregiverEmail": "coach@example.com", "scopes": ["log-practice"], "expiresOn": CaregiverTests.nextMonth,
            ])
            #expect(practiser.status == .created, "\(practiser.text)")
            #expect(try await log(helper).status == .created)
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)/plan", token: helper).status == .ok, "they read the plan they practise")
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)/plan/versions", token: helper).status == .notFound,
                    "the history of changes is clinical")
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)/practice-alerts", token: helper).status == .notFound,
                    "alerts are clinical: for those who see the record")
        }
    }

    @Test func identicalLogsSentAtOnceAreStoredOnce() async throws {
        try await withTestApp(onDisk: true) { app in
            let (patient, plan) = try await Self.plan(app)
            let itemID = try #require(Self.items(plan).first?["id"] as? String)
            let token = try await app.token(Demo.patient2)
            try await app.running { port in
                for round in 0..<3 {
                    let body = try jsonText(["id": UUID().uuidString, "itemId": itemID, "outcome": "completed", "setsDone": 2, "repsDone": 20,
                                             "painDuring": round == 1 ? 8 : 2])
                    let statuses = try await ConcurrencyTests.atOnce(12) { _ in
                        try await app.live(.POST, port: port, "/api/v1/patients/\(patient)/logs", token: token, body: body)
                    }
                    #expect(statuses.filter { $0 == 201 }.count == 1 && statuses.allSatisfy { $0 == 201 || $0 == 200 }, "round \(round): \(statuses)")
                }
            }
            #expect(try await PracticeLogModel.query(on: app.db).count() == 3)
            #expect(try await PracticeAlertModel.query(on: app.db).count() == 1, "one alert for the one painful log")
        }
    }

    @Test func twoTherapistsCreatingOrChangingAtOnceTakeEffectOnce() async throws {
        try await withTestApp(onDisk: true) { app in
            let patient = try await app.patientID(of: Demo.patient2)
            let token = try await app.token(Demo.therapist)
            try await app.running { port in
                let create = try jsonText(["protocolId": "knee-osteoarthritis"])
                let made = try await ConcurrencyTests.atOnce(8) { _ in
                    try await app.live(.POST, port: port, "/api/v1/patients/\(patient)/plan", token: token, body: create)
                }
                #expect(made.filter { $0 == 201 }.count == 1 && made.filter { $0 == 409 }.count == 7, "\(made)")
                let changed = try await ConcurrencyTests.atOnce(8) { i in
                    try await app.live(.PUT, port: port, "/api/v1/patients/\(patient)/plan", token: token,
                                       body: try jsonText(["title": "Knee plan \(i)", "baseVersion": 1, "reason": "Renamed \(i)"]))
                }
                #expect(changed.filter { $0 == 200 }.count == 1 && changed.filter { $0 == 409 }.count == 7, "\(changed)")
            }
            #expect(try await PlanModel.query(on: app.db).count() == 1)
            #expect(try await PlanVersionModel.query(on: app.db).count() == 2)
        }
    }

    @Test func theDemoPatientsHaveTwoWeeksOfCareAndTodayIsNotStarted() async throws {
        try await withTestApp(history: true) { app in
            let therapist = try await app.token(Demo.therapist)
            for email in [Demo.patient, Demo.patient2] {
                let id = try await app.patientID(of: email)
                let own = try await app.token(email)
                let today = try await app.send(.GET, "/api/v1/patients/\(id)/today", token: own)
                #expect(today.object["status"] as? String == "not-started" && !today.array.isEmpty, "\(email)")
                let intake = try await app.send(.GET, "/api/v1/patients/\(id)/intake", token: therapist)
                #expect(intake.object["status"] as? String == "submitted" && intake.object["virtualCareAllowed"] as? Bool == true)
                let notes = try await app.send(.GET, "/api/v1/patients/\(id)/notes", token: therapist)
                #expect(notes.array.contains { $0["kind"] as? String == "initial-evaluation" && $0["status"] as? String == "signed" })
                let measures = try await app.send(.GET, "/api/v1/patients/\(id)/measures", token: therapist)
                #expect(!measures.array.isEmpty && measures.array.allSatisfy { ($0["results"] as? [Any])?.count == 2 }, "baseline and two weeks")
                let adherence = try await app.send(.GET, "/api/v1/patients/\(id)/adherence", token: own)
                let weeks = adherence.object["weeks"] as? [[String: Any]] ?? []
                let rates = weeks.compactMap { $0["rate"] as? Double }
                #expect(rates.contains { $0 > 0.6 && $0 < 1 }, "realistic, with missed days: \(rates)")
            }
            let maria = try await app.patientID(of: Demo.patient)
            let alerts = try await app.send(.GET, "/api/v1/patients/\(maria)/practice-alerts", token: therapist)
            #expect(alerts.array.count == 1, "one flare")
            let james = try await app.patientID(of: Demo.patient2)
            let intake = try await app.send(.GET, "/api/v1/patients/\(james)/intake", token: therapist)
            #expect((intake.object["decision"] as? [String: Any])?["reason"] != nil, "flagged, then cleared with a reason")
            let versions = try await app.send(.GET, "/api/v1/patients/\(maria)/plan/versions", token: therapist)
            #expect(versions.array.count == 2)
        }
    }
}

extension PlanPracticeTests {
    @Test func aTrackedExerciseKeepsWhatTheCameraCounted() async throws {
        let (clock, _) = GonioClock.manual(ISO8601DateFormatter().date(from: "2026-11-30T18:00:00Z")!)
        try await withTestApp(clock: clock) { app in
            let (patient, plan) = try await Self.plan(app, start: "2026-11-23")
            let james = try await app.token(Demo.patient2)
            let item = try #require(Self.items(plan).first)
            let itemID = try #require(item["id"] as? String)
            let dose = item["dose"] as? [String: Any] ?? [:]
            let prescribed = (dose["reps"] as? Int ?? 10) * (dose["sets"] as? Int ?? 1)
            let motion: [String: Any] = ["spec": "mini-squat", "source": "camera", "repsCounted": max(0, prescribed - 4), "partialReps": 2,
                                         "romMin": 4.5, "romMax": 48.0, "formScore": 78, "formScores": [95, 92, 90, 70, 66, 64]]
            let body: [String: Any] = ["id": UUID().uuidString, "itemId": itemID, "outcome": "partial", "setsDone": 1, "repsDone": max(0, prescribed - 4),
                                       "effort": 8, "motion": motion]
            let logged = try await app.send(.POST, "/api/v1/patients/\(patient)/logs", token: james, json: body)
            #expect(logged.status == .created, "\(logged.text)")
            let kept = try #require(logged.object["motion"] as? [String: Any])
            #expect(kept["repsCounted"] as? Int == max(0, prescribed - 4) && kept["formScore"] as? Int == 78)
            #expect(kept["formDeclined"] as? Bool == true, "form fell from the 90s to the 60s")
            #expect(kept["fellShort"] as? Bool == true, "fewer than prescribed, with effort 8")
            // The therapist reads it back with the patient's logs.
            let logs = try await app.send(.GET, "/api/v1/patients/\(patient)/logs", token: try await app.token(Demo.therapist))
            #expect((logs.object["items"] as? [[String: Any]])?.first { ($0["motion"] as? [String: Any])?["spec"] as? String == "mini-squat" } != nil)
            // Impossible values are refused with the reason; a skipped exercise has no tracked movement.
            for (key, value) in [("spec", "moonwalk" as Any), ("formScore", 140), ("romMin", 500.0), ("repsCounted", -1), ("formScores", Array(repeating: 50, count: 201))] {
                var bad = body
                var m = motion
                m[key] = value
                bad["id"] = UUID().uuidString
                bad["motion"] = m
                let r = try await app.send(.POST, "/api/v1/patients/\(patient)/logs", token: james, json: bad)
                #expect(r.status == .unprocessableEntity, "\(key): \(r.status)")
            }
            var skipped = body
            skipped["id"] = UUID().uuidString
            skipped["outcome"] = "skipped"
            skipped["setsDone"] = 0
            skipped["repsDone"] = 0
            #expect(try await app.send(.POST, "/api/v1/patients/\(patient)/logs", token: james, json: skipped).status == .unprocessableEntity)
        }
    }
}

extension PlanPracticeTests {
    @Test func theDemoShowsSitToStandsTheCameraCounted() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            var browser = WebTests.Browser(app: app)
            try await browser.signIn(Demo.therapist)
            let page = try await browser.get("/patients/\(maria)/practice")
            #expect(page.status == .ok && page.text.contains("Camera counted") && page.text.contains("form tired towards the end"))
        }
    }
}
