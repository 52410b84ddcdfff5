import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// Progress between visits through the API and pages: who may read and change what, a check-in's
/// red flag reaching the therapist, suggestions accepted (once) into the plan or dismissed.
@Suite struct ProgressTests {
    /// Statuses of `path` for each demo user.
    static func statuses(_ app: Application, _ path: String, method: HTTPMethod = .GET, json: [String: Any]? = nil) async throws -> [String: HTTPStatus] {
        var out: [String: HTTPStatus] = [:]
        for email in [Demo.patient, Demo.therapist, Demo.caregiver, Demo.patient2, Demo.admin, Demo.unverified] {
            out[email] = try await app.send(method, path, token: try await app.token(email), json: json).status
        }
        return out
    }

    @Test func whoReadsProgressSuggestionsAndAlerts() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            // The progress series: the patient and her therapist (and a caregiver who sees the record).
            let progress = try await Self.statuses(app, "/api/v1/patients/\(maria)/progress")
            #expect(progress[Demo.patient] == .ok && progress[Demo.therapist] == .ok)
            for outsider in [Demo.patient2, Demo.unverified] { #expect(progress[outsider] == .notFound, "\(outsider)") }
            // The clinic's admin sees the record, not the clinical data.
            #expect(progress[Demo.admin] == .forbidden)
            // Suggestions and alerts are the care team's work.
            for path in ["suggestions", "alerts"] {
                let s = try await Self.statuses(app, "/api/v1/patients/\(maria)/\(path)")
                #expect(s[Demo.therapist] == .ok, "\(path)")
                #expect(s[Demo.patient] == .forbidden, "\(path): \(s[Demo.patient]!)")
                for outsider in [Demo.patient2, Demo.unverified] { #expect(s[outsider] == .notFound, "\(path) \(outsider)") }
            }
            let body = try await app.send(.GET, "/api/v1/patients/\(maria)/progress", token: try await app.token(Demo.patient)).object
            #expect((body["pain"] as? [Any])?.isEmpty == false && (body["mornings"] as? [Any])?.isEmpty == false)
            #expect((body["measures"] as? [[String: Any]])?.contains { $0["code"] as? String == "koos-jr" } == true)
            #expect((body["rom"] as? [[String: Any]])?.contains { $0["exercise"] as? String == "sit-to-stand" } == true)
            #expect(((body["sinceLastVisit"] as? [String: Any])?["lines"] as? [String])?.first?.hasPrefix("Since the visit on") == true)
            // Demo: Maria has pending suggestions with their rule and reasons; James a red flag.
            let pending = try await app.send(.GET, "/api/v1/patients/\(maria)/suggestions", token: try await app.token(Demo.therapist)).array
            #expect(!pending.isEmpty && pending.allSatisfy { ($0["reasons"] as? [String])?.isEmpty == false && $0["rule"] is String })
            let james = try await app.patientID(of: Demo.patient2)
            let alerts = try await app.send(.GET, "/api/v1/patients/\(james)/alerts", token: try await app.token(Demo.therapist)).array
            #expect(alerts.contains { $0["kind"] as? String == "red-flag" })
            #expect(try await app.send(.GET, "/api/v1/progression/rules", token: try await app.token(Demo.patient)).object["progression"] != nil)
        }
    }

    @Test func aCheckInsRedFlagReachesTheTherapistUntilSeen() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            let patient = try await app.token(Demo.patient), therapist = try await app.token(Demo.therapist)
            for (bad, code) in [(["morningPain": 11], "pain-invalid"), (["morningPain": 2, "answers": ["age": true]], "unknown-question"),
                                (["morningPain": 2, "day": "2020-01-01"], "day-invalid")] as [([String: Any], String)] {
                let r = try await app.send(.POST, "/api/v1/patients/\(maria)/checkins", token: patient, json: bad)
                #expect(r.status == .unprocessableEntity && r.errorCode == code, "\(bad): \(r.status) \(r.text)")
            }
            // Only the patient's side records one.
            #expect(try await app.send(.POST, "/api/v1/patients/\(maria)/checkins", token: try await app.token(Demo.patient2),
                                       json: ["morningPain": 1]).status == .notFound)
            let saved = try await app.send(.POST, "/api/v1/patients/\(maria)/checkins", token: patient,
                                           json: ["morningPain": 2, "answers": ["calf-swelling": true], "note": "Calf is sore"])
            #expect(saved.status == .created, "\(saved.text)")
            #expect((saved.object["triage"] as? [String: Any])?["outcome"] as? String == "urgent-in-person")
            #expect((saved.object["advice"] as? String)?.contains("doctor today") == true)
            // Progressions wait while a red flag is open.
            let suggestions = { try await app.send(.GET, "/api/v1/patients/\(maria)/suggestions", token: therapist).array }
            #expect(try await suggestions().allSatisfy { $0["decision"] as? String != "progress" })
            let open = try await app.send(.GET, "/api/v1/patients/\(maria)/alerts", token: therapist).array
            let flag = try #require(open.first { $0["kind"] as? String == "red-flag" })
            let flagID = try #require(flag["id"] as? String)
            #expect((flag["link"] as? String)?.hasSuffix("/progress") == true)
            // Marked seen: gone from the open list, kept in the history; marking again is harmless.
            for _ in 0..<2 {
                #expect(try await app.send(.POST, "/api/v1/patients/\(maria)/alerts/\(flagID)/acknowledge", token: therapist).status == .noContent)
            }
            #expect(!(try await app.send(.GET, "/api/v1/patients/\(maria)/alerts", token: therapist).array.contains { $0["id"] as? String == flagID }))
            #expect(try await suggestions().contains { $0["decision"] as? String == "progress" }, "seen, the progressions come back")
            let all = try await app.send(.GET, "/api/v1/patients/\(maria)/alerts?all=true", token: therapist).array
            #expect(all.contains { $0["id"] as? String == flagID && $0["acknowledgedAt"] is String })
            // The same day again replaces the check-in.
            _ = try await app.send(.POST, "/api/v1/patients/\(maria)/checkins", token: patient, json: ["morningPain": 2])
            let list = try await app.send(.GET, "/api/v1/patients/\(maria)/checkins", token: therapist).array
            #expect(list.count { $0["day"] as? String == list.last?["day"] as? String } == 1 && list.last?["morningPain"] as? Int == 2)
        }
    }

    @Test func aSuggestionIsAcceptedIntoThePlanOrDismissed() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            let pending = try await app.send(.GET, "/api/v1/patients/\(maria)/suggestions", token: therapist).array
            #expect(pending.count >= 2)
            let first = try #require(pending.first), second = pending[1]
            let firstID = try #require(first["id"] as? String), secondID = try #require(second["id"] as? String)
            // The patient cannot decide; another patient's therapist cannot see it.
            #expect(try await app.send(.POST, "/api/v1/suggestions/\(firstID)/accept", token: try await app.token(Demo.patient)).status == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/suggestions/\(UUID())/accept", token: therapist).status == .notFound)
            #expect(try await app.send(.POST, "/api/v1/suggestions/\(firstID)/accept", token: therapist, json: ["reps": 99]).status == .unprocessableEntity)

            let before = try await app.send(.GET, "/api/v1/patients/\(maria)/plan", token: therapist).object
            let accepted = try await app.send(.POST, "/api/v1/suggestions/\(firstID)/accept", token: therapist)
            #expect(accepted.status == .ok, "\(accepted.text)")
            let version = try #require(accepted.object["planVersion"] as? Int)
            #expect(version == (before["version"] as? Int ?? 0) + 1)
            // The plan has the new dose, with the reason in words.
            let plan = try await app.send(.GET, "/api/v1/patients/\(maria)/plan", token: try await app.token(Demo.patient)).object
            let items = plan["items"] as? [[String: Any]] ?? []
            let item = try #require(items.first { $0["id"] as? String == first["itemId"] as? String })
            let proposed = try #require(first["proposed"] as? [String: Any])
            #expect((item["dose"] as? [String: Any])?["reps"] as? Int == proposed["reps"] as? Int)
            #expect((plan["reason"] as? String)?.contains("Why:") == true, "\(plan["reason"] ?? "")")
            #expect(try await app.send(.POST, "/api/v1/suggestions/\(firstID)/accept", token: therapist).status == .conflict)
            // Dismissed: the plan stays; once.
            #expect(try await app.send(.POST, "/api/v1/suggestions/\(secondID)/dismiss", token: therapist).status == .ok)
            #expect(try await app.send(.POST, "/api/v1/suggestions/\(secondID)/dismiss", token: therapist).status == .conflict)
            let after = try await app.send(.GET, "/api/v1/patients/\(maria)/plan", token: therapist).object
            #expect(after["version"] as? Int == version)
            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$action == "suggestion.decide").filter(\.$outcome == .allowed).count()
            #expect(audit == 2)
        }
    }

    @Test func twentyAcceptsAtOnceChangeThePlanOnce() async throws {
        try await withTestApp(history: true, onDisk: true) { app in
            try await app.running { port in
                let maria = try await app.patientID(of: Demo.patient)
                let therapist = try await app.token(Demo.therapist)
                let pending = try await app.live(.GET, port: port, "/api/v1/patients/\(maria)/suggestions", token: therapist).array
                let id = try #require(pending.first?["id"] as? String)
                let before = try await app.live(.GET, port: port, "/api/v1/patients/\(maria)/plan", token: therapist).object["version"] as? Int ?? 0
                let statuses = try await ConcurrencyTests.atOnce(20) { _ in
                    try await app.live(.POST, port: port, "/api/v1/suggestions/\(id)/accept", token: therapist)
                }
                #expect(statuses.count { $0 == 200 } == 1 && statuses.allSatisfy { $0 == 200 || $0 == 409 }, "\(statuses)")
                let after = try await app.live(.GET, port: port, "/api/v1/patients/\(maria)/plan", token: therapist).object["version"] as? Int ?? 0
                #expect(after == before + 1)
            }
        }
    }

    @Test func theProgressPageForThePatientAndTheTherapist() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            var patient = WebTests.Browser(app: app)
            try await patient.signIn(Demo.patient)
            let own = try await patient.get("/patients/\(maria)/progress")
            #expect(own.status == .ok)
            #expect(own.text.contains("Your progress") && own.text.contains("Morning check-in") && own.text.contains("<svg class=\"chart\""))
            #expect(own.text.contains("The numbers as a table") && !own.text.contains("Suggested changes"))
            var dana = WebTests.Browser(app: app)
            try await dana.signIn(Demo.therapist)
            let dense = try await dana.get("/patients/\(maria)/progress")
            #expect(dense.text.contains("Suggested changes") && dense.text.contains("Since the visit on") && dense.text.contains("Alerts"))
            let csrf = try #require(WebTests.Browser.csrf(in: own.text))
            let saved = try await patient.post("/patients/\(maria)/progress/checkin", form: ["morningPain": "2", "flag-fever": "yes"], csrf: csrf)
            #expect(saved.status == .seeOther && saved.headers.first(name: .location)?.contains("checked-in-urgent-in-person") == true)
            let missing = try await patient.post("/patients/\(maria)/progress/checkin", form: [:], csrf: csrf)
            #expect(missing.status == .unprocessableEntity && missing.text.contains("Choose how much pain"))

            var james = WebTests.Browser(app: app)
            try await james.signIn(Demo.patient2)
            #expect(try await james.get("/patients/\(maria)/progress").status == .notFound)
        }
    }
}
