import Foundation
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

@Suite struct IntakeAPITests {
    static func completeIntake(flags: [String: Bool] = [:]) -> [String: Any] {
        var redFlags: [String: Any] = [:]
        for q in RedFlagScreen.questions where q.type == .boolean { redFlags[q.id] = flags[q.id] ?? false }
        return [
            "conditionCategory": "musculoskeletal", "bodyRegions": ["lower-back"], "onsetDate": "2026-10-01",
            "currentPain": 6, "goals": "Garden again without pain", "visitLocation": "US-CA", "age": 68,
            "medications": ["beta-blocker"],
            "readiness": ["hasCameraDevice": true, "internet": "fair", "spaceToMove": true, "assistanceNeeded": "independent"],
            "redFlags": redFlags,
        ]
    }

    @Test func patientSavesDraftsThenSubmitsAClearIntake() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let token = try await app.token(Demo.patient)
            let empty = try await app.send(.GET, "/api/v1/patients/\(id)/intake", token: token)
            #expect(empty.status == .ok)
            #expect(empty.object["status"] as? String == "not-started")
            let draft = try await app.send(.PUT, "/api/v1/patients/\(id)/intake", token: token, json: ["currentPain": 6, "bodyRegions": ["knee"]])
            #expect(draft.status == .ok)
            #expect(draft.object["status"] as? String == "draft")
            #expect((draft.object["missing"] as? [String])?.contains("goals") == true)
            let early = try await app.send(.POST, "/api/v1/patients/\(id)/intake/submit", token: token)
            #expect(early.status == .unprocessableEntity)
            #expect(early.errorCode == "intake-incomplete")
            let full = try await app.send(.PUT, "/api/v1/patients/\(id)/intake", token: token, json: Self.completeIntake())
            #expect((full.object["missing"] as? [String]) == [])
            #expect((full.object["concerns"] as? [[String: Any]])?.contains { $0["code"] as? String == "beta-blocker" } == true)
            let submitted = try await app.send(.POST, "/api/v1/patients/\(id)/intake/submit", token: token)
            #expect(submitted.status == .ok)
            #expect((submitted.object["triage"] as? [String: Any])?["outcome"] as? String == "clear")
            #expect(submitted.object["virtualCareAllowed"] as? Bool == true)
            let locked = try await app.send(.PUT, "/api/v1/patients/\(id)/intake", token: token, json: Self.completeIntake())
            #expect(locked.status == .conflict)
        }
    }

    @Test func flaggedIntakeWaitsForTheTherapistsDecision() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient2)
            let patient = try await app.token(Demo.patient2)
            _ = try await app.send(.PUT, "/api/v1/patients/\(id)/intake", token: patient, json: Self.completeIntake(flags: ["night-pain": true]))
            let submitted = try await app.send(.POST, "/api/v1/patients/\(id)/intake/submit", token: patient)
            #expect((submitted.object["triage"] as? [String: Any])?["outcome"] as? String == "therapist-review")
            #expect(submitted.object["virtualCareAllowed"] as? Bool == false)
            let selfClear = try await app.send(.POST, "/api/v1/patients/\(id)/intake/triage-decision", token: patient,
                                               json: ["decision": "cleared-for-virtual-care", "reason": "I feel fine"])
            #expect(selfClear.status == .forbidden)
            let therapist = try await app.token(Demo.therapist)
            let noReason = try await app.send(.POST, "/api/v1/patients/\(id)/intake/triage-decision", token: therapist,
                                              json: ["decision": "cleared-for-virtual-care", "reason": " "])
            #expect(noReason.errorCode == "reason-missing")
            let cleared = try await app.send(.POST, "/api/v1/patients/\(id)/intake/triage-decision", token: therapist,
                                             json: ["decision": "cleared-for-virtual-care", "reason": "Night pain is positional; reviewed on call."])
            #expect(cleared.status == .ok)
            #expect(cleared.object["virtualCareAllowed"] as? Bool == true)
            #expect((cleared.object["decision"] as? [String: Any])?["reason"] as? String == "Night pain is positional; reviewed on call.")
        }
    }

    @Test func emergencyOutcomeNeverAllowsVirtualBookingByItself() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let token = try await app.token(Demo.caregiver)   // the demo caregiver may book visits, so may fill forms
            _ = try await app.send(.PUT, "/api/v1/patients/\(id)/intake", token: token, json: Self.completeIntake(flags: ["bladder-change": true]))
            let r = try await app.send(.POST, "/api/v1/patients/\(id)/intake/submit", token: token)
            let triage = r.object["triage"] as? [String: Any]
            #expect(triage?["outcome"] as? String == "emergency")
            #expect((triage?["reasons"] as? [[String: Any]])?.first?["rule"] as? String == "cauda-equina")
            #expect(r.object["virtualCareAllowed"] as? Bool == false)
        }
    }

    @Test(arguments: [Demo.patient2, Demo.unverified, Demo.platform])
    func outsidersCannotReadOrWrite(email: String) async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let token = try await app.token(email)
            #expect(try await app.send(.GET, "/api/v1/patients/\(id)/intake", token: token).status == .notFound)
            #expect(try await app.send(.PUT, "/api/v1/patients/\(id)/intake", token: token, json: ["currentPain": 1]).status == .notFound)
        }
    }

    @Test func rolesThatMayReadButNotFillIn() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            for email in [Demo.therapist] {
                let token = try await app.token(email)
                #expect(try await app.send(.GET, "/api/v1/patients/\(id)/intake", token: token).status == .ok)
                #expect(try await app.send(.PUT, "/api/v1/patients/\(id)/intake", token: token, json: ["currentPain": 1]).status == .forbidden)
            }
            let admin = try await app.token(Demo.admin)
            #expect(try await app.send(.GET, "/api/v1/patients/\(id)/intake", token: admin).status == .forbidden, "admins see no clinical content")
        }
    }

    @Test func badDraftsAreRefused() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let token = try await app.token(Demo.patient)
            #expect(try await app.send(.PUT, "/api/v1/patients/\(id)/intake", token: token, json: ["currentPain": 14]).errorCode == "pain-out-of-range")
            #expect(try await app.send(.PUT, "/api/v1/patients/\(id)/intake", token: token, json: ["bodyRegions": ["tail"]]).status == .unprocessableEntity)
            #expect(try await app.send(.PUT, "/api/v1/patients/\(id)/intake", token: token, json: ["onsetDate": "2999-01-01"]).errorCode == "date-in-future")
            #expect(try await app.send(.PUT, "/api/v1/patients/\(id)/intake", token: token, json: ["redFlags": ["made-up": true]]).errorCode == "unknown-question")
            #expect(try await app.send(.PUT, "/api/v1/patients/\(id)/intake", token: token, body: "{").status == .badRequest)
        }
    }

    @Test func everyIntakeAccessIsAudited() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            _ = try await app.send(.GET, "/api/v1/patients/\(id)/intake", token: app.token(Demo.therapist))
            _ = try await app.send(.GET, "/api/v1/patients/\(id)/intake", token: app.token(Demo.patient2))
            let entries = try await app.send(.GET, "/api/v1/audit?patientId=\(id)", token: app.token(Demo.admin)).array
            #expect(entries.contains { $0["resource"] as? String == "patient/\(id)/intake" && $0["outcome"] as? String == "allowed" })
            #expect(entries.contains { $0["resource"] as? String == "patient/\(id)/intake" && $0["outcome"] as? String == "denied" })
        }
    }
}
