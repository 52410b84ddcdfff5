import Vapor
import Fluent
import SQLKit
import FluentSQLiteDriver
import FluentPostgresDriver
import Leaf
import GonioCore

/// Builds the application from a configuration: database, migrations, middleware, views, routes.
public func configure(_ app: Application, config: AppConfig) async throws {
    app.gonioConfig = config
    _ = GonioMetrics.registry

    app.http.server.configuration.hostname = config.hostname
    app.http.server.configuration.port = config.port
    app.http.server.configuration.serverName = nil
    app.routes.defaultMaxBodySize = "1mb"
    app.passwords.use(.bcrypt)

    switch config.database {
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory), as: .sqlite)
    case .sqliteFile(let path):
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path)), as: .sqlite)
    case .postgres(let url):
        var pg = try SQLPostgresConfiguration(url: url)
        if !url.contains("tlsmode=") { pg.coreConfiguration.tls = .disable }
        if !config.postgresSearchPath.isEmpty { pg.searchPath = config.postgresSearchPath }
        app.databases.use(.postgres(configuration: pg, maxConnectionsPerEventLoop: config.databasePoolPerLoop), as: .psql)
    }
    GonioMetrics.poolMax.record(config.database.kindName == "postgres" ? config.databasePoolPerLoop : 1)
    app.migrations.add(Migrations.all)

    app.views.use(.leaf)
    app.leaf.cache.isEnabled = app.environment.isRelease

    // Order: headers outermost (so error responses get them too), then errors, static files,
    // metrics, sessions; CSRF sits on the web routes only.
    app.middleware = .init()
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(SecurityHeaders())
    app.middleware.use(GonioErrorMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory, defaultFile: nil))
    app.middleware.use(InFlightRequests())
    app.middleware.use(SessionAuthenticator())

    try routes(app)
}

enum Migrations {
    static let all: [any Migration] = [
        M0001_CreateAccounts(),
        M0002_CreateCareRelations(),
        M0003_CreateSessions(),
        M0004_CreateAuditLog(),
        M0005_AddUniqueOpenLinksAndClinicNames(),
        M0006_CreateIntakes(),
        M0007_CreateOutcomeMeasures(),
        M0008_CreateClinicalNotes(),
    ]
}

/// Turns on WAL (concurrent readers during writes) for file databases.
func prepareDatabase(_ app: Application) async throws {
    if case .sqliteFile = app.gonioConfig.database, let sql = app.db as? any SQLDatabase {
        try await sql.raw("PRAGMA journal_mode=WAL").run()
    }
}
