import Foundation
import Fluent
import SQLKit
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

@Suite struct NotesAPITests {
    static var evaluation: [String: Any] { [
        "subjective": "Low back pain for 8 weeks, worse sitting.",
        "objective": [
            "rom": [["joint": "lumbar", "motion": "flexion", "side": "n/a", "degrees": 40]],
            "strength": [["muscleGroup": "hip abductors", "side": "left", "grade": "4-"]],
            "specialTests": [["name": "Straight leg raise", "side": "right", "result": "negative"]],
            "measures": ["odi"],
        ],
        "assessment": [
            "diagnosis": "Non-specific low back pain", "impairments": ["Reduced lumbar flexion"], "complexity": "moderate",
            "personalFactors": 1, "elementsExamined": 3, "presentation": "evolving",
            "reasoning": "One comorbidity; three elements examined; symptoms evolving.",
        ],
        "plan": [
            "frequencyPerWeek": 2, "durationWeeks": 6,
            "goals": [
                ["id": "g1", "text": "Sit 30 minutes with pain at most 3/10", "term": "short", "targetDate": "2026-12-20", "status": "not-met"],
                ["id": "g2", "text": "ODI at most 20 %", "term": "long", "targetDate": "2027-01-31", "status": "not-met"],
            ],
        ],
    ] }

    @Test func therapistWritesSignsAndAddsAnAddendum() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            let template = try await app.send(.GET, "/api/v1/patients/\(id)/notes/template?kind=initial-evaluation", token: therapist)
            #expect(template.status == .ok)
            let draft = try await app.send(.POST, "/api/v1/patients/\(id)/notes", token: therapist, json: ["kind": "initial-evaluation", "body": ["subjective": "Draft"]])
            #expect(draft.status == .created)
            let noteID = try #require(draft.object["id"] as? String)
            let early = try await app.send(.POST, "/api/v1/patients/\(id)/notes/\(noteID)/sign", token: therapist)
            #expect(early.errorCode == "diagnosis-missing")
            let updated = try await app.send(.PUT, "/api/v1/patients/\(id)/notes/\(noteID)", token: therapist, json: ["body": Self.evaluation])
            #expect(updated.status == .ok, "\(updated.text)")
            let signed = try await app.send(.POST, "/api/v1/patients/\(id)/notes/\(noteID)/sign", token: therapist)
            #expect(signed.status == .ok)
            #expect(signed.object["status"] as? String == "signed")
            #expect(signed.object["cptCode"] as? String == "97162")
            let locked = try await app.send(.PUT, "/api/v1/patients/\(id)/notes/\(noteID)", token: therapist, json: ["body": ["subjective": "changed"]])
            #expect(locked.status == .conflict)
            #expect(locked.errorCode == "note-signed")
            let addendum = try await app.send(.POST, "/api/v1/patients/\(id)/notes/\(noteID)/addenda", token: therapist,
                                              json: ["text": "Correction: SLR was tested on both sides, both negative."])
            #expect(addendum.status == .created)
            #expect((addendum.object["addenda"] as? [[String: Any]])?.count == 1)
            // The patient reads their own notes (HIPAA right of access); the caregiver with view scope too.
            for email in [Demo.patient, Demo.caregiver] {
                let list = try await app.send(.GET, "/api/v1/patients/\(id)/notes", token: app.token(email))
                #expect(list.status == .ok)
                #expect(list.array.first?["status"] as? String == "signed")
            }
        }
    }

    @Test func signedNotesCannotChangeEvenInTheDatabase() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            let draft = try await app.send(.POST, "/api/v1/patients/\(id)/notes", token: therapist, json: ["kind": "follow-up", "body": ["subjective": "Better"]])
            let noteID = try #require(draft.object["id"] as? String)
            #expect(try await app.send(.POST, "/api/v1/patients/\(id)/notes/\(noteID)/sign", token: therapist).status == .ok)
            let sql = try #require(app.db as? any SQLDatabase)
            await #expect(throws: (any Error).self) { try await sql.raw("UPDATE clinical_notes SET body = '{}'").run() }
            await #expect(throws: (any Error).self) { try await sql.raw("DELETE FROM clinical_notes").run() }
            _ = try await app.send(.POST, "/api/v1/patients/\(id)/notes/\(noteID)/addenda", token: therapist, json: ["text": "Addendum"])
            await #expect(throws: (any Error).self) { try await sql.raw("DELETE FROM note_addenda").run() }
        }
    }

    @Test func complexityAboveWhatIsDocumentedIsRefused() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            var body = Self.evaluation
            var assessment = body["assessment"] as! [String: Any]
            assessment["complexity"] = "high"
            body["assessment"] = assessment
            let r = try await app.send(.POST, "/api/v1/patients/\(id)/notes", token: app.token(Demo.therapist), json: ["kind": "initial-evaluation", "body": body])
            #expect(r.status == .unprocessableEntity)
            #expect(r.errorCode == "complexity-not-supported")
        }
    }

    @Test func onlyTheCareTeamWritesAndOnlyTheAuthorSigns() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            for email in [Demo.patient, Demo.caregiver, Demo.admin] {
                let r = try await app.send(.POST, "/api/v1/patients/\(id)/notes", token: app.token(email), json: ["kind": "follow-up", "body": [:]])
                #expect(r.status == .forbidden, "\(email)")
            }
            for email in [Demo.patient2, Demo.unverified, Demo.platform] {
                #expect(try await app.send(.GET, "/api/v1/patients/\(id)/notes", token: app.token(email)).status == .notFound, "\(email)")
            }
            #expect(try await app.send(.GET, "/api/v1/patients/\(id)/notes", token: app.token(Demo.admin)).status == .forbidden)
            // A second care-team therapist may read but not sign another's draft.
            let therapist = try await app.token(Demo.therapist)
            let draft = try await app.send(.POST, "/api/v1/patients/\(id)/notes", token: therapist, json: ["kind": "follow-up", "body": ["subjective": "x"]])
            let noteID = try #require(draft.object["id"] as? String)
            let sam = try await app.therapistID(of: Demo.unverified)
            let admin = try await app.token(Demo.admin)
            _ = try await app.send(.POST, "/api/v1/therapists/\(sam)/verification", token: admin, json: ["decision": "verified"])
            _ = try await app.send(.POST, "/api/v1/patients/\(id)/care-team", token: admin, json: ["therapistId": sam])
            let other = try await app.token(Demo.unverified)
            #expect(try await app.send(.GET, "/api/v1/patients/\(id)/notes/\(noteID)", token: other).status == .ok)
            let steal = try await app.send(.POST, "/api/v1/patients/\(id)/notes/\(noteID)/sign", token: other)
            #expect(steal.status == .forbidden)
            #expect(steal.errorCode == "not-author")
        }
    }

    @Test func dischargeSummaryShowsOutcomeChangeAndGoalsMet() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            // An initial evaluation with goals, signed.
            let eval = try await app.send(.POST, "/api/v1/patients/\(id)/notes", token: therapist, json: ["kind": "initial-evaluation", "body": Self.evaluation])
            _ = try await app.send(.POST, "/api/v1/patients/\(id)/notes/\(eval.object["id"] as! String)/sign", token: therapist)
            // Two NPRS results: 7 then 3 (improvement 4 ≥ 2 points → meaningful).
            let a = try await app.send(.POST, "/api/v1/patients/\(id)/measures", token: therapist, json: ["code": "nprs", "schedule": "every-weeks", "intervalWeeks": 1])
            let assignmentID = try #require(a.object["id"] as? String)
            _ = try await app.send(.POST, "/api/v1/patients/\(id)/measures/\(assignmentID)/responses", token: app.token(Demo.patient), json: ["answers": [7]])
            let first = try #require(try await MeasureResponseModel.query(on: app.db).first())
            first.completedAt = Date().addingTimeInterval(-8 * 86_400)
            try await first.update(on: app.db)
            let assignment = try #require(try await MeasureAssignmentModel.find(UUID(uuidString: assignmentID), on: app.db))
            assignment.assignedAt = Date().addingTimeInterval(-8 * 86_400)
            try await assignment.update(on: app.db)
            _ = try await app.send(.POST, "/api/v1/patients/\(id)/measures/\(assignmentID)/responses", token: app.token(Demo.patient), json: ["answers": [3]])
            // The discharge template starts from the evaluation's goals.
            var template = try await app.send(.GET, "/api/v1/patients/\(id)/notes/template?kind=discharge", token: therapist).object
            var plan = template["plan"] as? [String: Any] ?? [:]
            var goals = plan["goals"] as? [[String: Any]] ?? []
            #expect(goals.count == 2)
            goals[0]["status"] = "met"
            goals[1]["status"] = "partially-met"
            plan["goals"] = goals
            template["plan"] = plan
            let discharge = try await app.send(.POST, "/api/v1/patients/\(id)/notes", token: therapist, json: ["kind": "discharge", "body": template])
            let signed = try await app.send(.POST, "/api/v1/patients/\(id)/notes/\(discharge.object["id"] as! String)/sign", token: therapist)
            #expect(signed.status == .ok, "\(signed.text)")
            let outcomes = signed.object["outcomes"] as? [[String: Any]] ?? []
            #expect(outcomes.first?["code"] as? String == "nprs")
            #expect(outcomes.first?["improvement"] as? Double == 4)
            #expect(outcomes.first?["meaningful"] as? Bool == true)
            let summary = signed.object["goals"] as? [String: Any]
            #expect(summary?["met"] as? Int == 1 && summary?["partiallyMet"] as? Int == 1 && summary?["notMet"] as? Int == 0)
        }
    }
}
