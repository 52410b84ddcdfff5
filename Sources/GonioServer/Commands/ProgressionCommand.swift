import ArgumentParser
import Foundation
import GonioCore

/// `gonio progression suggest --input FILE|-`: the progression engine for scripts and checks.
/// Reads `{"prescription": {...}, "baselineMorningPain": n, "logs": [...]}` and prints
/// `{"decision","rule","reasons","change","rulesVersion"}`. Bad input: a message, exit 2.
struct ProgressionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "progression",
        abstract: "Progression suggestions from an exercise's logs (JSON in, JSON out).",
        subcommands: [Suggest.self, Rules.self])

    func run() throws {
        throw CommandFailure.input("choose what to do: 'gonio progression suggest --input FILE' or 'gonio progression rules' (see 'gonio progression --help').")
    }

    struct Suggest: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Progress, hold or regress one exercise, with the rule and reasons.")

        @Option(name: .long, help: "A JSON file of the prescription and the logs since it last changed; '-' reads standard input.")
        var input: String

        func run() throws {
            let text = try Motion.read(input)
            let parsed = try Self.decode(text)
            let suggestion = Progression.suggest(try parsed.validated())
            CommandOutput.current.line(try ClinicalOutput.json(suggestion))
        }

        /// Decodes the input, naming the field a mistake is in.
        static func decode(_ text: String) throws -> ProgressionInput {
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw CommandFailure.input("the input is empty.") }
            do {
                return try JSONDecoder().decode(ProgressionInput.self, from: Data(text.utf8))
            } catch let DecodingError.keyNotFound(key, context) {
                throw CommandFailure.input("\(Self.path(context.codingPath + [key])) is missing.")
            } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
                throw CommandFailure.input("\(Self.path(context.codingPath)) has the wrong type or is null where a value is needed.")
            } catch let DecodingError.dataCorrupted(context) {
                throw CommandFailure.input(context.codingPath.isEmpty ? "the input is not valid JSON." : "\(Self.path(context.codingPath)): \(context.debugDescription)")
            } catch let domain as DomainError {
                throw CommandFailure.input(domain.message)
            }
        }

        static func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { path, key in
                if let index = key.intValue { return path + "[\(index)]" }
                return path.isEmpty ? key.stringValue : path + "." + key.stringValue
            }.ifEmpty("the input")
        }
    }

    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The rules' thresholds and steps in force (defaults from CLINICAL.md §6).")

        func run() throws {
            CommandOutput.current.line(try ClinicalOutput.json(ProgressionRules()))
        }
    }
}

private extension String {
    func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}
