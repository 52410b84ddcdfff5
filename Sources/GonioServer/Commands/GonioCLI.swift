import ArgumentParser
import Foundation
import GonioCore

/// `gonio`: one command line, one parser. `gonio --help` and `gonio help` list every command
/// and touch nothing; `--help` on a command prints its usage and nothing else; an unknown
/// command or option prints a short usage message and exits 2.
struct GonioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gonio",
        abstract: "Gonio: physical therapy at home with a licensed therapist, self-hosted.",
        discussion: """
            Configuration is read from the environment (GONIO_ENV, GONIO_DATA_DIR, DATABASE_URL, GONIO_SECRET, ...); \
            the README lists every variable. Without DATABASE_URL, Gonio uses SQLite in GONIO_DATA_DIR (./data).
            """,
        subcommands: [Serve.self, Migrate.self, Seed.self, Measures.self, Triage.self, Motion.self, ProgressionCommand.self, BillingCommand.self, RTMCommand.self],
        defaultSubcommand: Serve.self)
}

/// Where commands write: standard output and error, or a test's buffers.
final class CommandOutput: @unchecked Sendable {
    private let lock = NSLock()
    private let out: (String) -> Void
    private let err: (String) -> Void

    init(out: @escaping (String) -> Void, err: @escaping (String) -> Void) {
        self.out = out
        self.err = err
    }

    static let standard = CommandOutput(out: { print($0) }, err: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })

    @TaskLocal static var current = CommandOutput.standard

    /// The environment commands read their configuration from (a test sets its own).
    @TaskLocal static var environment: [String: String] = ProcessInfo.processInfo.environment

    func line(_ text: String) { lock.withLock { out(text) } }
    func error(_ text: String) { lock.withLock { err(text) } }
}

/// A failure a command reports in one line, with the exit status it should end with.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var status: Int32

    init(_ message: String, status: Int32 = 1) {
        description = message
        self.status = status
    }

    /// Bad input to a command (exit 2, like a usage error).
    static func input(_ message: String) -> CommandFailure { CommandFailure(message, status: 2) }
}

public enum GonioCLI {
    /// Runs the command line and returns the exit status: 0, 1 (the work failed), 2 (bad usage
    /// or input), 78 (bad configuration).
    public static func run(_ arguments: [String]) async -> Int32 {
        await run(arguments, output: CommandOutput.standard)
    }

    static func run(_ arguments: [String], environment: [String: String]? = nil, output: @escaping (String) -> Void,
                    errorOutput: @escaping (String) -> Void) async -> Int32 {
        await CommandOutput.$environment.withValue(environment ?? ProcessInfo.processInfo.environment) {
            await run(arguments, output: CommandOutput(out: output, err: errorOutput))
        }
    }

    static func run(_ arguments: [String], output: CommandOutput) async -> Int32 {
        await CommandOutput.$current.withValue(output) {
            // `serve` is the default, so a mistyped command would read as an argument to it.
            let names = GonioCommand.configuration.subcommands.map { $0._commandName } + ["help"]
            if let first = arguments.first, !first.hasPrefix("-"), !names.contains(first) {
                output.error("gonio: unknown command '\(first.prefix(40))'. Commands: \(names.dropLast().joined(separator: ", ")). See 'gonio --help'.")
                return 2
            }
            do {
                var command = try GonioCommand.parseAsRoot(arguments)
                if var command = command as? any AsyncParsableCommand {
                    try await command.run()
                } else {
                    try command.run()
                }
                return 0
            } catch let failure as CommandFailure {
                output.error("gonio: \(failure.description)")
                return failure.status
            } catch let domain as DomainError {
                output.error("gonio: \(domain.message) (\(domain.code))")
                return 2
            } catch let problem as AppConfig.Problem {
                output.error("gonio: configuration error: \(problem.description)")
                return 78
            } catch {
                let code = GonioCommand.exitCode(for: error)
                let message = GonioCommand.fullMessage(for: error)
                if code == .success {
                    if !message.isEmpty { output.line(message) }
                    return 0
                }
                if code == .validationFailure {
                    // A usage mistake: the message, the usage line, and where help is.
                    output.error(message.isEmpty ? "gonio: unknown usage; see 'gonio --help'." : message)
                    return 2
                }
                if !message.isEmpty { output.error("gonio: \(message)") }
                return code.rawValue
            }
        }
    }
}
