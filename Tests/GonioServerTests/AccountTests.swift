import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

@Suite struct RegistrationTests {
    func clinicID(_ app: Application) async throws -> String {
        try await app.send(.GET, "/api/v1/clinics").array.first { $0["name"] as? String == "Riverside Physical Therapy" }?["id"] as? String ?? ""
    }

    @Test func patientRegistersAndSeesOnlyThemself() async throws {
        try await withTestApp { app in
            let r = try await app.send(.POST, "/api/v1/accounts", json: [
                "email": " New.Patient@Example.com ", "password": "walking again soon", "name": "New Patient", "role": "patient",
                "clinicId": try await clinicID(app), "dateOfBirth": "1970-05-06", "location": "OR",
            ])
            #expect(r.status == .created)
            #expect(r.object["role"] as? String == "patient")
            let token = try await app.token("new.patient@example.com", password: "walking again soon")
            let list = try await app.send(.GET, "/api/v1/patients", token: token).array
            #expect(list.count == 1)
            #expect(list.first?["location"] as? String == "US-OR")
            let admin = try await app.send(.GET, "/api/v1/patients", token: app.token(Demo.admin)).array
            #expect(admin.count == 3, "the clinic admin now sees the new patient")
        }
    }

    @Test func therapistApplicantIsPendingWithCredentials() async throws {
        try await withTestApp { app in
            let r = try await app.send(.POST, "/api/v1/accounts", json: [
                "email": "pt@example.com", "password": "movement is medicine", "name": "Lee Park, PT", "role": "therapist",
                "clinicId": try await clinicID(app),
                "licenses": [["number": "co-99812", "type": "PT", "jurisdiction": "US-CO", "expiresOn": "2030-01-31", "isHomeState": true]],
                "compactPrivileges": [["jurisdiction": "UT", "expiresOn": "2030-01-31"]],
            ])
            #expect(r.status == .created, "\(r.text)")
            let token = try await app.token("pt@example.com", password: "movement is medicine")
            let me = try await app.me(token)
            #expect(me["therapistVerification"] as? String == "pending")
            let therapist = try await app.send(.GET, "/api/v1/therapists/\(me["therapistId"] as! String)", token: token)
            let licenses = therapist.object["licenses"] as? [[String: Any]] ?? []
            #expect(licenses.first?["number"] as? String == "CO-99812")
            #expect(licenses.first?["jurisdiction"] as? String == "US-CO")
            #expect((therapist.object["compactPrivileges"] as? [[String: Any]])?.first?["jurisdiction"] as? String == "US-UT")
            #expect(try await app.send(.GET, "/api/v1/patients", token: token).array.isEmpty)
            let queue = try await app.send(.GET, "/api/v1/therapists?status=pending", token: app.token(Demo.admin)).array
            #expect(Set(queue.compactMap { $0["email"] as? String }) == ["pt@example.com", Demo.unverified])
        }
    }

    @Test(arguments: [
        ("patient", "short", "password-too-short"),
        ("patient", "password1234", "password-common"),
        ("admin", "a fine long phrase", "role-invalid"),
        ("platform-admin", "a fine long phrase", "role-invalid"),
        ("clinic-admin", "a fine long phrase", "role-invalid"),
        ("therapist", "a fine long phrase", "license-missing"),
    ])
    func badRegistrationsAreRefused(role: String, password: String, code: String) async throws {
        try await withTestApp { app in
            let r = try await app.send(.POST, "/api/v1/accounts", json: [
                "email": "x@example.com", "password": password, "name": "X", "role": role, "clinicId": try await clinicID(app),
            ])
            #expect(r.status == .unprocessableEntity)
            #expect(r.errorCode == code)
            #expect(try await UserModel.query(on: app.db).filter(\.$email == "x@example.com").count() == 0)
        }
    }

    @Test func credentialRulesComeFromCore() async throws {
        try await withTestApp { app in
            let clinic = try await clinicID(app)
            func attempt(_ licences: [[String: Any]], _ privileges: [[String: Any]] = []) async throws -> String? {
                try await app.send(.POST, "/api/v1/accounts", json: [
                    "email": "pt@example.com", "password": "movement is medicine", "name": "Lee", "role": "therapist",
                    "clinicId": clinic, "licenses": licences, "compactPrivileges": privileges,
                ]).errorCode
            }
            let ca = ["number": "1234", "type": "PT", "jurisdiction": "US-CA", "expiresOn": "2030-01-01", "isHomeState": true] as [String: Any]
            #expect(try await attempt([ca], [["jurisdiction": "WA", "expiresOn": "2030-01-01"]]) == "home-state-not-compact")
            #expect(try await attempt([ca.merging(["jurisdiction": "Narnia"]) { $1 }]) == "jurisdiction-invalid")
            #expect(try await attempt([ca.merging(["type": "MD"]) { $1 }]) == "license-type-invalid")
            #expect(try await attempt([ca.merging(["expiresOn": "2030-02-30"]) { $1 }]) == "date-invalid")
        }
    }

    @Test func emailsAreUniqueIgnoringCase() async throws {
        try await withTestApp { app in
            let r = try await app.send(.POST, "/api/v1/accounts", json: [
                "email": "PATIENT@example.com", "password": "another long phrase", "name": "Dup", "role": "patient",
                "clinicId": try await clinicID(app),
            ])
            #expect(r.status == .conflict)
            #expect(r.errorCode == "email-taken")
        }
    }

    @Test func unknownClinicIsRefused() async throws {
        try await withTestApp { app in
            let r = try await app.send(.POST, "/api/v1/accounts", json: [
                "email": "y@example.com", "password": "another long phrase", "name": "Y", "role": "patient", "clinicId": UUID().uuidString,
            ])
            #expect(r.errorCode == "clinic-invalid")
        }
    }
}

@Suite struct VerificationTests {
    @Test func adminRejectsWithAReasonTheTherapistCanSee() async throws {
        try await withTestApp { app in
            let sam = try await app.therapistID(of: Demo.unverified)
            let admin = try await app.token(Demo.admin)
            let noReason = try await app.send(.POST, "/api/v1/therapists/\(sam)/verification", token: admin, json: ["decision": "rejected"])
            #expect(noReason.status == .unprocessableEntity)
            #expect(noReason.errorCode == "reason-missing")
            let rejected = try await app.send(.POST, "/api/v1/therapists/\(sam)/verification", token: admin,
                                              json: ["decision": "rejected", "reason": "Licence number not found on the Texas board."])
            #expect(rejected.status == .ok)
            let own = try await app.send(.GET, "/api/v1/therapists/\(sam)", token: app.token(Demo.unverified))
            #expect(own.object["verification"] as? String == "rejected")
            #expect(own.object["decisionReason"] as? String == "Licence number not found on the Texas board.")
            let bad = try await app.send(.POST, "/api/v1/therapists/\(sam)/verification", token: admin, json: ["decision": "pending"])
            #expect(bad.errorCode == "decision-invalid")
        }
    }

    @Test(arguments: [Demo.therapist, Demo.unverified, Demo.patient, Demo.caregiver, Demo.platform])
    func onlyClinicAdminsDecide(email: String) async throws {
        try await withTestApp { app in
            let sam = try await app.therapistID(of: Demo.unverified)
            let r = try await app.send(.POST, "/api/v1/therapists/\(sam)/verification", token: app.token(email), json: ["decision": "verified"])
            #expect(r.status == .forbidden)
            let model = try await TherapistModel.find(UUID(uuidString: sam), on: app.db)
            #expect(model?.verification == .pending)
        }
    }

    @Test func therapistRecordsAreVisibleToSelfAndTheirClinicAdminsOnly() async throws {
        try await withTestApp { app in
            let dana = try await app.therapistID(of: Demo.therapist)
            #expect(try await app.send(.GET, "/api/v1/therapists/\(dana)", token: app.token(Demo.therapist)).status == .ok)
            let viaAdmin = try await app.send(.GET, "/api/v1/therapists/\(dana)", token: app.token(Demo.admin))
            #expect(viaAdmin.status == .ok)
            let privileges = (viaAdmin.object["compactPrivileges"] as? [[String: Any]] ?? []).compactMap { $0["jurisdiction"] as? String }
            #expect(Set(privileges) == ["US-WA", "US-AZ"])
            let licences = viaAdmin.object["licenses"] as? [[String: Any]] ?? []
            #expect(licences.contains { $0["jurisdiction"] as? String == "US-OR" && $0["isHomeState"] as? Bool == true })
            for email in [Demo.unverified, Demo.patient, Demo.caregiver, Demo.platform] {
                #expect(try await app.send(.GET, "/api/v1/therapists/\(dana)", token: app.token(email)).status == .notFound)
            }
            #expect(try await app.send(.GET, "/api/v1/therapists", token: app.token(Demo.therapist)).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/therapists?status=maybe", token: app.token(Demo.admin)).status == .unprocessableEntity)
        }
    }
}

@Suite struct ClinicTests {
    @Test func anyoneListsClinicsForRegistration() async throws {
        try await withTestApp { app in
            let list = try await app.send(.GET, "/api/v1/clinics").array
            #expect(Set(list.compactMap { $0["name"] as? String }) == ["Riverside Physical Therapy", "Harbor Telehealth PT"])
        }
    }

    @Test func platformAdminCreatesClinics() async throws {
        try await withTestApp { app in
            let token = try await app.token(Demo.platform)
            let r = try await app.send(.POST, "/api/v1/clinics", token: token, json: ["name": "Mercy Hospital Rehab", "kind": "hospital-department"])
            #expect(r.status == .created)
            #expect(r.object["kind"] as? String == "hospital-department")
            #expect(try await app.send(.POST, "/api/v1/clinics", token: token, json: ["name": "Mercy Hospital Rehab", "kind": "private-practice"]).status == .conflict)
            #expect(try await app.send(.POST, "/api/v1/clinics", token: token, json: ["name": "X", "kind": "spa"]).status == .unprocessableEntity)
            #expect(try await app.send(.POST, "/api/v1/clinics", token: token, json: ["name": "   ", "kind": "spa"]).status == .unprocessableEntity)
            for email in [Demo.admin, Demo.therapist, Demo.patient] {
                let denied = try await app.send(.POST, "/api/v1/clinics", token: app.token(email), json: ["name": "Y", "kind": "private-practice"])
                #expect(denied.status == .forbidden)
            }
        }
    }
}

@Suite struct ClinicAdminAppointmentTests {
    @Test func platformAdminAppointsAClinicAdminWhoThenSeesOnlyTheirClinic() async throws {
        try await withTestApp { app in
            let harbor = try await app.send(.GET, "/api/v1/clinics").array.first { $0["name"] as? String == "Harbor Telehealth PT" }?["id"] as? String ?? ""
            let platform = try await app.token(Demo.platform)
            let r = try await app.send(.POST, "/api/v1/clinics/\(harbor)/admins", token: platform,
                                       json: ["name": "Harbor Boss", "email": "boss@harbor.example", "password": "harbor lights on"])
            #expect(r.status == .created)
            #expect(r.object["role"] as? String == "clinic-admin")
            let boss = try await app.token("boss@harbor.example", password: "harbor lights on")
            #expect(try await app.send(.GET, "/api/v1/patients", token: boss).array.isEmpty)
            #expect(try await app.send(.GET, "/api/v1/therapists", token: boss).array.isEmpty)
            let dup = try await app.send(.POST, "/api/v1/clinics/\(harbor)/admins", token: platform,
                                         json: ["name": "Again", "email": "boss@harbor.example", "password": "harbor lights on"])
            #expect(dup.status == .conflict)
            let missing = try await app.send(.POST, "/api/v1/clinics/\(UUID())/admins", token: platform,
                                             json: ["name": "X", "email": "x@harbor.example", "password": "harbor lights on"])
            #expect(missing.status == .notFound)
            for email in [Demo.admin, Demo.therapist, Demo.patient] {
                let denied = try await app.send(.POST, "/api/v1/clinics/\(harbor)/admins", token: app.token(email),
                                                json: ["name": "Y", "email": "y@harbor.example", "password": "harbor lights on"])
                #expect(denied.status == .forbidden)
            }
        }
    }
}

@Suite struct APIReviewTests {
    @Test func wrongMethodIs405WithAllow() async throws {
        try await withTestApp(seed: false) { app in
            let r = try await app.send(.PUT, "/api/v1/clinics")
            #expect(r.status == .methodNotAllowed)
            #expect(r.headers.first(name: .allow) == "GET, POST")
            let patient = try await app.send(.PATCH, "/api/v1/patients/\(UUID())")
            #expect(patient.status == .methodNotAllowed)
            #expect(patient.headers.first(name: .allow) == "GET")
            #expect(try await app.send(.GET, "/api/v1/nowhere").status == .notFound)
        }
    }

    @Test func anonymousCallersGet401BeforeInputIsRead() async throws {
        try await withTestApp(seed: false) { (app: Application) async throws in
            #expect(try await app.send(.POST, "/api/v1/patients/\(UUID())/care-team", body: "{bad").status == .unauthorized)
            #expect(try await app.send(.POST, "/api/v1/patients/not-an-id/caregivers", json: [:]).status == .unauthorized)
            #expect(try await app.send(.GET, "/api/v1/therapists?status=bogus").status == .unauthorized)
            #expect(try await app.send(.GET, "/api/v1/therapists/not-an-id").status == .unauthorized)
        }
    }

    @Test func nonAdminsGet403ForTheTherapistListWhateverTheQuery() async throws {
        try await withTestApp { (app: Application) async throws in
            #expect(try await app.send(.GET, "/api/v1/therapists?status=bogus", token: app.token(Demo.patient)).status == .forbidden)
        }
    }

    @Test func auditTimeFiltersTakeISO8601() async throws {
        try await withTestApp { app in
            let admin = try await app.token(Demo.admin)
            let id = try await app.patientID(of: Demo.patient)
            _ = try await app.send(.GET, "/api/v1/patients/\(id)", token: admin)
            let now = ISO8601DateFormatter().string(from: Date().addingTimeInterval(60))
            let past = try await app.send(.GET, "/api/v1/audit?from=2000-01-01T00:00:00Z&to=\(now)", token: admin)
            #expect(past.status == .ok)
            #expect(!past.array.isEmpty)
            let future = try await app.send(.GET, "/api/v1/audit?from=2999-01-01T00:00:00Z", token: admin)
            #expect(future.array.isEmpty)
            let bad = try await app.send(.GET, "/api/v1/audit?from=yesterday", token: admin)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.errorCode == "from-invalid")
        }
    }

    @Test func expiredLicencesAreRefusedAtRegistration() async throws {
        try await withTestApp { app in
            let clinic = try await app.send(.GET, "/api/v1/clinics").array.first?["id"] as? String ?? ""
            let r = try await app.send(.POST, "/api/v1/accounts", json: [
                "email": "old@example.com", "password": "movement is medicine", "name": "Old Licence", "role": "therapist",
                "clinicId": clinic,
                "licenses": [["number": "1234", "type": "PT", "jurisdiction": "US-CA", "expiresOn": "2020-01-31"]],
            ])
            #expect(r.errorCode == "license-already-expired")
        }
    }

    @Test func caregiversRegisterWithoutAClinic() async throws {
        try await withTestApp { app in
            let r = try await app.send(.POST, "/api/v1/accounts", json: [
                "email": "carer@example.com", "password": "a long carer phrase", "name": "Carer", "role": "caregiver",
            ])
            #expect(r.status == .created)
            let patient = try await app.send(.POST, "/api/v1/accounts", json: [
                "email": "p@example.com", "password": "a long carer phrase", "name": "P", "role": "patient",
            ])
            #expect(patient.errorCode == "clinic-invalid")
        }
    }

    @Test func clinicNameErrorsHaveStableCodes() async throws {
        try await withTestApp { app in
            let r = try await app.send(.POST, "/api/v1/clinics", token: app.token(Demo.platform), json: ["name": " ", "kind": "private-practice"])
            #expect(r.errorCode == "clinic-name-missing")
        }
    }

    @Test func racingCaregiverLinksLeaveOneOpenLink() async throws {
        try await withTestApp { app in
            let clinic = try await app.send(.GET, "/api/v1/clinics").array.first?["id"] as? String ?? ""
            _ = try await app.send(.POST, "/api/v1/accounts", json: [
                "email": "racer@example.com", "password": "a long racer phrase", "name": "Racer", "role": "caregiver", "clinicId": clinic,
            ])
            let patient = try await app.patientID(of: Demo.patient2)
            let owner = try await app.token(Demo.patient2)
            let until = isoDay(Date().addingTimeInterval(30 * 86_400))
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await app.send(.POST, "/api/v1/patients/\(patient)/caregivers", token: owner, json: [
                            "caregiverEmail": "racer@example.com", "scopes": ["view"], "expiresOn": until,
                        ]).status.code
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.allSatisfy { $0 == 201 || $0 == 409 }, "\(statuses)")
            let open = try await CaregiverLinkModel.query(on: app.db).filter(\.$revokedAt == nil).all()
            #expect(open.filter { $0.$patient.id.uuidString == patient.uppercased() || $0.$patient.id.uuidString == patient }.count == 1)
        }
    }

    @Test func anExpiredLinkMakesRoomForANewOne() async throws {
        try await withTestApp { app in
            let patient = try await app.patientID(of: Demo.patient)
            let link = try #require(try await CaregiverLinkModel.query(on: app.db).first())
            link.expiresAt = Date().addingTimeInterval(-60)
            try await link.update(on: app.db)
            let r = try await app.send(.POST, "/api/v1/patients/\(patient)/caregivers", token: app.token(Demo.patient), json: [
                "caregiverEmail": Demo.caregiver, "scopes": ["view"], "expiresOn": isoDay(Date().addingTimeInterval(86_400 * 10)),
            ])
            #expect(r.status == .created)
            let list = try await app.send(.GET, "/api/v1/patients/\(patient)/caregivers", token: app.token(Demo.patient)).array
            #expect(list.count == 2)
            #expect(list.filter { $0["active"] as? Bool == true }.count == 1)
        }
    }
}

@Suite struct MethodTests {
    @Test func wrongMethodOnAnyKnownPathIs405() async throws {
        try await withTestApp { app in
            let health = try await app.send(.TRACE, "/health")
            #expect(health.status == .methodNotAllowed)
            #expect(health.headers.first(name: .allow) == "GET")
            let audit = try await app.send(.GET, "/api/v1/audit?to=", token: app.token(Demo.admin))
            #expect(audit.status == .unprocessableEntity, "an empty time is not a time")
        }
    }
}

@Suite struct AllowHeaderTests {
    @Test func constantSegmentsWinOverParameters() async throws {
        try await withTestApp(seed: false) { app in
            let r = try await app.send(.DELETE, "/api/v1/patients/\(UUID())/notes/template")
            #expect(r.status == .methodNotAllowed)
            #expect(r.headers.first(name: .allow) == "GET")
            let note = try await app.send(.DELETE, "/api/v1/patients/\(UUID())/notes/\(UUID())")
            #expect(note.headers.first(name: .allow) == "GET, PUT")
        }
    }
}
