import Foundation
import Fluent
import SQLKit
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// GET /api/v1/patients and /api/v1/patients/{id} for every demo role.
@Suite struct PatientAccessTests {
    /// Which demo patients each demo user may read.
    static let readable: [String: Set<String>] = [
        Demo.patient: [Demo.patient],
        Demo.patient2: [Demo.patient2],
        Demo.caregiver: [Demo.patient],
        Demo.therapist: [Demo.patient, Demo.patient2],
        Demo.unverified: [],
        Demo.admin: [Demo.patient, Demo.patient2],
        Demo.platform: [],
    ]

    @Test(arguments: Demo.everyone)
    func readsFollowThePolicy(email: String) async throws {
        try await withTestApp { app in
            let ids = [Demo.patient: try await app.patientID(of: Demo.patient),
                       Demo.patient2: try await app.patientID(of: Demo.patient2)]
            let token = try await app.token(email)
            let allowed = Self.readable[email]!
            for (owner, id) in ids {
                let r = try await app.send(.GET, "/api/v1/patients/\(id)", token: token)
                if allowed.contains(owner) {
                    #expect(r.status == .ok, "\(email) reads \(owner)")
                    #expect(r.object["id"] as? String == id)
                    #expect(r.object["email"] as? String == owner)
                } else {
                    #expect(r.status == .notFound, "\(email) must not learn that \(owner) exists")
                    #expect(r.errorCode == "patient-not-found")
                }
            }
            let list = try await app.send(.GET, "/api/v1/patients", token: token)
            #expect(list.status == .ok)
            #expect(Set(list.array.compactMap { $0["email"] as? String }) == allowed)
        }
    }

    @Test func unknownAndMalformedIDsAre404() async throws {
        try await withTestApp { app in
            let token = try await app.token(Demo.admin)
            #expect(try await app.send(.GET, "/api/v1/patients/\(UUID())", token: token).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/patients/not-a-uuid", token: token).status == .notFound)
        }
    }

    @Test func anonymousCallersGet401() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            #expect(try await app.send(.GET, "/api/v1/patients/\(id)").status == .unauthorized)
            #expect(try await app.send(.GET, "/api/v1/patients/\(id)/care-team").status == .unauthorized)
            #expect(try await app.send(.GET, "/api/v1/patients/\(id)/caregivers").status == .unauthorized)
        }
    }

    @Test func adminOfAnotherClinicSeesNothing() async throws {
        try await withTestApp { app in
            let db = app.db
            let harbor = try #require(try await ClinicModel.query(on: db).filter(\.$name == "Harbor Telehealth PT").first())
            let otherAdmin = UserModel(email: "harbor-admin@example.com", name: "Harbor Admin", role: .clinicAdmin,
                                       passwordHash: try PasswordHasher.hash(DemoSeed.password, cost: 4))
            try await otherAdmin.create(on: db)
            try await ClinicMembershipModel(clinicID: harbor.requireID(), userID: otherAdmin.requireID(), role: .clinicAdmin).create(on: db)
            let id = try await app.patientID(of: Demo.patient)
            let token = try await app.token("harbor-admin@example.com")
            #expect(try await app.send(.GET, "/api/v1/patients/\(id)", token: token).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/patients", token: token).array.isEmpty)
            #expect(try await app.send(.GET, "/api/v1/audit?patientId=\(id)", token: token).status == .notFound)
        }
    }

    @Test func expiredOrRevokedCaregiverLosesAccess() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let token = try await app.token(Demo.caregiver)
            #expect(try await app.send(.GET, "/api/v1/patients/\(id)", token: token).status == .ok)
            let link = try #require(try await CaregiverLinkModel.query(on: app.db).first())
            link.expiresAt = Date().addingTimeInterval(-1)
            try await link.update(on: app.db)
            #expect(try await app.send(.GET, "/api/v1/patients/\(id)", token: token).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/patients", token: token).array.isEmpty)
        }
    }

    @Test func caregiverWithoutViewScopeCannotRead() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            let link = try #require(try await CaregiverLinkModel.query(on: app.db).first())
            link.scopes = CaregiverScopes([.message, .bookVisits])
            try await link.update(on: app.db)
            let token = try await app.token(Demo.caregiver)
            #expect(try await app.send(.GET, "/api/v1/patients/\(id)", token: token).status == .notFound)
        }
    }

    @Test func therapistRemovedFromCareTeamLosesAccess() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient2)
            let therapistID = try await app.therapistID(of: Demo.therapist)
            let therapist = try await app.token(Demo.therapist)
            #expect(try await app.send(.GET, "/api/v1/patients/\(id)", token: therapist).status == .ok)
            let admin = try await app.token(Demo.admin)
            #expect(try await app.send(.DELETE, "/api/v1/patients/\(id)/care-team/\(therapistID)", token: admin).status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/patients/\(id)", token: therapist).status == .notFound)
        }
    }
}
