import Vapor
import Fluent
import GonioCore

/// A clinic's progression rules: the defaults of CLINICAL.md §6 until a clinic admin saves the
/// clinic's own set. The engine, the player's in-session rules and the therapist's pages all
/// read them from here. Each save is a new version, made only from the version the admin was
/// looking at (a second admin's save in between is refused, not overwritten).
struct ClinicRulesService {
    let ctx: CallContext

    struct Current: Sendable {
        var rules: ProgressionRules
        var clinicID: UUID
        /// Nil while the clinic uses the defaults.
        var updatedAt: Date?
        var updatedBy: UUID?
        var isDefault: Bool { updatedAt == nil }
    }

    /// The rules in force for a clinic (no access check: callers have one).
    func rules(clinicID: UUID) async throws -> Current {
        guard let row = try await ClinicRulesModel.query(on: ctx.db).filter(\.$clinic.$id == clinicID).first() else {
            return Current(rules: .defaults, clinicID: clinicID)
        }
        var rules = row.rules.value
        rules.version = row.version
        return Current(rules: rules, clinicID: clinicID, updatedAt: row.updatedAt, updatedBy: row.$updatedBy.id)
    }

    /// Staff of the clinic (its therapists and admins) read its rules, and the platform's
    /// admins who create clinics (rules are not patient data); anyone else is told it does not
    /// exist.
    func visible(clinicID: UUID) async throws -> Current {
        let user = try ctx.requireUser()
        if user.role == .platformAdmin {
            guard try await ClinicModel.find(clinicID, on: ctx.db) != nil else { throw DomainError.notFound() }
            return try await rules(clinicID: clinicID)
        }
        guard user.clinicIDs.contains(clinicID) || user.adminClinicIDs.contains(clinicID) else { throw DomainError.notFound() }
        return try await rules(clinicID: clinicID)
    }

    /// Saves a clinic's rules as the next version, if `baseVersion` is still the one in force.
    /// Checked and written in one transaction on the clinic's row.
    func save(clinicID: UUID, rules proposed: ProgressionRules, baseVersion: Int) async throws -> Current {
        let user = try ctx.requireUser()
        _ = try await visible(clinicID: clinicID)
        guard user.role == .clinicAdmin, user.adminClinicIDs.contains(clinicID) else {
            throw DomainError.forbidden("clinic-admin-only", "Only an admin of this clinic changes its progression rules.")
        }
        let checked = try proposed.validated()
        return try await ctx.transaction { tx in
            try await tx.lockRow(ClinicModel.self, id: clinicID)
            let row = try await ClinicRulesModel.query(on: tx.db).filter(\.$clinic.$id == clinicID).first()
            let current = row?.version ?? ProgressionRules.defaults.version
            guard baseVersion == current else {
                throw DomainError.conflict("rules-changed", "These rules changed since you opened them (now version \(current)). Reload and make your change again.")
            }
            var rules = checked
            rules.version = current + 1
            let saved = row ?? ClinicRulesModel()
            saved.$clinic.id = clinicID
            saved.rules = StoredJSON(rules)
            saved.version = rules.version
            saved.$updatedBy.id = user.userID
            saved.updatedAt = tx.now
            try await saved.save(on: tx.db)
            tx.logger.notice("clinic progression rules saved", metadata: [
                "clinic-id": .string(clinicID.uuidString), "version": .stringConvertible(rules.version)])
            return Current(rules: rules, clinicID: clinicID, updatedAt: tx.now, updatedBy: user.userID)
        }
    }
}

/// A clinic's own progression rules (M0020).
final class ClinicRulesModel: Model, @unchecked Sendable {
    static let schema = "clinic_progression_rules"
    @ID(key: .id) var id: UUID?
    @Parent(key: "clinic_id") var clinic: ClinicModel
    @Field(key: "rules") var rules: StoredJSON<ProgressionRules>
    @Field(key: "version") var version: Int
    @OptionalParent(key: "updated_by") var updatedBy: UserModel?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}
