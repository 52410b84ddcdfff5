import Vapor
import Fluent
import SQLKit
import GonioCore

/// Clinics and their admins, run by platform admins (who never see patient records).
struct ClinicService {
    let ctx: CallContext

    static let exists = DomainError.conflict("clinic-exists", "A clinic with that name already exists.")

    func create(name rawName: String, kind rawKind: String) async throws -> ClinicModel {
        _ = try ctx.requireUser(.platformAdmin)
        let name = try AccountRules.validatedName(rawName, field: "clinic name", code: "clinic-name")
        guard let kind = ClinicKind(rawValue: rawKind) else {
            throw DomainError.invalid("clinic-kind-invalid", "Kind must be hospital-department, private-practice or telehealth-provider.")
        }
        if try await ClinicModel.query(on: ctx.db).filter(\.$name == name).count() > 0 { throw Self.exists }
        let clinic = ClinicModel(name: name, kind: kind)
        // The unique index (M0005) decides when two requests race past the check above.
        try await insertingUniquely(or: Self.exists) { try await clinic.create(on: ctx.db) }
        return clinic
    }

    /// A platform admin creates a clinic admin account for a clinic. The person signs in with
    /// the initial password and should change it (the account page offers that).
    func addAdmin(clinicID: UUID, name rawName: String, email rawEmail: String, password: String) async throws -> UserModel {
        _ = try ctx.requireUser(.platformAdmin)
        guard try await ClinicModel.find(clinicID, on: ctx.db) != nil else {
            throw DomainError.notFound("clinic-not-found", "No clinic with that id.")
        }
        let email = try AccountRules.normalizedEmail(rawEmail)
        let name = try AccountRules.validatedName(rawName)
        try AccountRules.validatePassword(password, email: email)
        let taken = DomainError.conflict("email-taken", "An account with that email already exists.")
        if try await UserModel.query(on: ctx.db).filter(\.$email == email).count() > 0 { throw taken }
        let cost = ctx.config.passwordCost
        let hash = try await ctx.offload { try PasswordHasher.hash(password, cost: cost) }
        return try await ctx.transaction { tx in
            let user = UserModel(email: email, name: name, role: .clinicAdmin, passwordHash: hash)
            try await insertingUniquely(or: taken) { try await user.create(on: tx.db) }
            try await ClinicMembershipModel(clinicID: clinicID, userID: user.requireID(), role: .clinicAdmin).create(on: tx.db)
            return user
        }
    }

    struct Overview {
        var clinic: ClinicModel
        var therapists: Int
        var admins: Int
        var patients: Int
    }

    /// Counts only: platform admins run clinics and never see patient records. Three queries
    /// whatever the number of clinics.
    func overview() async throws -> [Overview] {
        _ = try ctx.requireUser(.platformAdmin)
        let clinics = try await ClinicModel.query(on: ctx.db).sort(\.$name).all()
        guard let sql = ctx.db as? any SQLDatabase else { return [] }
        struct Count: Decodable { var clinic_id: UUID; var role: String?; var n: Int }
        let patients = try await sql.select().column("clinic_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(PatientModel.schema).groupBy("clinic_id").all(decoding: Count.self)
        let members = try await sql.select().column("clinic_id").column("role").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(ClinicMembershipModel.schema).groupBy("clinic_id").groupBy("role").all(decoding: Count.self)
        return clinics.map { clinic in
            func count(_ role: Role) -> Int {
                members.first { $0.clinic_id == clinic.id && $0.role == role.rawValue }?.n ?? 0
            }
            return Overview(clinic: clinic, therapists: count(.therapist), admins: count(.clinicAdmin),
                            patients: patients.first { $0.clinic_id == clinic.id }?.n ?? 0)
        }
    }
}
