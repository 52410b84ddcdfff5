import Vapor
import Fluent
import GonioCore

/// Sign-in sessions for both browsers (cookie) and API clients (bearer). Only a keyed hash of
/// each token is stored.
struct SessionStore {
    static let cookieName = "gonio_session"
    let db: any Database
    let config: AppConfig

    init(db: any Database, config: AppConfig) {
        self.db = db
        self.config = config
    }

    init(_ ctx: CallContext) {
        self.init(db: ctx.db, config: ctx.config)
    }

    struct Issued {
        var token: String
        var session: SessionModel
        var expiresAt: Date
    }

    func issue(for userID: UUID, kind: SessionKind, now: Date) async throws -> Issued {
        let token = Secrets.newToken()
        let session = SessionModel(
            userID: userID, tokenHash: Secrets.keyedHash(token, secret: config.secret), kind: kind,
            csrfToken: Secrets.newToken(), now: now
        )
        try await session.save(on: db)
        let absolute = now.addingTimeInterval(config.sessionPolicy.absoluteTimeout)
        return Issued(token: token, session: session, expiresAt: absolute)
    }

    /// The live session for a token with its user, touching its last-seen time; nil when
    /// unknown, revoked or expired.
    func resume(token: String, now: Date) async throws -> SessionModel? {
        // One query: the session and its user joined.
        guard token.utf8.count <= 128, let session = try await SessionModel.query(on: db).join(parent: \.$user)
            .filter(\.$tokenHash == Secrets.keyedHash(token, secret: config.secret)).first()
        else { return nil }
        session.$user.value = try session.joined(UserModel.self)
        let state = config.sessionPolicy.state(
            createdAt: session.createdAt.timeIntervalSince1970, lastSeenAt: session.lastSeenAt.timeIntervalSince1970,
            revoked: session.revokedAt != nil, now: now.timeIntervalSince1970
        )
        guard state == .active else { return nil }
        // Write at most every 15 s per session: enough precision for a 30-minute idle limit.
        if now.timeIntervalSince(session.lastSeenAt) > 15 {
            session.lastSeenAt = now
            try await session.update(on: db)
        }
        return session
    }

    func revoke(sessionID: UUID, now: Date) async throws {
        try await SessionModel.query(on: db).filter(\.$id == sessionID).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: now).update()
    }

    /// Ends every session of a user, e.g. after a password change, except `keeping`.
    func revokeAll(userID: UUID, keeping: UUID?, now: Date) async throws {
        let query = SessionModel.query(on: db).filter(\.$user.$id == userID).filter(\.$revokedAt == nil)
        if let keeping { query.filter(\.$id != keeping) }
        try await query.set(\.$revokedAt, to: now).update()
    }
}

/// Reads a bearer token (API) or the session cookie (browser) and signs the user in for the
/// request. API routes accept only bearer tokens, so a cookie can never be used cross-site
/// against the JSON API; web routes accept only the cookie.
struct SessionAuthenticator: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let isAPI = Paths.isAPI(req.url.path)
        let token = isAPI ? req.headers.bearerAuthorization?.token : req.cookies[SessionStore.cookieName]?.string
        var staleCookie = false
        if let token {
            let db = req.database
            let store = SessionStore(db: db, config: req.config)
            if let session = try await store.resume(token: token, now: req.application.clock.now()),
               let current = try await CurrentUser.load(user: session.user, session: session, on: db) {
                req.auth.login(current)
                req.logger[metadataKey: "user-id"] = .string(current.userID.uuidString)
            } else if !isAPI {
                staleCookie = true
                req.storage[SignedOutKey.self] = true
            }
        }
        let response = try await next.respond(to: req)
        if staleCookie, response.cookies[SessionStore.cookieName] == nil {
            response.cookies[SessionStore.cookieName] = .expired(for: req)
        }
        return response
    }
}

struct SignedOutKey: StorageKey { typealias Value = Bool }

/// Refuses anonymous callers before a handler reads any input.
struct RequireSignIn: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard req.currentUser != nil else {
            throw DomainError(.unauthenticated, code: "unauthenticated", "Sign in to continue.")
        }
        return try await next.respond(to: req)
    }
}

extension HTTPCookies.Value {
    static func session(_ token: String, for req: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: token, expires: nil, maxAge: Int(req.config.sessionPolicy.absoluteTimeout), domain: nil,
            path: "/", isSecure: req.config.secureCookies, isHTTPOnly: true, sameSite: .lax
        )
    }

    static func expired(for req: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, domain: nil, path: "/",
                          isSecure: req.config.secureCookies, isHTTPOnly: true, sameSite: .lax)
    }
}
