import ArgumentParser
import Vapor
import Fluent
import Logging
import FluentPostgresDriver
import GonioCore
#if canImport(Glibc)
import Glibc
#endif

/// `gonio serve`: the web server. In development it migrates and seeds an empty database first;
/// in production it only checks that the database is migrated.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the web server (development: migrate and seed demo data first).")

    @ArgumentParser.Option(name: .long, help: "Address to listen on (default: HOST or 127.0.0.1).")
    var hostname: String?

    @ArgumentParser.Option(name: .long, help: "Port to listen on (default: PORT or 8080).")
    var port: Int?

    /// The environment's configuration with this command's options applied.
    func configuration() throws -> AppConfig {
        var config = try AppConfig.fromEnvironment(CommandOutput.environment)
        if let hostname { config.hostname = hostname }
        if let port {
            guard (1...65535).contains(port) else { throw CommandFailure.input("--port must be between 1 and 65535.") }
            config.port = port
        }
        return config
    }

    func run() async throws {
        let config = try configuration()
        GonioRuntime.bootstrapLogging(config)
        GonioRuntime.raiseOpenFileLimit()
        try await GonioRuntime.withApplication(config, command: "serve") { app in
            try await prepareToServe(app, config: config)
            try await app.execute()
        }
    }

    /// Development: migrate and seed an empty database, then say where to go and how to sign in.
    /// Production never migrates or seeds implicitly: run `gonio migrate` first.
    func prepareToServe(_ app: Application, config: AppConfig) async throws {
        // Reminders and other queued work run beside the server (GONIO_JOBS=off: not here).
        if config.runJobs { app.lifecycle.use(JobWorker()) }
        if config.isProduction {
            try await app.migrator.setupIfNeeded().get()
            let pending = try await app.migrator.previewPrepareBatch().get()
            guard pending.isEmpty else { throw CommandFailure("The database needs migrating: run `gonio migrate` first.") }
            return
        }
        try await app.autoMigrate()
        var seeded = false
        if config.seedDemoData {
            seeded = try await DemoSeed.seedIfEmpty(app.systemContext("seed"))
        }
        CommandOutput.current.line(Self.banner(config, seeded: seeded))
    }

    /// Where to go and how to sign in, with the address actually served.
    static func banner(_ config: AppConfig, seeded: Bool) -> String {
        var lines = ["", "Gonio is starting on http://\(config.hostname):\(config.port)  (database: \(config.database.kindName))"]
        if config.seedDemoData {
            lines.append(seeded ? "Demo data seeded. Sign in with password \(DemoSeed.password) as:" :
                                  "Demo logins (password \(DemoSeed.password)) if this database was seeded:")
            for login in DemoSeed.logins { lines.append("  \(login.email.padding(toLength: 24, withPad: " ", startingAt: 0)) \(login.who)") }
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}

/// `gonio migrate`: apply pending migrations, or revert the last batch.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations (or revert the last batch).")

    @ArgumentParser.Flag(name: .long, help: "Revert the most recent batch of migrations instead (asks for --yes).")
    var revert = false

    @ArgumentParser.Flag(name: .shortAndLong, help: "Confirm without asking (needed with --revert).")
    var yes = false

    func run() async throws {
        let config = try AppConfig.fromEnvironment(CommandOutput.environment)
        GonioRuntime.bootstrapLogging(config)
        try await GonioRuntime.withApplication(config, command: "migrate") { app in
            let out = CommandOutput.current
            if revert {
                guard yes else { throw CommandFailure.input("Reverting drops data: run `gonio migrate --revert --yes` to confirm.") }
                try await app.migrator.setupIfNeeded().get()
                let batch = try await app.migrator.previewRevertLastBatch().get()
                try await app.migrator.revertLastBatch().get()
                out.line(batch.isEmpty ? "Nothing to revert." : "Reverted \(batch.count) migration(s): \(batch.map { $0.0.name }.joined(separator: ", ")).")
                return
            }
            try await app.migrator.setupIfNeeded().get()
            let pending = try await app.migrator.previewPrepareBatch().get()
            try await app.autoMigrate()
            out.line(pending.isEmpty ? "The database is up to date." : "Applied \(pending.count) migration(s): \(pending.map { $0.0.name }.joined(separator: ", ")).")
        }
    }
}

/// Building, running and stopping the application for a command.
enum GonioRuntime {
    /// Logging can be set up once per process: the first command to run sets it.
    nonisolated(unsafe) private static var loggingBootstrapped = false
    private static let loggingLock = NSLock()

    static func bootstrapLogging(_ config: AppConfig) {
        loggingLock.withLock {
            guard !loggingBootstrapped else { return }
            loggingBootstrapped = true
            LoggingSystem.bootstrap { label in
                var handler: any LogHandler = config.jsonLogs ? JSONLogHandler(label: label) : StreamLogHandler.standardOutput(label: label)
                handler.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
                return handler
            }
        }
    }

    /// Many idle or slow connections each hold a file descriptor: allow as many as the system's
    /// hard limit rather than the usual 1,024.
    static func raiseOpenFileLimit() {
        #if canImport(Glibc)
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        #endif
    }

    /// Builds the application, runs `body`, and always shuts it down. A database that cannot be
    /// reached is reported in one line, not a crash.
    static func withApplication(_ config: AppConfig, command: String, _ body: (Application) async throws -> Void) async throws {
        let env = Environment(name: config.isProduction ? "production" : "development", arguments: ["gonio", command])
        let app = try await Application.make(env)
        do {
            try await configure(app, config: config)
            try await prepareDatabase(app)
            try await body(app)
        } catch {
            try? await app.asyncShutdown()
            throw describe(error, config: config)
        }
        try await app.asyncShutdown()
    }

    /// A start-up failure in words an operator can act on.
    static func describe(_ error: any Error, config: AppConfig) -> any Error {
        switch error {
        case is CommandFailure, is AppConfig.Problem, is DomainError:
            return error
        case let e as PSQLError where e.code == .connectionError || e.code == .unexpectedBackendMessage:
            return CommandFailure("Cannot reach the database at \(config.database.location) (DATABASE_URL): is PostgreSQL running there?")
        case let e as PSQLError:
            let state = e.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return CommandFailure("The database at \(config.database.location) refused: \(e.serverInfo?[.message] ?? String(describing: e.code))\(state).")
        case let e as any DatabaseError where e.isConnectionClosed:
            return CommandFailure("Lost the connection to the database at \(config.database.location).")
        default:
            let text = String(describing: error)
            if text.contains("connect") || text.contains("Connection refused") {
                return CommandFailure("Cannot reach the database at \(config.database.location): \(text.prefix(200))")
            }
            return CommandFailure("Could not \(error is Abort ? "serve" : "start"): \(text.prefix(300))")
        }
    }
}
