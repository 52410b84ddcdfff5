import Vapor
import Fluent
import GonioCore

/// The structured note editor for therapists: initial evaluation, re-evaluation and discharge
/// summary (ROM with normal ranges, strength, special tests, measures, assessment with CPT
/// complexity reasoning, plan and goals): what the form shows, and the note a posted form makes.
enum EvaluationForm {
    struct ROMRow: Encodable { var index: Int; var motions: [Choice]; var sides: [Choice]; var degrees: String }
    struct StrengthRow: Encodable { var index: Int; var muscle: String; var sides: [Choice]; var grades: [Choice] }
    struct TestRow: Encodable { var index: Int; var name: String; var sides: [Choice]; var results: [Choice] }
    struct GoalRow: Encodable { var index: Int; var id: String; var text: String; var terms: [Choice]; var date: String; var statuses: [Choice] }

    struct Context: Encodable {
        var patientId: String
        var action: String
        var back: String
        var kind: String
        var kindName: String
        var isInitial: Bool
        var subjective: String
        var rom: [ROMRow]
        var strength: [StrengthRow]
        var tests: [TestRow]
        var measures: [Choice]
        var findings: String
        var diagnosis: String
        var impairments: String
        var personalFactors: String
        var elementsExamined: String
        var presentations: [Choice]
        var complexities: [Choice]
        var reasoning: String
        var frequency: String
        var duration: String
        var interventions: String
        var goals: [GoalRow]
    }

    static let sides: [(String, String)] = [("n/a", "—"), ("left", "Left"), ("right", "Right")]

    static func options(_ pairs: [(String, String)], selected: String?) -> [Choice] {
        pairs.map { Choice(value: $0.0, label: $0.1, selected: $0.0 == selected) }
    }

    static func context(patientID: UUID, kind: NoteKind, note: SOAPNote, action: String) -> Context {
        let motions = NormalRanges.table.keys.sorted().map { key -> (String, String) in
            let r = NormalRanges.table[key]!
            return (key, "\(key.replacingOccurrences(of: "/", with: " ").replacingOccurrences(of: "-", with: " ")) (normal \(Int(r.lowerBound))–\(Int(r.upperBound))°)")
        }
        let rom = (0..<max(6, note.objective.rom.count)).map { i -> ROMRow in
            let m = note.objective.rom.indices.contains(i) ? note.objective.rom[i] : nil
            return ROMRow(index: i, motions: [Choice(value: "", label: "Choose", selected: m == nil)]
                            + Self.options(motions, selected: m.map { "\($0.joint)/\($0.motion)" }),
                          sides: Self.options(Self.sides, selected: m?.side.rawValue ?? "n/a"),
                          degrees: m.map { MeasureRoutes.format($0.degrees) } ?? "")
        }
        let strength = (0..<max(4, note.objective.strength.count)).map { i -> StrengthRow in
            let s = note.objective.strength.indices.contains(i) ? note.objective.strength[i] : nil
            return StrengthRow(index: i, muscle: s?.muscleGroup ?? "", sides: Self.options(Self.sides, selected: s?.side.rawValue ?? "n/a"),
                               grades: Self.options(StrengthMeasurement.grades.map { ($0, $0) }, selected: s?.grade ?? "5"))
        }
        let tests = (0..<max(3, note.objective.specialTests.count)).map { i -> TestRow in
            let t = note.objective.specialTests.indices.contains(i) ? note.objective.specialTests[i] : nil
            return TestRow(index: i, name: t?.name ?? "", sides: Self.options(Self.sides, selected: t?.side.rawValue ?? "n/a"),
                           results: Self.options([("negative", "Negative"), ("positive", "Positive"), ("inconclusive", "Inconclusive")], selected: t?.result.rawValue ?? "negative"))
        }
        let goals = (0..<max(4, note.plan.goals.count + 1)).map { i -> GoalRow in
            let g = note.plan.goals.indices.contains(i) ? note.plan.goals[i] : nil
            return GoalRow(index: i, id: g?.id ?? "g\(i + 1)", text: g?.text ?? "",
                           terms: Self.options([("short", "Short-term"), ("long", "Long-term")], selected: g?.term.rawValue ?? (i == 0 ? "short" : "long")),
                           date: g?.targetDate.description ?? "",
                           statuses: Self.options([("not-met", "Not met"), ("partially-met", "Partly met"), ("met", "Met")], selected: g?.status.rawValue ?? "not-met"))
        }
        let a = note.assessment
        return Context(
            patientId: patientID.uuidString, action: action, back: Paths.notes(patientID), kind: kind.rawValue, kindName: kind.displayName,
            isInitial: kind == .initialEvaluation, subjective: note.subjective ?? "", rom: rom, strength: strength, tests: tests,
            measures: MeasureLibrary.all.map { Choice(value: $0.code, label: $0.name, selected: note.objective.measures.contains($0.code)) },
            findings: note.objective.findings ?? "", diagnosis: a.diagnosis ?? "", impairments: a.impairments.joined(separator: "\n"),
            personalFactors: a.personalFactors.map(String.init) ?? "", elementsExamined: a.elementsExamined.map(String.init) ?? "",
            presentations: Self.options([("stable", "Stable, uncomplicated"), ("evolving", "Evolving"), ("unstable", "Unstable, unpredictable")], selected: a.presentation?.rawValue),
            complexities: EvaluationComplexity.allCases.map { Choice(value: $0.rawValue, label: "\($0.rawValue.capitalized) (\($0.cptCode))", selected: a.complexity == $0) },
            reasoning: a.reasoning ?? "", frequency: note.plan.frequencyPerWeek.map(String.init) ?? "",
            duration: note.plan.durationWeeks.map(String.init) ?? "", interventions: note.plan.interventions ?? "", goals: goals)
    }

    /// Builds the note from the form; rows left blank are skipped.
    static func note(from f: [String: String], kind: NoteKind) throws -> SOAPNote {
        func text(_ k: String) -> String? {
            let t = f[k]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            return t.isEmpty ? nil : t
        }
        func int(_ k: String) throws -> Int? {
            guard let t = text(k) else { return nil }
            guard let n = Int(t) else { throw DomainError.invalid("number-invalid", "Enter a whole number for \(k).") }
            return n
        }
        func side(_ k: String) -> ROMMeasurement.Side { ROMMeasurement.Side(rawValue: f[k] ?? "") ?? .notApplicable }
        var n = SOAPNote()
        n.subjective = text("subjective")
        for i in 0..<20 {
            if let motion = text("rom-motion-\(i)"), let degrees = text("rom-degrees-\(i)") {
                let parts = motion.split(separator: "/").map(String.init)
                guard parts.count == 2, let d = Double(degrees) else {
                    throw DomainError.invalid("rom-incomplete", "Choose a motion and give the degrees for each range-of-motion row.")
                }
                n.objective.rom.append(ROMMeasurement(joint: parts[0], motion: parts[1], side: side("rom-side-\(i)"), degrees: d))
            }
            if let muscle = text("str-muscle-\(i)") {
                n.objective.strength.append(StrengthMeasurement(muscleGroup: muscle, side: side("str-side-\(i)"), grade: f["str-grade-\(i)"] ?? ""))
            }
            if let name = text("test-name-\(i)") {
                n.objective.specialTests.append(SpecialTest(name: name, side: side("test-side-\(i)"),
                                                            result: SpecialTest.Result(rawValue: f["test-result-\(i)"] ?? "") ?? .inconclusive))
            }
            if let goal = text("goal-text-\(i)") {
                guard let date = text("goal-date-\(i)") else { throw DomainError.invalid("goal-date-missing", "Give each goal a target date.") }
                n.plan.goals.append(Goal(id: text("goal-id-\(i)") ?? "g\(i + 1)", text: goal,
                                         term: Goal.Term(rawValue: f["goal-term-\(i)"] ?? "") ?? .short,
                                         targetDate: try CalendarDay(date), status: Goal.Status(rawValue: f["goal-status-\(i)"] ?? "") ?? .notMet))
            }
        }
        n.objective.measures = f.keys.filter { $0.hasPrefix("measure-") && f[$0] == "on" }.map { String($0.dropFirst(8)) }.sorted()
        n.objective.findings = text("findings")
        n.assessment.diagnosis = text("diagnosis")
        n.assessment.impairments = (text("impairments") ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if kind == .initialEvaluation {
            n.assessment.personalFactors = try int("personalFactors")
            n.assessment.elementsExamined = try int("elementsExamined")
            n.assessment.presentation = text("presentation").flatMap(Presentation.init(rawValue:))
            n.assessment.complexity = text("complexity").flatMap(EvaluationComplexity.init(rawValue:))
            n.assessment.reasoning = text("reasoning")
        }
        n.plan.frequencyPerWeek = try int("frequencyPerWeek")
        n.plan.durationWeeks = try int("durationWeeks")
        n.plan.interventions = text("interventions")
        return n
    }

}
