import Vapor
import Fluent
import Logging
import GonioCore

/// Entry point shared by the `gonio` executable: reads configuration, builds the app, and runs
/// the command named on the command line (`serve` by default, `migrate`, `seed`).
public enum GonioApp {
    public static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, ClinicalCommands.names.contains(first) {
            exit(ClinicalCommands.run(arguments))
        }
        let config: AppConfig
        do {
            config = try AppConfig.fromEnvironment()
        } catch {
            FileHandle.standardError.write(Data("gonio: configuration error: \(error)\n".utf8))
            exit(78)  // EX_CONFIG
        }
        var env = try Environment.detect()
        if config.isProduction { env = Environment(name: "production", arguments: env.arguments) }
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = config.jsonLogs ? JSONLogHandler(label: label) : StreamLogHandler.standardOutput(label: label)
            handler.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
            return handler
        }

        let app = try await Application.make(env)
        app.asyncCommands.use(SeedCommand(), as: "seed")
        do {
            try await configure(app, config: config)
            try await prepareDatabase(app)
            let command = env.arguments.dropFirst().first ?? "serve"
            if command == "serve" || command.hasPrefix("-") {
                try await prepareToServe(app, config: config)
            }
            try await app.execute()
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// Development: migrate and seed an empty database, then say where to go and how to sign in.
    /// Production never migrates or seeds implicitly: run `gonio migrate` first.
    static func prepareToServe(_ app: Application, config: AppConfig) async throws {
        if config.isProduction {
            let pending = try await app.migrator.previewPrepareBatch().get()
            guard pending.isEmpty else {
                throw GonioCommandError("The database needs migrating: run `gonio migrate` first.")
            }
            return
        }
        try await app.autoMigrate()
        var seeded = false
        if config.seedDemoData {
            seeded = try await DemoSeed.seedIfEmpty(app.db, passwordCost: config.passwordCost)
        }
        var lines = ["", "Gonio is starting on http://\(config.hostname):\(config.port)  (database: \(config.database.kindName))"]
        if config.seedDemoData {
            lines.append(seeded ? "Demo data seeded. Sign in with password \(DemoSeed.password) as:" :
                                  "Demo logins (password \(DemoSeed.password)) if this database was seeded:")
            for login in DemoSeed.logins { lines.append("  \(login.email.padding(toLength: 24, withPad: " ", startingAt: 0)) \(login.who)") }
        }
        lines.append("")
        print(lines.joined(separator: "\n"))
    }
}

/// One JSON object per line, for log collectors. Metadata carries ids only, never patient data.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
             source: String, file: String, function: String, line: UInt) {
        var fields: [String: String] = [
            "ts": ISO8601DateFormatter().string(from: Date()), "level": level.rawValue, "label": label,
            "msg": message.description,
        ]
        for (k, v) in metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }) { fields[k] = "\(v)" }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}
