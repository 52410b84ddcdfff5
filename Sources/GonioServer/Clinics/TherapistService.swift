import Vapor
import Fluent
import GonioCore

/// Therapist credentials and their verification by a clinic admin.
struct TherapistService {
    let ctx: CallContext

    static func saveCredentials(therapistID: UUID, licenses: [License], privileges: [CompactPrivilege], on db: any Database) async throws {
        try await licenses.map { LicenseModel(therapistID: therapistID, license: $0) }.create(on: db)
        try await privileges.map { CompactPrivilegeModel(therapistID: therapistID, privilege: $0) }.create(on: db)
    }

    /// Therapists with their user, licences and privileges: four queries for any number.
    static func withCredentials(_ query: QueryBuilder<TherapistModel>) -> QueryBuilder<TherapistModel> {
        query.with(\.$user).with(\.$licenses).with(\.$privileges)
    }

    /// The therapist's record, visible to the therapist and to admins of a clinic they belong to.
    func visibleTherapist(_ therapistID: UUID) async throws -> TherapistModel {
        let user = try ctx.requireUser()
        let notFound = DomainError.notFound("therapist-not-found", "No therapist with that id is available to you.")
        guard let therapist = try await Self.withCredentials(TherapistModel.query(on: ctx.db).filter(\.$id == therapistID)).first() else {
            throw notFound
        }
        if user.therapistID == therapistID { return therapist }
        if !user.adminClinicIDs.isEmpty, try await ClinicMembershipModel.query(on: ctx.db).filter(\.$clinic.$id ~~ user.adminClinicIDs)
            .filter(\.$user.$id == therapist.$user.id).count() > 0 {
            return therapist
        }
        throw notFound
    }

    /// Therapists who belong to the admin's clinics, optionally only those with a status.
    func therapistsForAdmin(status: VerificationStatus?) async throws -> [TherapistModel] {
        let user = try ctx.requireUser(.clinicAdmin)
        guard !user.adminClinicIDs.isEmpty else { return [] }
        let query = TherapistModel.query(on: ctx.db)
            .join(ClinicMembershipModel.self, on: \ClinicMembershipModel.$user.$id == \TherapistModel.$user.$id)
            .filter(ClinicMembershipModel.self, \.$clinic.$id ~~ user.adminClinicIDs)
            .filter(ClinicMembershipModel.self, \.$role == .therapist)
        if let status { query.filter(\.$verification == status) }
        // A therapist in two of the admin's clinics appears once.
        var seen = Set<UUID>()
        return try await Self.withCredentials(query).sort(\.$createdAt).all().filter { seen.insert($0.id!).inserted }
    }

    /// A clinic admin verifies or rejects a therapist of their clinic. Rejection needs a reason.
    func decide(therapistID: UUID, verified: Bool, reason: String?) async throws -> TherapistModel {
        let user = try ctx.requireUser(.clinicAdmin)
        _ = try await visibleTherapist(therapistID)
        // The licence rule is checked on the row it changes, held until the decision is written.
        return try await ctx.transaction { tx in
            try await tx.lockRow(TherapistModel.self, id: therapistID)
            return try await TherapistService(ctx: tx).record(therapistID: therapistID, verified: verified, reason: reason, by: user)
        }
    }

    private func record(therapistID: UUID, verified: Bool, reason: String?, by user: CurrentUser) async throws -> TherapistModel {
        let therapist = try await visibleTherapist(therapistID)
        let trimmed = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if !verified, trimmed.isEmpty {
            throw DomainError.invalid("reason-missing", "Give a reason for rejecting the credentials; the therapist will see it.")
        }
        guard trimmed.count <= 500 else { throw DomainError.invalid("reason-too-long", "Keep the reason to 500 characters.") }
        if verified, !therapist.standing.licenses.contains(where: { $0.isActive(on: ctx.today) }) {
            throw DomainError.conflict("license-expired", "Every licence on file has expired; the therapist must add a current one first.")
        }
        therapist.verification = verified ? .verified : .rejected
        therapist.decisionReason = trimmed.isEmpty ? nil : trimmed
        therapist.$decidedBy.id = user.userID
        therapist.decidedAt = ctx.now
        try await therapist.update(on: ctx.db)
        ctx.logger.notice("therapist verification decided", metadata: [
            "therapist-id": .string(therapistID.uuidString), "decision": .string(therapist.verification.rawValue)])
        return therapist
    }
}

struct LicenseDTO: Content {
    var number: String
    var type: String
    var jurisdiction: String
    var jurisdictionName: String
    var expiresOn: String
    var isHomeState: Bool
    var active: Bool
}

struct PrivilegeDTO: Content {
    var jurisdiction: String
    var jurisdictionName: String
    var expiresOn: String
    var active: Bool
}

struct TherapistDTO: Content {
    var id: UUID
    var userId: UUID
    var name: String
    var email: String
    var verification: String
    var decisionReason: String?
    var decidedAt: Date?
    var licenses: [LicenseDTO]
    var compactPrivileges: [PrivilegeDTO]

    /// `t` with its user, licences and privileges loaded (`TherapistService.withCredentials`).
    init(_ t: TherapistModel, today: CalendarDay, compact: CompactMembership) {
        let standing = t.standing
        id = t.id!
        userId = t.$user.id
        name = t.user.name
        email = t.user.email
        verification = t.verification.rawValue
        decisionReason = t.decisionReason
        decidedAt = t.decidedAt
        licenses = standing.licenses.map {
            LicenseDTO(number: $0.number, type: $0.type.rawValue, jurisdiction: $0.jurisdiction.code,
                       jurisdictionName: $0.jurisdiction.displayName, expiresOn: $0.expiresOn.description,
                       isHomeState: $0.isHomeState, active: $0.isActive(on: today))
        }
        compactPrivileges = standing.privileges.map { p in
            let active: Bool
            if case .compactPrivilege = Licensure.authority(
                TherapistStanding(verification: .verified, licenses: standing.licenses.filter(\.isHomeState), privileges: [p]),
                in: p.jurisdiction, on: today, compact: compact) { active = true } else { active = false }
            return PrivilegeDTO(jurisdiction: p.jurisdiction.code, jurisdictionName: p.jurisdiction.displayName,
                                expiresOn: p.expiresOn.description, active: active)
        }
    }
}

struct ClinicDTO: Content {
    var id: UUID
    var name: String
    var kind: String

    init(_ m: ClinicModel) {
        id = m.id!
        name = m.name
        kind = m.kind.rawValue
    }
}
