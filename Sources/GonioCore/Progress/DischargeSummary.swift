/// What a course of care achieved, for the discharge visit and for the patient to keep: goals
/// met, each outcome measure from first to last against its meaningful change, adherence over
/// the whole plan, and the maintenance exercises to keep doing.
public enum DischargeSummary {
    public enum Verdict: String, Codable, Sendable {
        case meaningfulImprovement = "meaningful-improvement"
        case someImprovement = "some-improvement"
        case noChange = "no-change"
        case worse
        case meaningfullyWorse = "meaningfully-worse"

        public var words: String {
            switch self {
            case .meaningfulImprovement: "Improved by at least the meaningful change"
            case .someImprovement: "Improved, by less than the meaningful change"
            case .noChange: "No change"
            case .worse: "Worse, by less than the meaningful change"
            case .meaningfullyWorse: "Worse by at least the meaningful change"
            }
        }
    }

    /// First to last score of a measure, judged against its meaningful change (`MeasureScoring`).
    public static func verdict(_ m: OutcomeMeasure, first: Double, last: Double) -> Verdict {
        let change = MeasureScoring.change(m, first: first, latest: last)
        if abs(change.improvement) < 1e-9 { return .noChange }
        if change.improvement > 0 { return change.meaningful ? .meaningfulImprovement : .someImprovement }
        return ProgressAlerts.worsening(m, previous: first, latest: last) ? .meaningfullyWorse : .worse
    }

    /// "3 of 4 goals met (1 partly)".
    public static func goalsLine(_ goals: [Goal]) -> String {
        guard !goals.isEmpty else { return "No goals were recorded." }
        let met = goals.count { $0.status == .met }, partly = goals.count { $0.status == .partiallyMet }
        return "\(met) of \(goals.count) goal\(goals.count == 1 ? "" : "s") met" + (partly > 0 ? " (\(partly) partly)." : ".")
    }

    /// "Sessions done: 41 of 48 (85%)."
    public static func adherenceLine(done: Int, due: Int) -> String {
        guard due > 0 else { return "No sessions were due." }
        return "Sessions done: \(done) of \(due) (\(Int((Double(done) / Double(due) * 100).rounded()))%)."
    }
}
