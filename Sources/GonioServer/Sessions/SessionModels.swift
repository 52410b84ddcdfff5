import Fluent
import Foundation

/// How a session's token travels: a browser cookie or an API bearer token.
enum SessionKind: String, Codable, Sendable, CaseIterable {
    case browser
    case api
}

final class SessionModel: Model, @unchecked Sendable {
    static let schema = "sessions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserModel
    /// HMAC-SHA256 of the token, hex: a stolen database does not yield usable tokens.
    @Field(key: "token_hash") var tokenHash: String
    @Enum(key: "kind") var kind: SessionKind
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
    init(userID: UUID, tokenHash: String, kind: SessionKind, csrfToken: String, now: Date) {
        self.$user.id = userID
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
