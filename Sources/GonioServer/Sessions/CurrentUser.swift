import Vapor
import Fluent
import GonioCore

/// The signed-in person behind a request, loaded once per request by `SessionAuthenticator`.
struct CurrentUser: Authenticatable, Sendable {
    var userID: UUID
    var email: String
    var name: String
    var role: Role
    var sessionID: UUID
    var sessionKind: SessionKind
    var csrfToken: String
    var sessionCreatedAt: Date
    var sessionLastSeenAt: Date
    var patientID: UUID?
    var therapistID: UUID?
    var therapistVerified: Bool
    /// Clinics the user belongs to as therapist or admin.
    var clinicIDs: [UUID]
    /// Clinics the user administers.
    var adminClinicIDs: [UUID]
    /// For caregivers: the clinics of the patients who have given them access now (their
    /// clinic's own exercises appear in those patients' plans).
    var helpedClinicIDs: [UUID] = []

    var actor: Actor { Actor(userId: userID.uuidString, role: role, isVerifiedTherapist: therapistVerified) }

    /// The holder of a private calendar address, acting through it (no sign-in session).
    static func load(userID: UUID, on db: any Database, now: Date) async throws -> CurrentUser? {
        guard let user = try await UserModel.find(userID, on: db) else { return nil }
        let session = SessionModel(userID: userID, tokenHash: "", kind: .api, csrfToken: "", now: now)
        session.id = UUID()
        return try await load(user: user, session: session, on: db)
    }

    static func load(user: UserModel, session: SessionModel, on db: any Database) async throws -> CurrentUser? {
        guard let userID = user.id, let sessionID = session.id else { return nil }
        var patientID: UUID?, therapistID: UUID?, verified = false
        switch user.role {
        case .patient:
            patientID = try await PatientModel.query(on: db).filter(\.$user.$id == userID).first()?.id
        case .therapist:
            if let therapist = try await TherapistModel.query(on: db).filter(\.$user.$id == userID).first() {
                therapistID = therapist.id
                verified = therapist.verification == .verified
            }
        default: break
        }
        var memberships: [ClinicMembershipModel] = []
        if user.role == .therapist || user.role == .clinicAdmin {
            memberships = try await ClinicMembershipModel.query(on: db).filter(\.$user.$id == userID).all()
        }
        var helped: [UUID] = []
        if user.role == .caregiver {
            let now = Date()
            helped = Array(Set(try await PatientModel.query(on: db)
                .join(CaregiverLinkModel.self, on: \CaregiverLinkModel.$patient.$id == \PatientModel.$id)
                .filter(CaregiverLinkModel.self, \.$caregiver.$id == userID)
                .filter(CaregiverLinkModel.self, \.$expiresAt > now)
                .filter(CaregiverLinkModel.self, \.$revokedAt == nil)
                .all().map(\.$clinic.id)))
        }
        return CurrentUser(
            userID: userID, email: user.email, name: user.name, role: user.role, sessionID: sessionID,
            sessionKind: session.kind, csrfToken: session.csrfToken, sessionCreatedAt: session.createdAt,
            sessionLastSeenAt: session.lastSeenAt, patientID: patientID, therapistID: therapistID,
            therapistVerified: verified, clinicIDs: memberships.map(\.$clinic.id),
            adminClinicIDs: memberships.filter { $0.role == .clinicAdmin }.map(\.$clinic.id), helpedClinicIDs: helped)
    }
}
