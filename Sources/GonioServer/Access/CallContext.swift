import Vapor
import Fluent
import SQLKit
import GonioCore

/// Everything a service needs to do one piece of work: who acts (and for whom), the clock, the
/// client's address, the request id, the database and the logger. A request, a background job,
/// a socket or a command makes one; services take it and never see a `Request`, so every one of
/// them can reuse the services and the gate.
struct CallContext: Sendable {
    enum Principal: Sendable {
        /// Nobody signed in (sign-in and registration).
        case anonymous
        case user(CurrentUser)
        /// Gonio itself: a command or job, named for the logs and the audit log (`seed`).
        case system(String)
    }

    var principal: Principal
    /// The patient a job or command acts for, when it acts for one.
    var onBehalfOf: UUID?
    var clock: GonioClock
    var clientAddress: String
    var requestID: String
    var db: any Database
    var logger: Logger
    var config: AppConfig
    /// Threads for CPU-heavy work (password hashing) and file writes; see `Application.workPool`.
    var workPool: NIOThreadPool
    /// The exercise library and protocols.
    var clinicalContent: ClinicalContent
    /// The mail server, when one is configured (GONIO_SMTP_URL); without one, emails are kept
    /// in the outbox.
    var mailer: (any MailSender)? = nil
    /// Set inside `transaction`, whose `db` is then the transaction's connection.
    private(set) var inTransaction = false

    var now: Date { clock.now() }

    /// Today in UTC, for licence expiry and dates of birth. Licences expire at the end of the
    /// printed date in the issuing state's time; UTC can be a few hours off at the edges.
    var today: CalendarDay { CalendarDay(utc: now) }

    var user: CurrentUser? {
        if case .user(let user) = principal { return user }
        return nil
    }

    /// The signed-in user, or 401.
    func requireUser() throws -> CurrentUser {
        guard let user else { throw DomainError(.unauthenticated, code: "unauthenticated", "Sign in to continue.") }
        return user
    }

    /// The signed-in user holding one of `roles`, or 401/403.
    func requireUser(_ roles: Role...) throws -> CurrentUser {
        let user = try requireUser()
        guard roles.contains(user.role) else { throw DomainError.forbidden("role-not-permitted", "Your account cannot do this.") }
        return user
    }

    /// The actor's role as written in the audit log.
    var auditRole: String {
        switch principal {
        case .anonymous: "anonymous"
        case .user(let user): user.role.rawValue
        case .system: "system"
        }
    }

    var gate: PatientGate { PatientGate(ctx: self) }
    var audit: AuditLog { AuditLog(ctx: self) }

    /// Runs CPU-heavy work (password hashing) off the event loop.
    func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await workPool.runIfActive(work)
    }

    /// Runs `body` in one transaction: every write in it, the audit entry included, lands or
    /// none does. On SQLite the transaction starts `IMMEDIATE`, taking the write lock at once, so
    /// a check made inside it still holds when the write follows; on PostgreSQL `lockRow` locks
    /// the row a change checks. Nested calls join the outer transaction.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (CallContext) async throws -> T) async throws -> T {
        if inTransaction { return try await body(self) }
        var copy = self
        copy.inTransaction = true
        let inner = copy
        guard config.database.isSQLite else {
            return try await db.transaction { tx in
                var ctx = inner
                ctx.db = tx
                return try await body(ctx)
            }
        }
        return try await db.withConnection { connection in
            let sql = connection as! any SQLDatabase
            try await sql.raw("BEGIN IMMEDIATE").run()
            var ctx = inner
            ctx.db = connection
            do {
                let result = try await body(ctx)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Holds the row `id` of `M` for the rest of the transaction, so the rule a change checks
    /// against it cannot be changed underneath: `SELECT ... FOR UPDATE` on PostgreSQL; on SQLite
    /// the immediate transaction already holds the database's write lock.
    func lockRow<M: Model>(_ type: M.Type, id: UUID) async throws where M.IDValue == UUID {
        precondition(inTransaction, "lockRow is meaningful only inside a transaction")
        guard !config.database.isSQLite, let sql = db as? any SQLDatabase else { return }
        _ = try await sql.select().column("id").from(M.schema).where("id", .equal, id).for(.update).all()
    }
}

extension CalendarDay {
    /// The UTC calendar day of an instant. A Gregorian date's parts are always a valid day.
    init(utc date: Date) {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        self = try! CalendarDay(year: parts.year!, month: parts.month!, day: parts.day!)
    }
}

// MARK: - Where contexts come from

struct ConfigKey: StorageKey { typealias Value = AppConfig }
struct ClockKey: StorageKey { typealias Value = GonioClock }
struct RequestIDKey: StorageKey { typealias Value = String }
struct StatementLoggingKey: StorageKey { typealias Value = Bool }
struct SQLiteLoopKey: StorageKey { typealias Value = any EventLoop }
struct WorkPoolKey: StorageKey { typealias Value = NIOThreadPool }
struct MailerKey: StorageKey { typealias Value = any MailSender }

extension Application {
    var gonioConfig: AppConfig {
        get {
            guard let config = storage[ConfigKey.self] else { fatalError("configure(_:config:) sets AppConfig first") }
            return config
        }
        set { storage[ConfigKey.self] = newValue }
    }

    /// Threads of this application's own for CPU-heavy work. The database driver runs its
    /// statements on the shared blocking pool; were password hashing (a quarter of a second of
    /// CPU each) queued there too, a burst of sign-ins would hold up every query behind it.
    var workPool: NIOThreadPool {
        guard let pool = storage[WorkPoolKey.self] else { fatalError("configure(_:config:) starts the work pool first") }
        return pool
    }

    /// Starts `workPool`; it stops when the application shuts down.
    func startWorkPool() async {
        let pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount))
        pool.start()
        await storage.setWithAsyncShutdown(WorkPoolKey.self, to: pool) { try await $0.shutdownGracefully() }
    }

    /// The mail server, if configured.
    var mailer: (any MailSender)? {
        get { storage[MailerKey.self] }
        set { storage[MailerKey.self] = newValue }
    }

    /// The system clock unless a test set another.
    var clock: GonioClock {
        get { storage[ClockKey.self] ?? .system }
        set { storage[ClockKey.self] = newValue }
    }

    /// A context for work Gonio does on its own (commands, jobs): no client, a fresh request id.
    func systemContext(_ name: String, onBehalfOf patientID: UUID? = nil) -> CallContext {
        var logger = self.logger
        let id = UUID().uuidString
        logger[metadataKey: "request-id"] = .string(id)
        logger[metadataKey: "job"] = .string(name)
        return CallContext(principal: .system(name), onBehalfOf: patientID, clock: clock, clientAddress: "local",
                           requestID: id, db: database(logger: logger), logger: logger, config: gonioConfig, workPool: workPool,
                           clinicalContent: clinicalContent, mailer: mailer)
    }

    /// The database, logging through `logger` but never below `info`: the drivers log every
    /// statement with its values at debug and trace, and values are patient data.
    ///
    /// SQLite is reached through one event loop's pool, that is one connection: SQLite has one
    /// writer at a time anyway, and with a single connection a transaction waiting for the
    /// write lock waits in the pool's queue, never in a blocked thread.
    func database(logger: Logger) -> any Database {
        var quiet = logger
        if quiet.logLevel < .info, !logsStatements { quiet.logLevel = .info }
        if let loop = storage[SQLiteLoopKey.self] {
            return databases.database(nil, logger: quiet, on: loop)!
        }
        return db(nil, logger: quiet)
    }

    /// Lets statements through to a trace-level logger: for tests that count queries, never
    /// for a running server.
    var logsStatements: Bool {
        get { storage[StatementLoggingKey.self] ?? false }
        set { storage[StatementLoggingKey.self] = newValue }
    }
}

extension Request {
    var config: AppConfig { application.gonioConfig }

    /// The context of this request: the signed-in user (if any), the client's address as
    /// resolved past trusted proxies, and the request id `RequestIdentity` settled on.
    var context: CallContext {
        let principal: CallContext.Principal = auth.get(CurrentUser.self).map { .user($0) } ?? .anonymous
        return CallContext(principal: principal, onBehalfOf: nil, clock: application.clock, clientAddress: clientAddress,
                           requestID: requestID, db: database, logger: logger, config: config, workPool: application.workPool,
                           clinicalContent: application.clinicalContent, mailer: application.mailer)
    }

    /// This request's database; see `Application.database(logger:)`.
    var database: any Database { application.database(logger: logger) }

    /// The caller's address: the socket peer, or, behind trusted proxies, the rightmost
    /// X-Forwarded-For hop that is not one of them.
    var clientAddress: String {
        let proxies = config.trustedProxies
        let peer = remoteAddress?.ipAddress
        guard !proxies.ranges.isEmpty else { return peer ?? "unknown" }
        return proxies.clientAddress(peer: peer, forwardedFor: headers[.xForwardedFor])
    }

    var requestID: String { storage[RequestIDKey.self] ?? "none" }

    var currentUser: CurrentUser? { auth.get(CurrentUser.self) }

    /// Whether the client wants a web page rather than JSON.
    var wantsHTML: Bool {
        !Paths.isAPI(url.path) && (headers.accept.mediaTypes.contains(.html) || headers.accept.isEmpty && method == .GET)
    }

    /// A UUID path parameter, or 404 (a malformed or over-long id names nothing).
    func uuidParameter(_ name: String) throws -> UUID {
        guard let raw = parameters.get(name), raw.utf8.count == 36, let id = UUID(uuidString: raw) else {
            throw DomainError.notFound("not-found", "No \(name.replacingOccurrences(of: "ID", with: "")) with that id.")
        }
        return id
    }
}
