import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

@Suite struct MeasureAssignmentTests {
    @Test func therapistAssignsPatientCompletesAndChangeIsShown() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            let assigned = try await app.send(.POST, "/api/v1/patients/\(id)/measures", token: therapist,
                                              json: ["code": "odi", "schedule": "every-weeks", "intervalWeeks": 2])
            #expect(assigned.status == .created)
            #expect(assigned.object["due"] as? Bool == true)
            let assignmentID = try #require(assigned.object["id"] as? String)
            let patient = try await app.token(Demo.patient)
            // First administration: 20/50 → 40 % (moderate).
            let first = try await app.send(.POST, "/api/v1/patients/\(id)/measures/\(assignmentID)/responses", token: patient,
                                           json: ["answers": [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]])
            #expect(first.status == .created)
            #expect((first.object["results"] as? [[String: Any]])?.first?["score"] as? Double == 40)
            #expect(first.object["due"] as? Bool == false)
            let early = try await app.send(.POST, "/api/v1/patients/\(id)/measures/\(assignmentID)/responses", token: patient,
                                           json: ["answers": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]])
            #expect(early.status == .conflict)
            #expect(early.errorCode == "measure-not-due")
            // Two weeks later the next one is due: move the first back in time.
            let response = try #require(try await MeasureResponseModel.query(on: app.db).first())
            let assignment = try #require(try await MeasureAssignmentModel.find(UUID(uuidString: assignmentID), on: app.db))
            assignment.assignedAt = Date().addingTimeInterval(-15 * 86_400)
            try await assignment.update(on: app.db)
            response.completedAt = Date().addingTimeInterval(-15 * 86_400)
            try await response.update(on: app.db)
            // Second: 14/50 → 28 %; improvement 12 points ≥ MCID 10 → meaningful.
            let second = try await app.send(.POST, "/api/v1/patients/\(id)/measures/\(assignmentID)/responses", token: app.token(Demo.caregiver),
                                            json: ["answers": [2, 2, 2, 2, 1, 1, 1, 1, 1, 1]])
            #expect(second.status == .created, "\(second.text)")
            let change = try #require(second.object["changeSinceFirst"] as? [String: Any])
            #expect(change["difference"] as? Double == -12)
            #expect(change["improvement"] as? Double == 12)
            #expect(change["meaningful"] as? Bool == true)
            #expect((change["threshold"] as? String)?.contains("Ostelo") == true)
            let list = try await app.send(.GET, "/api/v1/patients/\(id)/measures", token: therapist)
            #expect(list.array.count == 1)
            #expect((list.array.first?["results"] as? [Any])?.count == 2)
        }
    }

    @Test func performanceTestsAreRecordedByTheTherapistOnly() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            let tug = try await app.send(.POST, "/api/v1/patients/\(id)/measures", token: therapist, json: ["code": "tug", "schedule": "once"])
            let assignmentID = try #require(tug.object["id"] as? String)
            let byPatient = try await app.send(.POST, "/api/v1/patients/\(id)/measures/\(assignmentID)/responses", token: app.token(Demo.patient),
                                               json: ["answers": [10.5]])
            #expect(byPatient.status == .forbidden)
            let recorded = try await app.send(.POST, "/api/v1/patients/\(id)/measures/\(assignmentID)/responses", token: therapist,
                                              json: ["answers": [13.4]])
            #expect(recorded.status == .created)
            #expect((recorded.object["results"] as? [[String: Any]])?.first?["interpretation"] as? String == "At risk of falling (12 s or more, CDC STEADI)")
        }
    }

    @Test func onlyCareTeamTherapistsAssign() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            for email in [Demo.patient, Demo.caregiver, Demo.admin] {
                let r = try await app.send(.POST, "/api/v1/patients/\(id)/measures", token: app.token(email), json: ["code": "odi", "schedule": "once"])
                #expect(r.status == .forbidden, "\(email)")
            }
            for email in [Demo.patient2, Demo.unverified, Demo.platform] {
                let r = try await app.send(.POST, "/api/v1/patients/\(id)/measures", token: app.token(email), json: ["code": "odi", "schedule": "once"])
                #expect(r.status == .notFound, "\(email)")
                #expect(try await app.send(.GET, "/api/v1/patients/\(id)/measures", token: app.token(email)).status == .notFound)
            }
        }
    }

    @Test func badAssignmentsAndAnswersAreRefused() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            #expect(try await app.send(.POST, "/api/v1/patients/\(id)/measures", token: therapist, json: ["code": "sf36", "schedule": "once"]).errorCode == "measure-invalid")
            #expect(try await app.send(.POST, "/api/v1/patients/\(id)/measures", token: therapist, json: ["code": "odi", "schedule": "every-weeks"]).errorCode == "interval-invalid")
            let a = try await app.send(.POST, "/api/v1/patients/\(id)/measures", token: therapist, json: ["code": "lefs", "schedule": "once"])
            #expect(try await app.send(.POST, "/api/v1/patients/\(id)/measures", token: therapist, json: ["code": "lefs", "schedule": "once"]).status == .conflict)
            let assignmentID = try #require(a.object["id"] as? String)
            let patient = try await app.token(Demo.patient)
            let missing = try await app.send(.POST, "/api/v1/patients/\(id)/measures/\(assignmentID)/responses", token: patient,
                                             json: ["answers": Array(repeating: 3, count: 19)])
            #expect(missing.errorCode == "answer-count")
            #expect(try await app.send(.POST, "/api/v1/patients/\(id)/measures/\(UUID())/responses", token: patient, json: ["answers": [1]]).status == .notFound)
            #expect(try await MeasureResponseModel.query(on: app.db).count() == 0, "nothing half-saved")
        }
    }
}

@Suite struct DischargeMeasureTests {
    @Test func atDischargeMeasuresBecomeDueWhenTheDischargeStarts() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            let a = try await app.send(.POST, "/api/v1/patients/\(id)/measures", token: therapist, json: ["code": "lefs", "schedule": "at-discharge"])
            #expect(a.object["due"] as? Bool == false)
            _ = try await app.send(.POST, "/api/v1/patients/\(id)/notes", token: therapist, json: ["kind": "discharge", "body": [:]])
            let list = try await app.send(.GET, "/api/v1/patients/\(id)/measures", token: therapist).array
            #expect(list.first?["due"] as? Bool == true)
        }
    }
}
