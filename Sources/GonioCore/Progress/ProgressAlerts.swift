/// When the therapist's list should flag a patient between visits. Each rule is a plain
/// function over what was recorded; the server keeps an alert until the therapist marks it seen.
/// (Pain above 5/10 in a session is flagged as the log is kept: `PracticeReport.breachesPainLimit`, with the clinic's limits.)
public enum ProgressAlerts {
    public struct Rules: Codable, Equatable, Sendable {
        /// Days without any practice, with a plan in force, before the therapist hears of it
        /// (the therapist's list marks the patient from the same day).
        public var noPracticeDays = 3
        /// A rise in the week's average session pain, in NPRS points, that matters: 2 points is
        /// the NPRS's clinically important change (CLINICAL.md §1.8, Ostelo 2008).
        public var painRisePoints = 2.0
        /// Sessions needed in each week to compare them.
        public var painRiseMinSessions = 2

        public init() {}
    }

    public struct PainRise: Equatable, Sendable {
        public var before: Double
        public var now: Double
    }

    /// Session pain (the worst during or after) in the 7 days up to `today` against the 7 days
    /// before; nil unless it rose by the rule's points, with enough sessions in both weeks.
    public static func painRising(_ sessions: [(day: CalendarDay, pain: Int)], today: CalendarDay, rules: Rules = Rules()) -> PainRise? {
        let thisWeek = sessions.filter { (0..<7).contains($0.day.days(to: today)) }.map { Double($0.pain) }
        let weekBefore = sessions.filter { (7..<14).contains($0.day.days(to: today)) }.map { Double($0.pain) }
        guard thisWeek.count >= rules.painRiseMinSessions, weekBefore.count >= rules.painRiseMinSessions else { return nil }
        let now = thisWeek.reduce(0, +) / Double(thisWeek.count), before = weekBefore.reduce(0, +) / Double(weekBefore.count)
        return now - before >= rules.painRisePoints - 1e-9 ? PainRise(before: before, now: now) : nil
    }

    /// Days since the last practice when that reaches the rule's limit (counting from the plan's
    /// start when nothing was practised yet); nil otherwise, or with no plan in force.
    public static func noPractice(lastPractised: CalendarDay?, planStart: CalendarDay?, today: CalendarDay, rules: Rules = Rules()) -> Int? {
        guard let planStart, planStart <= today else { return nil }
        let from = max(lastPractised ?? planStart, planStart)
        let days = from.days(to: today)
        // Never practised: the first day of the plan is day 1 without practice.
        let idle = lastPractised == nil ? days + 1 : days
        return idle >= rules.noPracticeDays ? idle : nil
    }

    /// Whether the latest score of a measure is worse than the one before by its meaningful
    /// change (the measure's MCID, by points or percent: `MeasureScoring.change`).
    public static func worsening(_ measure: OutcomeMeasure, previous: Double, latest: Double) -> Bool {
        guard let mc = measure.meaningfulChange else { return false }
        let worse = -MeasureScoring.change(measure, first: previous, latest: latest).improvement
        guard worse > 0 else { return false }
        if let points = mc.points, worse >= points - 1e-9 { return true }
        if let percent = mc.percent, previous != 0, worse / abs(previous) * 100 >= percent - 1e-9 { return true }
        return false
    }
}
