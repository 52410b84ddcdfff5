import Vapor
import Fluent
import SQLKit
import FluentSQLiteDriver
import FluentPostgresDriver
import Leaf
import GonioCore

/// Builds the application from a configuration: database, migrations, middleware, views, and
/// each feature's routes.
public func configure(_ app: Application, config: AppConfig) async throws {
    app.gonioConfig = config
    await app.startWorkPool()
    app.storage[CallRoomsKey.self] = CallRooms()
    app.lifecycle.use(CallRoomsDrain())
    if let url = config.smtpURL {
        app.mailer = SMTPMailer(settings: try SMTPSettings(url: url, from: config.mailFrom), eventLoopGroup: app.eventLoopGroup)
    }
    // The database driver's own threads, not the process-wide blocking pool: with SQLite every
    // statement runs on one of them, and a second application in the process (tests run many)
    // or file reads must not put its work in the same queue.
    app.threadPool = NIOThreadPool(numberOfThreads: max(1, System.coreCount))
    do {
        app.clinicalContent = try ClinicalContent.load(resourcesDirectory: app.directory.resourcesDirectory)
    } catch {
        throw AppConfig.Problem(description: "The exercise library or protocols in \(app.directory.resourcesDirectory) are broken:\n\(error)")
    }
    _ = GonioMetrics.registry

    app.http.server.configuration.hostname = config.hostname
    app.http.server.configuration.port = config.port
    app.http.server.configuration.serverName = nil
    // A connection that sends and receives nothing for this long is closed: a request head
    // that never finishes, a stalled client, an idle keep-alive (see README: production runs
    // behind a reverse proxy, which also bounds slow header trickles).
    app.http.server.configuration.idleTimeout = .milliseconds(Int64(config.idleTimeout * 1000))
    app.routes.defaultMaxBodySize = "1mb"
    ContentConfiguration.global.use(decoder: TextCheckingDecoder(inner: JSONDecoder.custom(dates: .iso8601)), for: .json)
    ContentConfiguration.global.use(decoder: TextCheckingDecoder(inner: URLEncodedFormDecoder()), for: .urlEncodedForm)
    app.passwords.use(.bcrypt)

    // SQL statements (with their values) are logged only at trace level: values are patient data.
    let wait = TimeAmount.milliseconds(Int64(config.databaseWait * 1000))
    switch config.database {
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, connectionPoolTimeout: wait, sqlLogLevel: .trace), as: .sqlite)
    case .sqliteFile(let path):
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path), connectionPoolTimeout: wait, sqlLogLevel: .trace), as: .sqlite)
    case .postgres(let url):
        var pg = try SQLPostgresConfiguration(url: url)
        if !url.contains("tlsmode=") { pg.coreConfiguration.tls = .disable }
        if !config.postgresSearchPath.isEmpty { pg.searchPath = config.postgresSearchPath }
        app.databases.use(.postgres(configuration: pg, maxConnectionsPerEventLoop: config.databasePoolPerLoop,
                                         connectionPoolTimeout: wait, sqlLogLevel: .trace), as: .psql)
    }
    if config.database.isSQLite { app.storage[SQLiteLoopKey.self] = app.eventLoopGroup.any() }
    GonioMetrics.poolMax.record(config.database.isSQLite ? 1 : config.databasePoolPerLoop)
    app.migrations.add(Migrations.all)

    app.views.use(.leaf)
    app.leaf.cache.isEnabled = app.environment.isRelease

    // Order, outermost first: the header guard sees every response, error pages included; the
    // request id is settled before anything logs; errors become responses inside the security
    // headers; input is checked before static files, sessions and routes see it.
    app.middleware = .init()
    app.middleware.use(HeaderGuard())
    app.middleware.use(RequestIdentity())
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(SecurityHeaders())
    app.middleware.use(GonioErrorMiddleware())
    app.middleware.use(InputGuard())
    app.middleware.use(PublicFiles(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(InFlightRequests())
    app.middleware.use(SessionAuthenticator())

    let routes = FeatureRoutes(openAPI: app, api: app.grouped(RequireSignIn()), web: app.grouped(CSRFProtection()))
    for feature in Application.features { feature.register(routes) }
}

extension Application {
    /// Every feature, each in its own folder.
    static let features: [any Feature] = [
        OperationsRoutes(), OpenAPIRoutes(), AccountRoutes(), ClinicRoutes(), PatientRoutes(), CareTeamRoutes(),
        IntakeRoutes(), MeasureRoutes(), NoteRoutes(), AuditRoutes(), DashboardRoutes(), ExerciseRoutes(), PlanRoutes(), PracticeRoutes(), VisitRoutes(), VisitPages(), SchedulePages(), CallRoutes(), VisitGuestRoutes(), MotionRoutes(), ProgressRoutes(), ClinicRulesPage(), MessageRoutes(), EducationRoutes(), DischargeRoutes(), BillingRoutes(), StatementRoutes(), CodingRoutes(), NotificationRoutes(),
    ]
}

/// File databases: WAL (readers go on during a write), and another process's write (a
/// `gonio seed` beside a running server) is waited for by sleeping with back-off for up to ten
/// seconds rather than by the driver's default of retrying at once on a busy core.
func prepareDatabase(_ app: Application) async throws {
    if case .sqliteFile = app.gonioConfig.database, let sql = app.database(logger: app.logger) as? any SQLDatabase {
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        try await sql.raw("PRAGMA busy_timeout = 10000").run()
    }
}
