import Foundation
import GonioCore

/// `gonio triage ...` and `gonio measures ...`: the red-flag screen and outcome-measure scoring
/// for scripts and checks. They need no database, so they run before the server is built.
/// Output is JSON on standard output; bad input prints a message on standard error and exits 2.
public enum ClinicalCommands {
    public static let names: Set<String> = ["triage", "measures"]

    public struct Failure: Error {
        public var message: String
    }

    /// Runs the command; returns the process exit code.
    public static func run(_ arguments: [String], output: (String) -> Void = { print($0) },
                           errorOutput: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) -> Int32 {
        do {
            output(try execute(arguments))
            return 0
        } catch let failure as Failure {
            errorOutput("gonio: \(failure.message)")
        } catch let domain as DomainError {
            errorOutput("gonio: \(domain.message) (\(domain.code))")
        } catch {
            errorOutput("gonio: \(error)")
        }
        return 2
    }

    static let usage = """
        usage: gonio triage questions
               gonio triage evaluate --answers '{"question-id": true, "age": 70}'
               gonio measures list
               gonio measures score --measure CODE --answers A1,A2,...
        """

    public static func execute(_ arguments: [String]) throws -> String {
        guard arguments.count >= 2 else { throw Failure(message: usage) }
        let options = try parseOptions(Array(arguments.dropFirst(2)))
        switch (arguments[0], arguments[1]) {
        case ("triage", "questions"):
            try expectOptions(options, [])
            return try json(RedFlagScreen.questions.map(QuestionOut.init))
        case ("triage", "evaluate"):
            try expectOptions(options, ["answers"])
            guard let text = options["answers"] else { throw Failure(message: "--answers is required: a JSON object of question id -> answer.") }
            return try json(RedFlagScreen.evaluate(parseAnswerObject(text)))
        case ("measures", "list"):
            try expectOptions(options, [])
            return try json(MeasureLibrary.all.map(MeasureOut.init))
        case ("measures", "score"):
            try expectOptions(options, ["measure", "answers"])
            guard let code = options["measure"] else { throw Failure(message: "--measure is required (one of \(MeasureLibrary.all.map(\.code).joined(separator: ", ").description)).") }
            guard let measure = MeasureLibrary.measure(code: code) else {
                throw Failure(message: "unknown measure '\(code.prefix(40))'; use one of \(MeasureLibrary.all.map(\.code).joined(separator: ", ")).")
            }
            guard let answers = options["answers"] else { throw Failure(message: "--answers is required: one value per item, comma-separated; leave a value empty for an unanswered item.") }
            return try json(MeasureScoring.score(measure, values: parseAnswers(answers, measure: measure)))
        default:
            throw Failure(message: "unknown command '\(arguments.prefix(2).joined(separator: " "))'.\n\(usage)")
        }
    }

    /// `--name value` or `--name=value`; every option takes a value.
    static func parseOptions(_ args: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        var i = 0
        while i < args.count {
            let arg = args[i]
            guard arg.hasPrefix("--"), arg.count > 2 else { throw Failure(message: "unexpected argument '\(arg.prefix(40))'.\n\(usage)") }
            var name = String(arg.dropFirst(2)), value: String
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            } else {
                guard i + 1 < args.count else { throw Failure(message: "--\(name) needs a value.") }
                value = args[i + 1]
                i += 1
            }
            guard result[name] == nil else { throw Failure(message: "--\(name) is given twice.") }
            result[name] = value
            i += 1
        }
        return result
    }

    static func expectOptions(_ options: [String: String], _ allowed: Set<String>) throws {
        if let extra = options.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw Failure(message: "unknown option --\(extra.prefix(40)).\n\(usage)")
        }
    }

    /// Parses `{"question-id": answer, ...}`.
    public static func parseAnswerObject(_ text: String) throws -> [String: TriageInput] {
        guard let object = try? JSONDecoder().decode([String: TriageInput].self, from: Data(text.utf8)) else {
            throw Failure(message: "--answers must be a JSON object of question id -> answer, e.g. '{\"fever\": true, \"age\": 70}'.")
        }
        return object
    }

    /// One value per item; empty = unanswered. Questionnaire answers are whole numbers.
    static func parseAnswers(_ text: String, measure: OutcomeMeasure) throws -> [Double?] {
        try text.split(separator: ",", omittingEmptySubsequences: false).enumerated().map { index, raw in
            let value = raw.trimmingCharacters(in: .whitespaces)
            if value.isEmpty { return nil }
            if measure.kind == .questionnaire || measure.items.count > 1 {
                guard let n = Int(value) else { throw Failure(message: "answer \(index + 1) ('\(value.prefix(20))') must be a whole number.") }
                return Double(n)
            }
            guard let n = Double(value), n.isFinite else { throw Failure(message: "answer \(index + 1) ('\(value.prefix(20))') must be a number.") }
            return n
        }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    struct QuestionOut: Encodable {
        var id: String
        var text: String
        var type: String
        var options: [String]?
        var minimum: Double?
        var maximum: Double?

        init(_ q: TriageQuestion) {
            id = q.id
            text = q.text
            type = q.type.rawValue
            options = q.type == .boolean ? ["true", "false"] : nil
            minimum = q.minimum
            maximum = q.maximum
        }
    }

    struct MeasureOut: Encodable {
        struct ItemOut: Encodable {
            var id: String
            var text: String
            var options: [OutcomeMeasure.Option]
        }
        var code: String
        var name: String
        var kind: String
        var items: [ItemOut]
        var scoreRange: [Double]
        var direction: String
        var source: String

        init(_ m: OutcomeMeasure) {
            code = m.code
            name = m.name
            kind = m.kind.rawValue
            items = m.items.map { ItemOut(id: $0.id, text: $0.text, options: $0.options) }
            scoreRange = [m.scoreRange.lowerBound, m.scoreRange.upperBound]
            direction = m.direction.rawValue
            source = m.source
        }
    }
}
