import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

@Suite struct CareTeamTests {
    @Test func listIsReadableByThoseWhoMayViewTheRecord() async throws {
        try await withTestApp { app in
            let id = try await app.patientID(of: Demo.patient)
            for email in [Demo.patient, Demo.caregiver, Demo.therapist, Demo.admin] {
                let r = try await app.send(.GET, "/api/v1/patients/\(id)/care-team", token: app.token(email))
                #expect(r.status == .ok, "\(email)")
                #expect(r.array.map { $0["name"] as? String } == ["Dana Whitaker, PT, DPT"])
            }
            for email in [Demo.patient2, Demo.unverified, Demo.platform] {
                let r = try await app.send(.GET, "/api/v1/patients/\(id)/care-team", token: app.token(email))
                #expect(r.status == .notFound, "\(email)")
            }
        }
    }

    @Test func unverifiedTherapistCannotJoinUntilVerified() async throws {
        try await withTestApp { app in
            let patient = try await app.patientID(of: Demo.patient)
            let sam = try await app.therapistID(of: Demo.unverified)
            let admin = try await app.token(Demo.admin)
            let refused = try await app.send(.POST, "/api/v1/patients/\(patient)/care-team", token: admin, json: ["therapistId": sam])
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "therapist-unverified")
            let verified = try await app.send(.POST, "/api/v1/therapists/\(sam)/verification", token: admin, json: ["decision": "verified"])
            #expect(verified.status == .ok)
            #expect(verified.object["verification"] as? String == "verified")
            let added = try await app.send(.POST, "/api/v1/patients/\(patient)/care-team", token: admin, json: ["therapistId": sam])
            #expect(added.status == .created)
            #expect(added.array.count == 2)
            let again = try await app.send(.POST, "/api/v1/patients/\(patient)/care-team", token: admin, json: ["therapistId": sam])
            #expect(again.status == .conflict)
            let samToken = try await app.token(Demo.unverified)
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)", token: samToken).status == .ok)
        }
    }

    @Test func therapistWithOnlyExpiredLicencesCannotJoin() async throws {
        try await withTestApp { app in
            let patient = try await app.patientID(of: Demo.patient)
            let sam = try await app.therapistID(of: Demo.unverified)
            let model = try #require(try await TherapistModel.find(UUID(uuidString: sam), on: app.db))
            model.verification = .verified
            try await model.update(on: app.db)
            try await LicenseModel.query(on: app.db).filter(\.$therapist.$id == model.requireID()).set(\.$expiresOn, to: "2020-01-01").update()
            let r = try await app.send(.POST, "/api/v1/patients/\(patient)/care-team", token: app.token(Demo.admin), json: ["therapistId": sam])
            #expect(r.status == .forbidden)
            #expect(r.errorCode == "license-expired")
        }
    }

    @Test(arguments: [Demo.patient, Demo.caregiver, Demo.therapist])
    func onlyClinicAdminsManageTheTeam(email: String) async throws {
        try await withTestApp { app in
            let patient = try await app.patientID(of: Demo.patient)
            let dana = try await app.therapistID(of: Demo.therapist)
            let token = try await app.token(email)
            let remove = try await app.send(.DELETE, "/api/v1/patients/\(patient)/care-team/\(dana)", token: token)
            #expect(remove.status == .forbidden, "may view, so 403 rather than 404")
            let add = try await app.send(.POST, "/api/v1/patients/\(patient)/care-team", token: token, json: ["therapistId": dana])
            #expect(add.status == .forbidden)
        }
    }

    @Test func addingRequiresATherapistOfThePatientsClinic() async throws {
        try await withTestApp { app in
            let patient = try await app.patientID(of: Demo.patient)
            let admin = try await app.token(Demo.admin)
            let r = try await app.send(.POST, "/api/v1/patients/\(patient)/care-team", token: admin, json: ["therapistId": UUID().uuidString])
            #expect(r.status == .unprocessableEntity)
            let bad = try await app.send(.POST, "/api/v1/patients/\(patient)/care-team", token: admin, json: ["therapistId": 12])
            #expect(bad.status == .unprocessableEntity)
        }
    }
}

@Suite struct CaregiverTests {
    func registerCaregiver(_ app: Application, email: String = "helper@example.com") async throws -> String {
        let clinic = try await app.send(.GET, "/api/v1/clinics").array.first?["id"] as? String ?? ""
        let r = try await app.send(.POST, "/api/v1/accounts", json: [
            "email": email, "password": "a long helper phrase", "name": "Helper Person", "role": "caregiver", "clinicId": clinic,
        ])
        #expect(r.status == .created, "\(r.text)")
        return try await app.token(email, password: "a long helper phrase")
    }

    static var nextMonth: String { isoDay(Date().addingTimeInterval(30 * 86_400)) }

    @Test func patientLinksScopedCaregiverAndRevokes() async throws {
        try await withTestApp { app in
            let helper = try await registerCaregiver(app)
            let patient = try await app.patientID(of: Demo.patient2)
            let owner = try await app.token(Demo.patient2)
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)", token: helper).status == .notFound)
            let link = try await app.send(.POST, "/api/v1/patients/\(patient)/caregivers", token: owner, json: [
                "caregiverEmail": "Helper@Example.com", "scopes": ["view", "message"], "expiresOn": Self.nextMonth,
            ])
            #expect(link.status == .created, "\(link.text)")
            #expect(link.object["scopes"] as? [String] == ["view", "message"])
            #expect(link.object["active"] as? Bool == true)
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)", token: helper).status == .ok)
            let twice = try await app.send(.POST, "/api/v1/patients/\(patient)/caregivers", token: owner, json: [
                "caregiverEmail": "helper@example.com", "scopes": ["view"], "expiresOn": Self.nextMonth,
            ])
            #expect(twice.status == .conflict)
            let linkID = try #require(link.object["id"] as? String)
            let revoked = try await app.send(.DELETE, "/api/v1/patients/\(patient)/caregivers/\(linkID)", token: owner)
            #expect(revoked.status == .ok)
            #expect(revoked.object["active"] as? Bool == false)
            #expect(try await app.send(.GET, "/api/v1/patients/\(patient)", token: helper).status == .notFound)
            let list = try await app.send(.GET, "/api/v1/patients/\(patient)/caregivers", token: owner)
            #expect(list.array.count == 1 && list.array[0]["revokedAt"] != nil, "revoked links stay on record")
        }
    }

    @Test func clinicAdminMayLinkACaregiverToo() async throws {
        try await withTestApp { app in
            _ = try await registerCaregiver(app)
            let patient = try await app.patientID(of: Demo.patient2)
            let r = try await app.send(.POST, "/api/v1/patients/\(patient)/caregivers", token: app.token(Demo.admin), json: [
                "caregiverEmail": "helper@example.com", "scopes": ["book-visits"], "expiresOn": Self.nextMonth,
            ])
            #expect(r.status == .created)
        }
    }

    @Test(arguments: [
        (["view"], "2001-01-01", "expiry-in-past"),
        ([], "NEXT", "scopes-missing"),
        (["view", "everything"], "NEXT", "scope-invalid"),
        (["view"], "next week", "date-invalid"),
        (["view"], "2099-01-01", "expiry-too-far"),
    ])
    func badLinksAreRefusedWithReasons(scopes: [String], expires: String, code: String) async throws {
        try await withTestApp { app in
            _ = try await registerCaregiver(app)
            let patient = try await app.patientID(of: Demo.patient2)
            let r = try await app.send(.POST, "/api/v1/patients/\(patient)/caregivers", token: app.token(Demo.patient2), json: [
                "caregiverEmail": "helper@example.com", "scopes": scopes, "expiresOn": expires == "NEXT" ? Self.nextMonth : expires,
            ])
            #expect(r.status == .unprocessableEntity)
            #expect(r.errorCode == code)
        }
    }

    @Test func onlyCaregiverAccountsCanBeLinked() async throws {
        try await withTestApp { app in
            let patient = try await app.patientID(of: Demo.patient2)
            let r = try await app.send(.POST, "/api/v1/patients/\(patient)/caregivers", token: app.token(Demo.patient2), json: [
                "caregiverEmail": Demo.therapist, "scopes": ["view"], "expiresOn": Self.nextMonth,
            ])
            #expect(r.errorCode == "caregiver-not-found")
        }
    }

    @Test(arguments: [Demo.caregiver, Demo.therapist, Demo.patient2, Demo.platform, Demo.unverified])
    func othersCannotManageCaregivers(email: String) async throws {
        try await withTestApp { app in
            let patient = try await app.patientID(of: Demo.patient)
            let link = try #require(try await CaregiverLinkModel.query(on: app.db).first())
            let r = try await app.send(.DELETE, "/api/v1/patients/\(patient)/caregivers/\(link.requireID())", token: app.token(email))
            #expect([HTTPStatus.forbidden, .notFound].contains(r.status), "\(email): \(r.status)")
            let reloaded = try await CaregiverLinkModel.find(link.id, on: app.db)
            #expect(reloaded?.revokedAt == nil)
        }
    }
}
