import Foundation
import Fluent
import SQLKit
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// Races against the real server over sockets, on an SQLite file (as `gonio serve` runs) or on
/// PostgreSQL when DATABASE_URL is set: a state change checks its rule against the row it
/// writes, and identical requests at once take effect once.
@Suite struct ConcurrencyTests {
    /// Sends all requests at once; returns their statuses.
    static func atOnce(_ count: Int, _ request: @escaping @Sendable (Int) async throws -> TestResponse) async throws -> [UInt] {
        try await withThrowingTaskGroup(of: UInt.self) { group in
            for i in 0..<count { group.addTask { try await request(i).status.code } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// A new patient on the demo therapist's care team, with a token.
    static func newPatient(_ app: Application, port: Int, _ n: Int) async throws -> (id: String, token: String) {
        let clinic = try #require(try await app.live(.GET, port: port, "/api/v1/clinics").array
            .first { $0["name"] as? String == "Riverside Physical Therapy" }?["id"] as? String)
        let email = "race-\(n)-\(UUID().uuidString.prefix(8))@example.com"
        let r = try await app.live(.POST, port: port, "/api/v1/accounts", json: [
            "email": email, "password": "racing along today", "name": "Race \(n)", "role": "patient", "clinicId": clinic,
        ])
        #expect(r.status == .created, "\(r.text)")
        let token = try #require(try await app.live(.POST, port: port, "/api/v1/auth/token",
                                                    json: ["email": email, "password": "racing along today"]).object["token"] as? String)
        let id = try #require(try await app.live(.GET, port: port, "/api/v1/me", token: token).object["patientId"] as? String)
        return (id, token)
    }

    @Test func anEditRacingASubmitNeverLeavesARedFlagUnscreened() async throws {
        try await withTestApp(onDisk: true) { app in
            try await app.running { port in
                for round in 0..<10 {
                    let (id, token) = try await Self.newPatient(app, port: port, round)
                    let clear = IntakeAPITests.completeIntake()
                    let chestPain = try jsonText(IntakeAPITests.completeIntake(flags: ["chest-pain": true]))
                    #expect(try await app.live(.PUT, port: port, "/api/v1/patients/\(id)/intake", token: token, json: clear).status == .ok)
                    let statuses = try await Self.atOnce(2) { i in
                        i == 0 ? try await app.live(.PUT, port: port, "/api/v1/patients/\(id)/intake", token: token, body: chestPain)
                               : try await app.live(.POST, port: port, "/api/v1/patients/\(id)/intake/submit", token: token)
                    }
                    #expect(statuses.allSatisfy { $0 == 200 || $0 == 409 }, "\(statuses)")
                    let stored = try #require(try await IntakeModel.query(on: app.db).filter(\.$patient.$id == UUID(uuidString: id)!).first())
                    if stored.status == .submitted {
                        let screened = IntakeRules.triage(stored.data.value)
                        #expect(stored.triageOutcome == screened.outcome, "round \(round): the stored outcome is the screen of the stored answers")
                        if stored.data.value.redFlags["chest-pain"] == true { #expect(stored.triageOutcome == .emergency) }
                    }
                }
            }
        }
    }

    @Test func anEditRacingASignatureNeverSignsUncheckedContent() async throws {
        try await withTestApp(onDisk: true) { app in
            try await app.running { port in
                let patient = try await app.patientID(of: Demo.patient)
                let therapist = try #require(try await app.live(.POST, port: port, "/api/v1/auth/token",
                                                                json: ["email": Demo.therapist, "password": DemoSeed.password]).object["token"] as? String)
                var withoutDiagnosis = NotesAPITests.evaluation
                var assessment = withoutDiagnosis["assessment"] as! [String: Any]
                assessment["diagnosis"] = ""
                withoutDiagnosis["assessment"] = assessment
                let edit = try jsonText(["body": withoutDiagnosis])
                for round in 0..<10 {
                    let draft = try await app.live(.POST, port: port, "/api/v1/patients/\(patient)/notes", token: therapist,
                                                   json: ["kind": "initial-evaluation", "body": NotesAPITests.evaluation])
                    let noteID = try #require(draft.object["id"] as? String)
                    let statuses = try await Self.atOnce(2) { i in
                        i == 0 ? try await app.live(.PUT, port: port, "/api/v1/patients/\(patient)/notes/\(noteID)", token: therapist,
                                                    body: edit)
                               : try await app.live(.POST, port: port, "/api/v1/patients/\(patient)/notes/\(noteID)/sign", token: therapist)
                    }
                    // The signature is refused (409 signed, 422 no diagnosis) or goes ahead (200).
                    #expect(statuses.allSatisfy { [200, 409, 422].contains($0) }, "round \(round): \(statuses)")
                    let note = try #require(try await ClinicalNoteModel.find(UUID(uuidString: noteID), on: app.db))
                    if note.status == .signed {
                        #expect(throws: Never.self, "round \(round): a signed note passes the signing rules") {
                            try NoteRules.validate(note.body.value, kind: note.kind, forSigning: true)
                        }
                    }
                }
            }
        }
    }

    @Test func fiftyIdenticalSubmitsTakeEffectOnce() async throws {
        try await withTestApp(onDisk: true) { app in
            try await app.running { port in
                let (id, token) = try await Self.newPatient(app, port: port, 0)
                _ = try await app.live(.PUT, port: port, "/api/v1/patients/\(id)/intake", token: token, json: IntakeAPITests.completeIntake())
                let statuses = try await Self.atOnce(50) { _ in
                    try await app.live(.POST, port: port, "/api/v1/patients/\(id)/intake/submit", token: token)
                }
                #expect(statuses.count { $0 == 200 } == 1, "\(statuses)")
                #expect(statuses.allSatisfy { $0 == 200 || $0 == 409 })
                let patientID = try #require(UUID(uuidString: id))
                let entries = try await AuditEntryModel.query(on: app.db).filter(\.$patientID == patientID)
                    .filter(\.$action == "intake.submit").all()
                #expect(entries.count { $0.outcome == .allowed } == 1)
                #expect(entries.count { $0.outcome == .failed } == 49)
            }
        }
    }

    @Test func fiftyIdenticalAssignmentsMakeOneAndOneCompletionIsRecorded() async throws {
        try await withTestApp(onDisk: true) { app in
            try await app.running { port in
                let patient = try await app.patientID(of: Demo.patient)
                let therapist = try #require(try await app.live(.POST, port: port, "/api/v1/auth/token",
                                                                json: ["email": Demo.therapist, "password": DemoSeed.password]).object["token"] as? String)
                let statuses = try await Self.atOnce(50) { _ in
                    try await app.live(.POST, port: port, "/api/v1/patients/\(patient)/measures", token: therapist,
                                       json: ["code": "odi", "schedule": "once"])
                }
                #expect(statuses.count { $0 == 201 } == 1, "\(statuses)")
                #expect(statuses.allSatisfy { $0 == 201 || $0 == 409 })
                let open = try await MeasureAssignmentModel.query(on: app.db).filter(\.$code == "odi").filter(\.$endedAt == nil).all()
                #expect(open.count == 1)
                let token = try #require(try await app.live(.POST, port: port, "/api/v1/auth/token",
                                                            json: ["email": Demo.patient, "password": DemoSeed.password]).object["token"] as? String)
                let assignment = try #require(open.first?.id)
                let completions = try await Self.atOnce(20) { _ in
                    try await app.live(.POST, port: port, "/api/v1/patients/\(patient)/measures/\(assignment)/responses", token: token,
                                       json: ["answers": [3, 2, 1, 2, 1, 2, 1, 0, 2, 2]])
                }
                #expect(completions.count { $0 == 201 } == 1, "\(completions)")
                #expect(try await MeasureResponseModel.query(on: app.db).filter(\.$assignment.$id == assignment).count() == 1)
            }
        }
    }

    /// Guesses sent at once are counted one after another: no more than five reach the password.
    @Test func simultaneousGuessesMeetTheThrottleOneByOne() async throws {
        try await withTestApp(onDisk: true) { app in
            try await app.running { port in
                let statuses = try await Self.atOnce(20) { _ in
                    try await app.live(.POST, port: port, "/api/v1/auth/token", json: ["email": Demo.patient2, "password": "wrong-password-x"])
                }
                #expect(statuses.count { $0 == 401 } == 5, "\(statuses.sorted())")
                #expect(statuses.count { $0 == 429 } == 15)
            }
        }
    }

    /// The guard triggers' refusals are conflicts on both databases (PostgreSQL's RAISE answered 500).
    @Test func aGuardTriggersRefusalIsAConflict() async throws {
        try await withTestApp { app in
            let patient = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            let draft = try await app.send(.POST, "/api/v1/patients/\(patient)/notes", token: therapist,
                                           json: ["kind": "follow-up", "body": ["subjective": "Better"]])
            let noteID = try #require(draft.object["id"] as? String)
            #expect(try await app.send(.POST, "/api/v1/patients/\(patient)/notes/\(noteID)/sign", token: therapist).status == .ok)
            let sql = try #require(app.db as? any SQLDatabase)
            do {
                try await sql.raw("UPDATE clinical_notes SET body = '{}'").run()
                Issue.record("the trigger let a signed note change")
            } catch {
                #expect(GonioErrorMiddleware.describe(error).0 == .conflict, "\(String(reflecting: error))")
            }
            do {
                try await sql.raw("DELETE FROM audit_entries").run()
                Issue.record("the trigger let the audit log shrink")
            } catch {
                #expect(GonioErrorMiddleware.describe(error).0 == .conflict)
            }
        }
    }
}
