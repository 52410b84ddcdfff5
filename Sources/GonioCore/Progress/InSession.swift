/// The rules the guided player applies while the patient exercises, from the same rules as the
/// progression engine (a clinic's own set when it has one):
/// - pain during the exercise above `painDuringMax` stops that exercise for the day
///   (Silbernagel's 5/10, CLINICAL.md §6);
/// - form falling off over a set (the last third of its repetitions `formDropPoints` below the
///   first third, six or more scored) or `failedRepsForRest` repetitions in a row only part of
///   the way suggest a rest before carrying on.
///
/// Uncertain (not reviewed by a licensed PT): the 15-point drop and three failed repetitions
/// are our own round numbers for "tiring", not published thresholds.
public enum InSession {
    public enum Action: String, Codable, Sendable {
        case carryOn = "carry-on"
        case rest
        case stop
    }

    public struct Advice: Codable, Equatable, Sendable {
        public var action: Action
        /// Why, in the patient's words (nil when carrying on).
        public var reason: String?
        /// Which rule: `pain-limit`, `form-declining`, `failed-repetitions`.
        public var rule: String?

        public static let carryOn = Advice(action: .carryOn, reason: nil, rule: nil)
    }

    /// After the patient rates their pain during an exercise.
    public static func afterPain(_ painDuring: Double?, rules: ProgressionRules = .defaults) -> Advice {
        guard let painDuring, painDuring > rules.painDuringMax else { return .carryOn }
        return Advice(action: .stop, rule: "pain-limit",
                      reason: "Pain above \(Progression.n(rules.painDuringMax)) out of 10 is more than this exercise should cause. Stop it for today; your therapist will be told.")
    }

    /// After each repetition the camera saw in a set: the counted repetitions' form scores in
    /// order, and how many repetitions in a row just now went only part of the way.
    public static func afterRepetition(formScores: [Int], failedInARow: Int, rules: ProgressionRules = .defaults) -> Advice {
        if failedInARow >= rules.failedRepsForRest {
            return Advice(action: .rest, rule: "failed-repetitions",
                          reason: "The last \(failedInARow) repetitions did not go all the way. Take a rest before carrying on.")
        }
        if formDeclined(formScores, rules: rules) {
            return Advice(action: .rest, rule: "form-declining", reason: "Your form is slipping. Take a rest before carrying on.")
        }
        return .carryOn
    }

    /// The last third of the scores at least `formDropPoints` below the first third; needs six
    /// or more scores (fewer say nothing about a trend).
    public static func formDeclined(_ scores: [Int], rules: ProgressionRules = .defaults) -> Bool {
        guard scores.count >= 6 else { return false }
        let third = scores.count / 3
        let first = Double(scores.prefix(third).reduce(0, +)) / Double(third)
        let last = Double(scores.suffix(third).reduce(0, +)) / Double(third)
        return last <= first - Double(rules.formDropPoints)
    }
}

extension InSession.Advice {
    init(action: InSession.Action, rule: String, reason: String) {
        self.init(action: action, reason: reason, rule: rule)
    }
}

extension ProgressionRules {
    /// One rule as a clinician reads it: its key, what it means, and its value.
    public struct Described: Sendable, Equatable {
        public var key: String
        public var label: String
        public var wholeNumber: Bool
        public var value: Double
    }

    /// Every threshold and step in the order a clinician thinks of them, in plain words.
    public var described: [Described] {
        func d(_ key: CodingKeys, _ label: String, _ value: Double) -> Described { Described(key: key.rawValue, label: label, wholeNumber: false, value: value) }
        func i(_ key: CodingKeys, _ label: String, _ value: Int) -> Described { Described(key: key.rawValue, label: label, wholeNumber: true, value: Double(value)) }
        return [
            d(.painDuringMax, "Highest pain during exercise (0-10) that is acceptable; above it the exercise stops and the dose goes down", painDuringMax),
            d(.painAfterMax, "Highest pain after exercise (0-10) that is acceptable", painAfterMax),
            i(.breachLookback, "Sessions looked back over for a pain breach", breachLookback),
            d(.morningRiseAllowed, "Rise in next-morning pain over the baseline that is allowed (points)", morningRiseAllowed),
            d(.weeklyRiseMin, "Rise in the week's morning pain over the week before that counts as rising (points)", weeklyRiseMin),
            i(.sessionsToProgress, "Sessions in a row at the full dose before it goes up", sessionsToProgress),
            d(.effortToProgress, "Highest effort (Borg CR10) that still allows progress", effortToProgress),
            d(.effortTooHard, "Effort (Borg CR10) at which a short dose goes down", effortTooHard),
            d(.adherenceMin, "Share of prescribed sessions done to progress (0-1)", adherenceMin),
            i(.formScoreMin, "Lowest camera form score (0-100) that allows progress", formScoreMin),
            i(.repsStep, "Repetitions added per step", repsStep),
            i(.repsMax, "Most repetitions before a set is added", repsMax),
            i(.setsMax, "Most sets", setsMax),
            i(.holdStepSeconds, "Seconds added to a hold per step", holdStepSeconds),
            i(.holdMaxSeconds, "Longest hold (seconds)", holdMaxSeconds),
            d(.loadUpShare, "Load added per step (share, 0.05 = 5%)", loadUpShare),
            d(.loadDownShare, "Load taken off after a pain breach (share)", loadDownShare),
            i(.formDropPoints, "In a session: fall in form score over a set that suggests a rest (points)", formDropPoints),
            i(.failedRepsForRest, "In a session: repetitions in a row short of the full range that suggest a rest", failedRepsForRest),
        ]
    }
}
