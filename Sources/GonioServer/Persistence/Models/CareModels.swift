import Fluent
import Foundation

final class CareTeamMemberModel: Model, @unchecked Sendable {
    static let schema = "care_team_members"
    @ID(key: .id) var id: UUID?
    @Field(key: "patient_id") var patientID: UUID
    @Field(key: "therapist_id") var therapistID: UUID
    @OptionalField(key: "added_by") var addedBy: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(patientID: UUID, therapistID: UUID, addedBy: UUID?) {
        self.patientID = patientID
        self.therapistID = therapistID
        self.addedBy = addedBy
    }
}

final class CaregiverLinkModel: Model, @unchecked Sendable {
    static let schema = "caregiver_links"
    @ID(key: .id) var id: UUID?
    @Field(key: "patient_id") var patientID: UUID
    @Field(key: "caregiver_user_id") var caregiverUserID: UUID
    /// Comma-separated CaregiverScope raw values.
    @Field(key: "scopes") var scopes: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(patientID: UUID, caregiverUserID: UUID, scopes: String, expiresAt: Date, createdBy: UUID?) {
        self.patientID = patientID
        self.caregiverUserID = caregiverUserID
        self.scopes = scopes
        self.expiresAt = expiresAt
        self.createdBy = createdBy
    }
}

final class SessionModel: Model, @unchecked Sendable {
    static let schema = "sessions"
    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    /// HMAC-SHA256 of the token, hex: a stolen database does not yield usable tokens.
    @Field(key: "token_hash") var tokenHash: String
    /// `browser` (cookie) or `api` (bearer).
    @Field(key: "kind") var kind: String
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
    init(userID: UUID, tokenHash: String, kind: String, csrfToken: String, now: Date) {
        self.userID = userID
        self.tokenHash = tokenHash
        self.kind = kind
        self.csrfToken = csrfToken
        self.createdAt = now
        self.lastSeenAt = now
    }
}

final class LoginAttemptModel: Model, @unchecked Sendable {
    static let schema = "login_attempts"
    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "address") var address: String
    @Field(key: "at") var at: Date
    @Field(key: "succeeded") var succeeded: Bool

    init() {}
    init(email: String, address: String, at: Date, succeeded: Bool) {
        self.email = email
        self.address = address
        self.at = at
        self.succeeded = succeeded
    }
}

/// One read or write of patient data. Rows are only ever inserted (database triggers refuse
/// UPDATE and DELETE).
final class AuditEntryModel: Model, @unchecked Sendable {
    static let schema = "audit_entries"
    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_user_id") var actorUserID: UUID?
    @Field(key: "actor_role") var actorRole: String
    @Field(key: "action") var action: String
    @OptionalField(key: "patient_id") var patientID: UUID?
    @OptionalField(key: "clinic_id") var clinicID: UUID?
    @Field(key: "resource") var resource: String
    @Field(key: "client_address") var clientAddress: String
    @Field(key: "outcome") var outcome: String
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "request_id") var requestID: String?

    init() {}
    init(at: Date, actorUserID: UUID?, actorRole: String, action: String, patientID: UUID?, clinicID: UUID?,
         resource: String, clientAddress: String, outcome: String, reason: String?, requestID: String?) {
        self.at = at
        self.actorUserID = actorUserID
        self.actorRole = actorRole
        self.action = action
        self.patientID = patientID
        self.clinicID = clinicID
        self.resource = resource
        self.clientAddress = clientAddress
        self.outcome = outcome
        self.reason = reason
        self.requestID = requestID
    }
}
