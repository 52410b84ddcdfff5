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

/// The home program a patient keeps after discharge, made from the plan they finished with:
/// the same exercises at the doses they reached, on fewer days. The ACSM's Position Stand on
/// exercise for adults (Garber et al., Med Sci Sports Exerc 2011;43:1334) recommends resistance,
/// flexibility and neuromotor (balance) exercise on 2–3 days a week, so each exercise keeps its
/// days up to 3 a week, once a day; warm-up and cool-down go with it. No end date: the patient
/// keeps it. The therapist reads it before it is made and can change it like any plan.
/// Uncertain: whether fewer repetitions would also do (volume for maintenance is debated);
/// the dose is kept as reached.
public enum MaintenancePlan {
    public static let phase = "maintenance"
    public static let maxDaysPerWeek = 3

    public static func from(_ plan: PlanContent, start: CalendarDay) -> PlanContent {
        let items = plan.items.map { item -> PlanItem in
            var kept = item
            kept.dose.perDay = 1
            kept.dose.daysPerWeek = min(item.dose.daysPerWeek, maxDaysPerWeek)
            // Days chosen by the therapist stay when they still fit, else the usual spread.
            if let days = item.weekdays, days.count != kept.dose.daysPerWeek { kept.weekdays = nil }
            return kept
        }
        return PlanContent(title: "Home maintenance program", startDate: start, endDate: nil, protocolID: plan.protocolID, phase: phase,
                           notes: "Keep these going at home, on \(maxDaysPerWeek) days a week or as written for each, at the doses you reached. "
                               + "If pain during an exercise goes above 5 out of 10, or does not settle by the next morning, do less and get in touch.",
                           items: items)
    }

    public static func isMaintenance(_ plan: PlanContent) -> Bool { plan.phase == phase }
}
