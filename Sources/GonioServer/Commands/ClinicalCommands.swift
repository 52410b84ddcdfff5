import ArgumentParser
import Foundation
import GonioCore

/// `gonio triage ...` and `gonio measures ...`: the red-flag screen and outcome-measure scoring
/// for scripts and checks. They need no database. Output is JSON on standard output; bad input
/// prints a message on standard error and exits 2.
struct Triage: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The red-flag screen: list its questions, or evaluate answers (JSON out).",
        subcommands: [Questions.self, Evaluate.self])

    func run() throws {
        throw CommandFailure.input("choose what to do: 'gonio triage questions' or 'gonio triage evaluate --answers JSON' (see 'gonio triage --help').")
    }

    struct Questions: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every question of the screen, with its stable id and type.")

        func run() throws {
            CommandOutput.current.line(try ClinicalOutput.json(RedFlagScreen.questions.map(ClinicalOutput.QuestionOut.init)))
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The screen's outcome and reasons for a set of answers.")

        @Option(name: .long, help: "A JSON object of question id -> answer, e.g. '{\"fever\": true, \"age\": 70}'.")
        var answers: String

        func run() throws {
            let result = try RedFlagScreen.evaluate(ClinicalOutput.parseAnswerObject(answers))
            CommandOutput.current.line(try ClinicalOutput.json(result))
        }
    }
}

struct Measures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Outcome measures: list the library, or score answers (JSON out).",
        subcommands: [List.self, Score.self])

    func run() throws {
        throw CommandFailure.input("choose what to do: 'gonio measures list' or 'gonio measures score --measure CODE --answers A1,A2,...' (see 'gonio measures --help').")
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every measure with its items, score range and source.")

        func run() throws {
            CommandOutput.current.line(try ClinicalOutput.json(MeasureLibrary.all.map(ClinicalOutput.MeasureOut.init)))
        }
    }

    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Score one administration by the measure's published rules.")

        @Option(name: .long, help: "The measure's code (gonio measures list), e.g. odi.")
        var measure: String

        @Option(name: .long, help: "One value per item, comma-separated; leave a value empty for an unanswered item.")
        var answers: String

        func run() throws {
            guard let found = MeasureLibrary.measure(code: measure) else {
                throw CommandFailure.input("unknown measure '\(measure.prefix(40))'; use one of \(MeasureLibrary.all.map(\.code).joined(separator: ", ")).")
            }
            let values = try ClinicalOutput.parseAnswers(answers, measure: found)
            CommandOutput.current.line(try ClinicalOutput.json(MeasureScoring.score(found, values: values)))
        }
    }
}

/// What the clinical commands and the measure library API print.
enum ClinicalOutput {
    /// Parses `{"question-id": answer, ...}`.
    public static func parseAnswerObject(_ text: String) throws -> [String: TriageInput] {
        guard let object = try? JSONDecoder().decode([String: TriageInput].self, from: Data(text.utf8)) else {
            throw CommandFailure.input("--answers must be a JSON object of question id -> answer, e.g. '{\"fever\": true, \"age\": 70}'.")
        }
        return object
    }

    /// One value per item; empty = unanswered. Questionnaire answers are whole numbers.
    static func parseAnswers(_ text: String, measure: OutcomeMeasure) throws -> [Double?] {
        try text.split(separator: ",", omittingEmptySubsequences: false).enumerated().map { index, raw in
            let value = raw.trimmingCharacters(in: .whitespaces)
            if value.isEmpty { return nil }
            if measure.kind == .questionnaire || measure.items.count > 1 {
                guard let n = Int(value) else { throw CommandFailure.input("answer \(index + 1) ('\(value.prefix(20))') must be a whole number.") }
                return Double(n)
            }
            guard let n = Double(value), n.isFinite else { throw CommandFailure.input("answer \(index + 1) ('\(value.prefix(20))') must be a number.") }
            return n
        }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
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
