/// What a patient (or a caregiver) reports after an exercise, checked before it is kept.
public struct PracticeReport: Equatable, Sendable {
    /// How hard it felt, in the patient's words.
    public enum Feeling: String, Codable, Sendable, CaseIterable {
        case tooEasy = "too-easy"
        case aboutRight = "about-right"
        case tooHard = "too-hard"

        public var displayName: String {
            switch self {
            case .tooEasy: "Too easy"
            case .aboutRight: "About right"
            case .tooHard: "Too hard"
            }
        }
    }

    public var outcome: PracticeSchedule.Outcome
    public var setsDone: Int
    /// Repetitions over all sets (0 for holds).
    public var repsDone: Int
    /// NPRS 0-10 (CLINICAL.md §1.8): before the exercise, the worst during it, and after it.
    public var painBefore: Int?
    public var painDuring: Int?
    public var painAfter: Int?
    /// Borg CR10 rating of perceived exertion, 0-10 (Borg 1982). Whole numbers only: the
    /// scale's 0.5 and "maximal" (above 10) are not offered.
    public var effort: Int?
    public var feeling: Feeling?
    public var note: String?
    /// What motion tracking counted and measured, when the exercise was tracked.
    public var motion: MotionSummary?

    public init(outcome: PracticeSchedule.Outcome, setsDone: Int, repsDone: Int, painBefore: Int? = nil, painDuring: Int? = nil,
                painAfter: Int? = nil, effort: Int? = nil, feeling: Feeling? = nil, note: String? = nil, motion: MotionSummary? = nil) {
        self.motion = motion
        self.outcome = outcome
        self.setsDone = setsDone
        self.repsDone = repsDone
        self.painBefore = painBefore
        self.painDuring = painDuring
        self.painAfter = painAfter
        self.effort = effort
        self.feeling = feeling
        self.note = note
    }

    public func validated() throws(DomainError) -> PracticeReport {
        var report = self
        guard (0...20).contains(setsDone) else { throw .invalid("sets-invalid", "Sets done must be 0 to 20.") }
        guard (0...1000).contains(repsDone) else { throw .invalid("reps-invalid", "Repetitions done must be 0 to 1000.") }
        for (name, value) in [("Pain before", painBefore), ("Pain during", painDuring), ("Pain after", painAfter)] {
            if let value, !(0...10).contains(value) { throw .invalid("pain-invalid", "\(name) is a number from 0 (none) to 10 (worst).") }
        }
        if let effort, !(0...10).contains(effort) { throw .invalid("effort-invalid", "Effort is a number from 0 (none) to 10 (maximal).") }
        if outcome == .skipped, setsDone > 0 || repsDone > 0 {
            throw .invalid("skipped-with-work", "A skipped exercise has no sets or repetitions done.")
        }
        report.note = try PlanContent.text(note, "The note", 1000)
        report.motion = try motion?.validated()
        if outcome == .skipped, motion != nil { throw .invalid("skipped-with-work", "A skipped exercise has no tracked movement.") }
        return report
    }

    /// The pain-monitoring rule (CLINICAL.md §6; Silbernagel et al., Am J Sports Med 2007;35:897):
    /// pain during or after exercise may reach 5/10; above it the exercise should stop and the
    /// therapist hears of it. (That it must also settle by the next morning is for the
    /// therapist to follow up: a log cannot know the next morning.)
    /// A clinic may set its own limits (`ProgressionRules`); the defaults are 5/10.
    public func breachesPainLimit(_ rules: ProgressionRules = .defaults) -> Bool {
        (painDuring.map { Double($0) > rules.painDuringMax } ?? false) || (painAfter.map { Double($0) > rules.painAfterMax } ?? false)
    }

    /// The worst pain reported during or after.
    public var worstPain: Int? { [painDuring, painAfter].compactMap { $0 }.max() }
}
