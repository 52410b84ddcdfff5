import Vapor
import Fluent
import GonioCore

struct ClinicService {
    let req: Request

    func create(name rawName: String, kind rawKind: String) async throws -> ClinicModel {
        _ = try req.requireUser(.platformAdmin)
        let name = try AccountRules.validatedName(rawName, field: "clinic name", code: "clinic-name")
        guard let kind = ClinicKind(rawValue: rawKind) else {
            throw DomainError.invalid("clinic-kind-invalid", "Kind must be hospital-department, private-practice or telehealth-provider.")
        }
        if try await ClinicModel.query(on: req.db).filter(\.$name == name).count() > 0 {
            throw DomainError.conflict("clinic-exists", "A clinic with that name already exists.")
        }
        let clinic = ClinicModel(name: name, kind: kind.rawValue)
        // The unique index (M0005) decides when two requests race past the check above.
        try await insertingUniquely(or: .conflict("clinic-exists", "A clinic with that name already exists.")) {
            try await clinic.create(on: req.db)
        }
        return clinic
    }

    /// A platform admin creates a clinic admin account for a clinic. The person signs in with
    /// the initial password and should change it (the account page offers that).
    func addAdmin(clinicID: UUID, name rawName: String, email rawEmail: String, password: String) async throws -> UserModel {
        _ = try req.requireUser(.platformAdmin)
        guard try await ClinicModel.find(clinicID, on: req.db) != nil else {
            throw DomainError.notFound("clinic-not-found", "No clinic with that id.")
        }
        let email = try AccountRules.normalizedEmail(rawEmail)
        let name = try AccountRules.validatedName(rawName)
        try AccountRules.validatePassword(password, email: email)
        if try await UserModel.query(on: req.db).filter(\.$email == email).count() > 0 {
            throw DomainError.conflict("email-taken", "An account with that email already exists.")
        }
        let cost = req.config.passwordCost
        let hash = try await req.application.threadPool.runIfActive { try PasswordHasher.hash(password, cost: cost) }
        return try await req.db.transaction { db in
            let user = UserModel(email: email, name: name, role: Role.clinicAdmin.rawValue, passwordHash: hash)
            try await insertingUniquely(or: .conflict("email-taken", "An account with that email already exists.")) {
                try await user.create(on: db)
            }
            try await ClinicMembershipModel(clinicID: clinicID, userID: user.requireID(), role: Role.clinicAdmin.rawValue).create(on: db)
            return user
        }
    }

    struct Overview {
        var clinic: ClinicModel
        var therapists: Int
        var admins: Int
        var patients: Int
    }

    /// Counts only: platform admins run clinics and never see patient records.
    func overview() async throws -> [Overview] {
        _ = try req.requireUser(.platformAdmin)
        let clinics = try await ClinicModel.query(on: req.db).sort(\.$name).all()
        var result: [Overview] = []
        for clinic in clinics {
            let id = try clinic.requireID()
            let members = try await ClinicMembershipModel.query(on: req.db).filter(\.$clinicID == id).all()
            let patients = try await PatientModel.query(on: req.db).filter(\.$clinicID == id).count()
            result.append(Overview(clinic: clinic, therapists: members.count { $0.role == Role.therapist.rawValue },
                                   admins: members.count { $0.role == Role.clinicAdmin.rawValue }, patients: patients))
        }
        return result
    }
}
