import Vapor
import Fluent
import GonioCore

/// Care teams and caregiver delegations. Reads take the gate's proof for the patient; changes
/// run inside `PatientGate.change`, in one transaction with their audit entry.
struct CareService {
    let ctx: CallContext

    /// The patient's care team, each therapist with their user.
    func careTeam(_ patient: AuthorizedPatient) async throws -> [TherapistModel] {
        try await careTeams(for: [patient])[patient.id] ?? []
    }

    /// Care teams of many patients (a dashboard page): three queries for any number.
    func careTeams(for patients: [AuthorizedPatient]) async throws -> [UUID: [TherapistModel]] {
        guard !patients.isEmpty else { return [:] }
        let members = try await CareTeamMemberModel.query(on: ctx.db).filter(\.$patient.$id ~~ patients.map(\.id))
            .with(\.$therapist) { $0.with(\.$user) }.all()
        return Dictionary(grouping: members, by: { $0.$patient.id })
            .mapValues { $0.map(\.therapist).sorted { $0.user.name < $1.user.name } }
    }

    /// Adds a therapist of the patient's clinic. Core refuses unverified or unlicensed therapists.
    func addToCareTeam(_ patient: AuthorizedPatient, therapistID: UUID) async throws {
        let invalid = DomainError.invalid("therapist-invalid", "Choose a therapist of the patient's clinic.")
        if ctx.inTransaction { try await ctx.lockRow(TherapistModel.self, id: therapistID) }
        guard let therapist = try await TherapistService.withCredentials(TherapistModel.query(on: ctx.db).filter(\.$id == therapistID)).first(),
              try await ClinicMembershipModel.query(on: ctx.db).filter(\.$clinic.$id == patient.clinicID)
                .filter(\.$user.$id == therapist.$user.id).count() > 0
        else { throw invalid }
        try Licensure.checkMayJoinCareTeam(therapist.standing, on: ctx.today)
        let already = DomainError.conflict("already-on-care-team", "That therapist is already on the care team.")
        if try await CareTeamMemberModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
            .filter(\.$therapist.$id == therapistID).count() > 0 { throw already }
        let member = CareTeamMemberModel(patientID: patient.id, therapistID: therapistID, addedBy: ctx.user?.userID)
        try await insertingUniquely(or: already) { try await member.create(on: ctx.db) }
    }

    func removeFromCareTeam(_ patient: AuthorizedPatient, therapistID: UUID) async throws {
        guard let member = try await CareTeamMemberModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
            .filter(\.$therapist.$id == therapistID).first()
        else { throw DomainError.notFound("care-team-member-not-found", "That therapist is not on the care team.") }
        try await member.delete(on: ctx.db)
    }

    /// The patient's caregiver links, newest first, each with the caregiver's user.
    func caregiverLinks(_ patient: AuthorizedPatient) async throws -> [CaregiverLinkModel] {
        try await caregiverLinks(for: [patient])[patient.id] ?? []
    }

    /// Caregiver links of many patients: two queries for any number.
    func caregiverLinks(for patients: [AuthorizedPatient]) async throws -> [UUID: [CaregiverLinkModel]] {
        guard !patients.isEmpty else { return [:] }
        let links = try await CaregiverLinkModel.query(on: ctx.db).filter(\.$patient.$id ~~ patients.map(\.id))
            .with(\.$caregiver).sort(\.$createdAt, .descending).all()
        return Dictionary(grouping: links, by: { $0.$patient.id })
    }

    /// The signed-in caregiver's own delegations from these patients.
    func delegations(from patients: [AuthorizedPatient]) async throws -> [UUID: [CaregiverLinkModel]] {
        guard let user = ctx.user, !patients.isEmpty else { return [:] }
        let links = try await CaregiverLinkModel.query(on: ctx.db).filter(\.$patient.$id ~~ patients.map(\.id))
            .filter(\.$caregiver.$id == user.userID).all()
        return Dictionary(grouping: links, by: { $0.$patient.id })
    }

    /// Links an existing caregiver account, found by email, with scopes and an end date.
    func linkCaregiver(_ patient: AuthorizedPatient, caregiverEmail: String, scopes rawScopes: [String], expiresOn: String) async throws -> CaregiverLinkModel {
        var scopes = Set<CaregiverScope>()
        for raw in rawScopes {
            guard let scope = CaregiverScope(rawValue: raw) else {
                throw DomainError.invalid("scope-invalid", "Unknown permission '\(raw.prefix(40))'; use view, log-practice, book-visits or message.")
            }
            scopes.insert(scope)
        }
        let endDay = try CalendarDay(expiresOn)
        // The link lasts to the end of the chosen day (UTC).
        let components = DateComponents(timeZone: TimeZone(identifier: "UTC"), year: endDay.year, month: endDay.month,
                                        day: endDay.day, hour: 23, minute: 59, second: 59)
        guard let expiresAt = Calendar(identifier: .gregorian).date(from: components) else {
            throw DomainError.invalid("date-invalid", "That date does not exist.")
        }
        let now = ctx.now
        try CaregiverGrant.validateNew(scopes: scopes, expiresAt: expiresAt.timeIntervalSince1970, now: now.timeIntervalSince1970)
        let email = try AccountRules.normalizedEmail(caregiverEmail)
        guard let caregiver = try await UserModel.query(on: ctx.db).filter(\.$email == email).first(), caregiver.role == .caregiver else {
            throw DomainError.invalid("caregiver-not-found", "No caregiver account uses that email. Ask them to register as a caregiver first.")
        }
        let alreadyLinked = DomainError.conflict("caregiver-already-linked", "That caregiver is already linked; revoke the current link to change it.")
        let open = try await CaregiverLinkModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
            .filter(\.$caregiver.$id == caregiver.requireID()).filter(\.$revokedAt == nil).all()
        for link in open {
            guard !link.grant.isActive(now: now.timeIntervalSince1970) else { throw alreadyLinked }
            // An open link that has run out is closed at the moment it ended, so the one-open-link
            // index (M0005) leaves room for the new one.
            link.revokedAt = link.expiresAt
            try await link.update(on: ctx.db)
        }
        let link = CaregiverLinkModel(patientID: patient.id, caregiverUserID: try caregiver.requireID(), scopes: scopes,
                                      expiresAt: expiresAt, createdBy: ctx.user?.userID)
        try await insertingUniquely(or: alreadyLinked) { try await link.create(on: ctx.db) }
        link.$caregiver.value = caregiver
        return link
    }

    func revokeCaregiver(_ patient: AuthorizedPatient, linkID: UUID) async throws -> CaregiverLinkModel {
        guard let link = try await CaregiverLinkModel.query(on: ctx.db).filter(\.$id == linkID)
            .filter(\.$patient.$id == patient.id).with(\.$caregiver).first()
        else { throw DomainError.notFound("caregiver-link-not-found", "No such caregiver link for this patient.") }
        if link.revokedAt == nil {
            link.revokedAt = ctx.now
            try await link.update(on: ctx.db)
        }
        return link
    }
}

struct CareTeamMemberDTO: Content {
    var therapistId: UUID
    var name: String
    var verification: String

    init(_ t: TherapistModel) {
        therapistId = t.id!
        name = t.user.name
        verification = t.verification.rawValue
    }
}

struct CaregiverLinkDTO: Content {
    var id: UUID
    var caregiverUserId: UUID
    var name: String
    var email: String
    var scopes: [String]
    var expiresAt: Date
    var revokedAt: Date?
    var active: Bool

    /// `link` with its caregiver loaded.
    init(_ link: CaregiverLinkModel, now: Date) {
        id = link.id!
        caregiverUserId = link.$caregiver.id
        name = link.caregiver.name
        email = link.caregiver.email
        scopes = link.scopes.ordered.map(\.rawValue)
        expiresAt = link.expiresAt
        revokedAt = link.revokedAt
        active = link.grant.isActive(now: now.timeIntervalSince1970)
    }
}
