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
    var sessionKind: String
    var csrfToken: String
    var sessionCreatedAt: Date
    var sessionLastSeenAt: Date
    var patientID: UUID?
    var therapistID: UUID?
    var therapistVerified: Bool
    /// Clinics the user belongs to as therapist or admin.
    var clinicIDs: [UUID]

    var actor: Actor { Actor(userId: userID.uuidString, role: role, isVerifiedTherapist: therapistVerified) }

    static func load(user: UserModel, session: SessionModel, on db: any Database) async throws -> CurrentUser? {
        guard let userID = user.id, let sessionID = session.id, let role = Role(rawValue: user.role) else { return nil }
        var patientID: UUID?, therapistID: UUID?, verified = false
        switch role {
        case .patient:
            patientID = try await PatientModel.query(on: db).filter(\.$userID == userID).first()?.id
        case .therapist:
            if let therapist = try await TherapistModel.query(on: db).filter(\.$userID == userID).first() {
                therapistID = therapist.id
                verified = therapist.verification == VerificationStatus.verified.rawValue
            }
        default: break
        }
        let clinics = try await ClinicMembershipModel.query(on: db).filter(\.$userID == userID).all().map(\.clinicID)
        return CurrentUser(
            userID: userID, email: user.email, name: user.name, role: role, sessionID: sessionID,
            sessionKind: session.kind, csrfToken: session.csrfToken, sessionCreatedAt: session.createdAt,
            sessionLastSeenAt: session.lastSeenAt, patientID: patientID, therapistID: therapistID,
            therapistVerified: verified, clinicIDs: clinics
        )
    }
}

extension Request {
    var currentUser: CurrentUser? { auth.get(CurrentUser.self) }

    /// The signed-in user, or 401.
    func requireUser() throws -> CurrentUser {
        guard let user = currentUser else {
            throw DomainError(.unauthenticated, code: "unauthenticated", "Sign in to continue.")
        }
        return user
    }

    /// The signed-in user holding one of `roles`, or 401/403.
    func requireUser(_ roles: Role...) throws -> CurrentUser {
        let user = try requireUser()
        guard roles.contains(user.role) else {
            throw DomainError.forbidden("role-not-permitted", "Your account cannot do this.")
        }
        return user
    }
}
