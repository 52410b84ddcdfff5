import Foundation
import Fluent
import SQLKit
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

@Suite struct AuditTests {
    @Test func readsAndDenialsAreAuditedWithWhoWhatWhereAndOutcome() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            let stranger = try await app.token(Demo.patient2)
            _ = try await app.send(.GET, "/api/v1/patients/\(id)", token: therapist)
            _ = try await app.send(.GET, "/api/v1/patients/\(id)", token: stranger)
            let admin = try await app.token(Demo.admin)
            let r = try await app.send(.GET, "/api/v1/audit?patientId=\(id)", token: admin)
            #expect(r.status == .ok)
            let entries = try r.decode(Paginated<AuditEntryDTO>.self).items
            let therapistUser = try await app.me(therapist)["id"] as? String
            let strangerUser = try await app.me(stranger)["id"] as? String
            let allowed = try #require(entries.first { $0.actorUserId?.uuidString == therapistUser && $0.action == "patient.read" })
            #expect(allowed.outcome == "allowed")
            #expect(allowed.patientId?.uuidString == id)
            #expect(allowed.resource == "patient/\(id)")
            #expect(!allowed.clientAddress.isEmpty)
            #expect(allowed.actorRole == "therapist")
            let denied = try #require(entries.first { $0.actorUserId?.uuidString == strangerUser })
            #expect(denied.outcome == "denied")
            #expect(denied.reason == "not-own-record")
            #expect(entries.contains { $0.action == "audit.read" && $0.outcome == "allowed" }, "reading the log is itself logged")
        }
    }

    @Test(arguments: [Demo.patient, Demo.patient2, Demo.caregiver, Demo.therapist, Demo.unverified, Demo.platform])
    func onlyTheClinicAdminReadsTheLog(email: String) async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let token = try await app.token(email)
            let r = try await app.send(.GET, "/api/v1/audit?patientId=\(id)", token: token)
            #expect([HTTPStatus.forbidden, .notFound].contains(r.status), "\(email): \(r.status)")
            let all = try await app.send(.GET, "/api/v1/audit", token: token)
            #expect(all.status == .forbidden)
        }
    }

    @Test func filtersByOutcomeActionAndLimit() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            _ = try await app.send(.GET, "/api/v1/patients/\(id)", token: app.token(Demo.patient2))
            _ = try await app.send(.GET, "/api/v1/patients/\(id)", token: app.token(Demo.therapist))
            let admin = try await app.token(Demo.admin)
            let denied = try await app.send(.GET, "/api/v1/audit?patientId=\(id)&outcome=denied", token: admin).decode(Paginated<AuditEntryDTO>.self).items
            #expect(!denied.isEmpty && denied.allSatisfy { $0.outcome == "denied" })
            let views = try await app.send(.GET, "/api/v1/audit?action=patient.read&limit=2", token: admin).decode(Paginated<AuditEntryDTO>.self)
            #expect(views.items.count == 2 && views.items.allSatisfy { $0.action == "patient.read" })
            #expect(views.metadata.per == 2 && views.metadata.total >= 2)
            #expect(try await app.send(.GET, "/api/v1/audit?limit=0", token: admin).status == .unprocessableEntity)
            #expect(try await app.send(.GET, "/api/v1/audit?limit=abc", token: admin).status.code < 500)
            #expect(try await app.send(.GET, "/api/v1/audit?outcome=maybe", token: admin).status == .unprocessableEntity)
            #expect(try await app.send(.GET, "/api/v1/audit?patientId=xyz", token: admin).status.code < 500)
        }
    }

    @Test func theLogCannotBeChangedOrDeleted() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            _ = try await app.send(.GET, "/api/v1/patients/\(id)", token: app.token(Demo.patient))
            let before = try await AuditEntryModel.query(on: app.db).count()
            #expect(before > 0)
            let sql = try #require(app.db as? any SQLDatabase)
            await #expect(throws: (any Error).self) { try await sql.raw("UPDATE audit_entries SET outcome = 'allowed'").run() }
            await #expect(throws: (any Error).self) { try await sql.raw("DELETE FROM audit_entries").run() }
            #expect(try await AuditEntryModel.query(on: app.db).count() == before)
            for method in [HTTPMethod.DELETE, .PUT, .PATCH] {
                let r = try await app.send(method, "/api/v1/audit", token: app.token(Demo.admin))
                #expect(r.status == .notFound || r.status == .methodNotAllowed)
            }
        }
    }
}
