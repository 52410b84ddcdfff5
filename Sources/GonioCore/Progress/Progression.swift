/// The progression engine: from an exercise's logs since its dose last changed, whether to
/// progress, hold or regress it, with the rule that decided and the numbers behind it in plain
/// words. It only suggests: the therapist accepts, edits or dismisses.
///
/// Rules (CLINICAL.md §6):
/// - Silbernagel pain-monitoring model (Am J Sports Med 2007;35:897): pain during exercise may
///   reach 5/10, pain after it 5/10 if it has settled by the next morning, and morning pain must
///   not rise from week to week. A breach reduces the load.
/// - ACSM Position Stand 2009 (Ratamess et al., MSSE 2009;41:687): raise the load when the
///   current dose is done with repetitions to spare; NSCA's "2-for-2" asks for that on two
///   sessions in a row, which is what "tolerated" means here.
/// - Effort on Borg CR10: 7 is "very hard" (RPE 8 ≈ 2 repetitions in reserve, Zourdos 2016).
///
/// Missing data never moves a dose up: a session counts towards progressing only when its pain
/// during, its sets and repetitions and its effort were recorded, and the mornings after must
/// have been recorded for them (all but the latest, whose morning may not have come). Missing
/// data may still show a breach (one recorded high pain is enough to regress).
///
/// Uncertain (not reviewed by a licensed PT): the effort limits (6 to progress, 7 with a short
/// dose to regress), the adherence floor, the steps, and looking back three sessions for pain.
public struct ProgressionRules: Codable, Equatable, Sendable {
    /// Bumped whenever a default changes, so a suggestion records the rules it came from.
    public var version: Int = 1
    /// Silbernagel: pain above this during exercise (0-10) is "high risk".
    public var painDuringMax: Double = 5
    /// Pain after exercise above this is a breach.
    public var painAfterMax: Double = 5
    /// How many of the latest sessions a pain breach is looked for in.
    public var breachLookback: Int = 3
    /// Morning pain above the baseline by more than this is a breach (0: any rise).
    public var morningRiseAllowed: Double = 0
    /// A week's mean morning pain above the week before's by more than this is a rising trend
    /// (Silbernagel: it must not rise from week to week).
    public var weeklyRiseMin: Double = 0
    /// Sessions in a row that must tolerate the full dose before it goes up.
    public var sessionsToProgress: Int = 2
    /// Effort (Borg CR10) at most this, in every tolerated session, to progress.
    public var effortToProgress: Double = 6
    /// A short dose at this effort or more in the latest `sessionsToProgress` sessions regresses.
    public var effortTooHard: Double = 7
    /// Sessions done as a share of those prescribed, at least, to progress.
    public var adherenceMin: Double = 0.7
    /// A tracked form score below this holds the dose.
    public var formScoreMin: Int = 70
    /// Steps: repetitions up to `repsMax`, then a set up to `setsMax`, then the hold or load.
    public var repsStep: Int = 2
    public var repsMax: Int = 15
    public var setsMax: Int = 4
    public var holdStepSeconds: Int = 5
    public var holdMaxSeconds: Int = 60
    /// Load up by this share (ACSM 2–10%), down by `loadDownShare` on a breach.
    public var loadUpShare: Double = 0.05
    public var loadDownShare: Double = 0.1
    /// In session (`InSession`): the last third of a set's form scores this many points below
    /// the first third suggests a rest.
    public var formDropPoints: Int = 15
    /// In session: this many repetitions in a row only part of the way suggest a rest.
    public var failedRepsForRest: Int = 3

    public init() {}

    /// The defaults of CLINICAL.md §6 (version 1). A clinic's own set starts from these.
    public static let defaults = ProgressionRules()

    enum CodingKeys: String, CodingKey, CaseIterable {
        case version, painDuringMax, painAfterMax, breachLookback, morningRiseAllowed, weeklyRiseMin, sessionsToProgress
        case effortToProgress, effortTooHard, adherenceMin, formScoreMin, repsStep, repsMax, setsMax, holdStepSeconds
        case holdMaxSeconds, loadUpShare, loadDownShare, formDropPoints, failedRepsForRest
    }

    /// Any field left out keeps its default, so a clinic changes only what it means to.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ProgressionRules()
        func v<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        version = try v(.version, d.version)
        painDuringMax = try v(.painDuringMax, d.painDuringMax)
        painAfterMax = try v(.painAfterMax, d.painAfterMax)
        breachLookback = try v(.breachLookback, d.breachLookback)
        morningRiseAllowed = try v(.morningRiseAllowed, d.morningRiseAllowed)
        weeklyRiseMin = try v(.weeklyRiseMin, d.weeklyRiseMin)
        sessionsToProgress = try v(.sessionsToProgress, d.sessionsToProgress)
        effortToProgress = try v(.effortToProgress, d.effortToProgress)
        effortTooHard = try v(.effortTooHard, d.effortTooHard)
        adherenceMin = try v(.adherenceMin, d.adherenceMin)
        formScoreMin = try v(.formScoreMin, d.formScoreMin)
        repsStep = try v(.repsStep, d.repsStep)
        repsMax = try v(.repsMax, d.repsMax)
        setsMax = try v(.setsMax, d.setsMax)
        holdStepSeconds = try v(.holdStepSeconds, d.holdStepSeconds)
        holdMaxSeconds = try v(.holdMaxSeconds, d.holdMaxSeconds)
        loadUpShare = try v(.loadUpShare, d.loadUpShare)
        loadDownShare = try v(.loadDownShare, d.loadDownShare)
        formDropPoints = try v(.formDropPoints, d.formDropPoints)
        failedRepsForRest = try v(.failedRepsForRest, d.failedRepsForRest)
    }

    /// Refuses a set a clinic could not mean: every value on its scale, and the limits in an
    /// order that leaves room to progress (effort to progress below effort too hard).
    /// The ranges are wide on purpose: they catch typing slips, not clinical judgement.
    public func validated() throws(DomainError) -> ProgressionRules {
        func within(_ value: Double, _ name: String, _ range: ClosedRange<Double>) throws(DomainError) {
            guard value.isFinite, range.contains(value) else {
                throw .invalid("rules-invalid", "\(name) is \(Progression.n(range.lowerBound)) to \(Progression.n(range.upperBound)).")
            }
        }
        func within(_ value: Int, _ name: String, _ range: ClosedRange<Int>) throws(DomainError) {
            guard range.contains(value) else { throw .invalid("rules-invalid", "\(name) is \(range.lowerBound) to \(range.upperBound).") }
        }
        try within(painDuringMax, "painDuringMax", 0...10)
        try within(painAfterMax, "painAfterMax", 0...10)
        try within(breachLookback, "breachLookback", 1...10)
        try within(morningRiseAllowed, "morningRiseAllowed", 0...5)
        try within(weeklyRiseMin, "weeklyRiseMin", 0...5)
        try within(sessionsToProgress, "sessionsToProgress", 1...10)
        try within(effortToProgress, "effortToProgress", 0...10)
        try within(effortTooHard, "effortTooHard", 0...10)
        try within(adherenceMin, "adherenceMin", 0...1)
        try within(formScoreMin, "formScoreMin", 0...100)
        try within(repsStep, "repsStep", 1...10)
        try within(repsMax, "repsMax", 3...100)
        try within(setsMax, "setsMax", 1...10)
        try within(holdStepSeconds, "holdStepSeconds", 1...60)
        try within(holdMaxSeconds, "holdMaxSeconds", 5...600)
        try within(loadUpShare, "loadUpShare", 0.01...0.25)
        try within(loadDownShare, "loadDownShare", 0.01...0.5)
        try within(formDropPoints, "formDropPoints", 5...50)
        try within(failedRepsForRest, "failedRepsForRest", 2...10)
        guard effortToProgress < effortTooHard else {
            throw .invalid("rules-invalid", "effortToProgress must be below effortTooHard, or no dose could both progress and be too hard.")
        }
        guard version >= 1 else { throw .invalid("rules-invalid", "version is 1 or more.") }
        return self
    }
}

public struct Prescription: Codable, Equatable, Sendable {
    public var sets: Int?
    public var reps: Int?
    public var holdSeconds: Int?
    public var sessionsPerWeek: Int?
    /// External load in kilograms, if any.
    public var loadKg: Double?

    public init(sets: Int? = nil, reps: Int? = nil, holdSeconds: Int? = nil, sessionsPerWeek: Int? = nil, loadKg: Double? = nil) {
        self.sets = sets
        self.reps = reps
        self.holdSeconds = holdSeconds
        self.sessionsPerWeek = sessionsPerWeek
        self.loadKg = loadKg
    }
}

/// One session of the exercise. Any field may be nil: not recorded.
public struct SessionRecord: Codable, Equatable, Sendable {
    public var date: CalendarDay
    public var setsDone: Int?
    public var repsDone: [Int]?
    public var painDuring: Double?
    public var painAfter: Double?
    public var painNextMorning: Double?
    /// Borg CR10, 0-10.
    public var effort: Double?
    /// From motion tracking, 0-100.
    public var formScore: Int?

    enum CodingKeys: String, CodingKey {
        case date, setsDone, repsDone, painDuring, painAfter, painNextMorning, effort, formScore
    }

    /// As synthesised, but a bad date names its log (`logs[2].date`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let text = try c.decode(String.self, forKey: .date)
        do {
            date = try CalendarDay(text)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .date, in: c, debugDescription: "Give the date as YYYY-MM-DD, a real day.")
        }
        setsDone = try c.decodeIfPresent(Int.self, forKey: .setsDone)
        repsDone = try c.decodeIfPresent([Int].self, forKey: .repsDone)
        painDuring = try c.decodeIfPresent(Double.self, forKey: .painDuring)
        painAfter = try c.decodeIfPresent(Double.self, forKey: .painAfter)
        painNextMorning = try c.decodeIfPresent(Double.self, forKey: .painNextMorning)
        effort = try c.decodeIfPresent(Double.self, forKey: .effort)
        formScore = try c.decodeIfPresent(Int.self, forKey: .formScore)
    }

    public init(date: CalendarDay, setsDone: Int? = nil, repsDone: [Int]? = nil, painDuring: Double? = nil, painAfter: Double? = nil,
                painNextMorning: Double? = nil, effort: Double? = nil, formScore: Int? = nil) {
        self.date = date
        self.setsDone = setsDone
        self.repsDone = repsDone
        self.painDuring = painDuring
        self.painAfter = painAfter
        self.painNextMorning = painNextMorning
        self.effort = effort
        self.formScore = formScore
    }
}

public struct ProgressionInput: Codable, Equatable, Sendable {
    public var prescription: Prescription
    public var baselineMorningPain: Double?
    public var logs: [SessionRecord]

    public init(prescription: Prescription, baselineMorningPain: Double? = nil, logs: [SessionRecord]) {
        self.prescription = prescription
        self.baselineMorningPain = baselineMorningPain
        self.logs = logs
    }

    /// Refuses values outside their scales, naming the field and the log.
    public func validated() throws(DomainError) -> ProgressionInput {
        let p = prescription
        func positive(_ value: Int?, _ name: String, max: Int) throws(DomainError) {
            if let value, !(1...max).contains(value) { throw .invalid("prescription-invalid", "prescription.\(name) is 1 to \(max).") }
        }
        try positive(p.sets, "sets", max: 20)
        try positive(p.reps, "reps", max: 200)
        try positive(p.holdSeconds, "holdSeconds", max: 3600)
        try positive(p.sessionsPerWeek, "sessionsPerWeek", max: 21)
        if let load = p.loadKg, !(load.isFinite && load >= 0 && load <= 500) { throw .invalid("prescription-invalid", "prescription.loadKg is 0 to 500.") }
        guard p.reps != nil || p.holdSeconds != nil else {
            throw .invalid("prescription-invalid", "The prescription needs reps or holdSeconds.")
        }
        func scale(_ value: Double?, _ name: String) throws(DomainError) {
            if let value, !(value.isFinite && (0...10).contains(value)) { throw .invalid("value-out-of-range", "\(name) is 0 to 10.") }
        }
        try scale(baselineMorningPain, "baselineMorningPain")
        guard logs.count <= 1000 else { throw .invalid("too-many-logs", "Give at most 1000 logs.") }
        for (i, log) in logs.enumerated() {
            let at = "logs[\(i)]"
            try scale(log.painDuring, "\(at).painDuring")
            try scale(log.painAfter, "\(at).painAfter")
            try scale(log.painNextMorning, "\(at).painNextMorning")
            try scale(log.effort, "\(at).effort")
            if let sets = log.setsDone, !(0...50).contains(sets) { throw .invalid("value-out-of-range", "\(at).setsDone is 0 to 50.") }
            if let reps = log.repsDone {
                guard reps.count <= 50, reps.allSatisfy({ (0...1000).contains($0) }) else {
                    throw .invalid("value-out-of-range", "\(at).repsDone is at most 50 sets of 0 to 1000.")
                }
            }
            if let form = log.formScore, !(0...100).contains(form) { throw .invalid("value-out-of-range", "\(at).formScore is 0 to 100.") }
        }
        return self
    }
}

public struct ProgressionSuggestion: Codable, Equatable, Sendable {
    public enum Decision: String, Codable, Sendable {
        case progress, hold, regress
    }

    public var decision: Decision
    /// The rule that decided (`pain-during-high`, `dose-tolerated`, ...).
    public var rule: String
    /// Each fired rule's finding in plain words, the deciding one first.
    public var reasons: [String]
    /// The new dose (only what changes), empty when holding.
    public var change: Prescription
    public var rulesVersion: Int
}

public enum Progression {
    /// The suggestion for `input` under `rules`.
    public static func suggest(_ input: ProgressionInput, rules: ProgressionRules = ProgressionRules()) -> ProgressionSuggestion {
        let logs = input.logs.sorted { $0.date.dayNumber < $1.date.dayNumber }
        let p = input.prescription
        func result(_ decision: ProgressionSuggestion.Decision, _ rule: String, _ reasons: [String], _ change: Prescription = Prescription()) -> ProgressionSuggestion {
            ProgressionSuggestion(decision: decision, rule: rule, reasons: reasons, change: change, rulesVersion: rules.version)
        }
        guard !logs.isEmpty else {
            return result(.hold, "no-logs", ["No sessions have been logged since the dose last changed, so there is nothing to go on."])
        }

        // ---- Breaches: reduce the load (Silbernagel) ----
        // A breach in the latest session, or in two of the last few, regresses; a single breach
        // a little earlier, with the sessions since within limits, holds (the flare settled,
        // but it is no time to add load).
        var breaches: [(String, String)] = []
        var earlier: [(String, String)] = []
        let recent = Array(logs.suffix(max(1, rules.breachLookback)))
        let latest = logs.last!
        func painRule(_ rule: String, _ value: KeyPath<SessionRecord, Double?>, _ limit: Double, _ words: String) {
            let over = recent.filter { ($0[keyPath: value] ?? 0) > limit }
            guard let worst = over.max(by: { $0[keyPath: value]! < $1[keyPath: value]! }) else { return }
            let finding = (rule, "Pain \(words) the exercise reached \(n(worst[keyPath: value]!))/10 on \(worst.date.longName), above the \(n(limit))/10 limit"
                + (over.count > 1 ? " (\(over.count) of the last \(recent.count) sessions)." : "."))
            if over.contains(where: { $0 == latest }) || over.count >= 2 { breaches.append(finding) } else { earlier.append(finding) }
        }
        painRule("pain-during-high", \.painDuring, rules.painDuringMax, "during")
        painRule("pain-after-high", \.painAfter, rules.painAfterMax, "after")
        // Morning pain: against the baseline given, or else the first morning recorded; judged on
        // the latest morning known, if it follows one of the last two sessions (the very latest
        // session's morning may not have come yet).
        let mornings = logs.filter { $0.painNextMorning != nil }
        let baseline = input.baselineMorningPain ?? mornings.first?.painNextMorning
        if let last = mornings.last, let baseline, last.painNextMorning! > baseline + rules.morningRiseAllowed,
           logs.suffix(2).contains(last) {
            let against = input.baselineMorningPain != nil ? "the usual \(n(baseline))/10" : "\(n(baseline))/10 on the first morning recorded"
            breaches.append(("morning-pain-above-baseline", "The morning after \(last.date.longName) pain was \(n(last.painNextMorning!))/10, above \(against): it had not settled overnight."))
        }
        if let latestMorning = mornings.last?.date {
            let thisWeek = mornings.filter { latestMorning.dayNumber - $0.date.dayNumber < 7 }.map { $0.painNextMorning! }
            let weekBefore = mornings.filter { (7..<14).contains(latestMorning.dayNumber - $0.date.dayNumber) }.map { $0.painNextMorning! }
            if !thisWeek.isEmpty, !weekBefore.isEmpty, mean(thisWeek) - mean(weekBefore) > rules.weeklyRiseMin {
                breaches.append(("morning-pain-rising", "Morning pain rose from \(n(mean(weekBefore)))/10 on average the week before to \(n(mean(thisWeek)))/10 this week."))
            }
        }
        // A dose that was too much: fallen short at a very hard effort, session after session.
        let lastFew = Array(logs.suffix(max(1, rules.sessionsToProgress)))
        if lastFew.count == max(1, rules.sessionsToProgress),
           lastFew.allSatisfy({ completion($0, p) == false && ($0.effort ?? 0) >= rules.effortTooHard }) {
            breaches.append(("dose-too-hard", "The last \(lastFew.count == 1 ? "session" : "\(lastFew.count) sessions") fell short of the dose (\(doneText(lastFew.last!, p))) at an effort of \(n(lastFew.last!.effort!))/10 or more."))
        }
        if let first = breaches.first {
            return result(.regress, first.0, breaches.map(\.1), regression(p, rules))
        }

        // ---- Progress: the full dose tolerated on enough sessions in a row ----
        var holds: [(String, String)] = earlier.map { ($0.0 == "pain-during-high" ? "recent-pain-during" : "recent-pain-after", $0.1 + " Sessions since were within limits; the dose waits.") }
        let needed = max(1, rules.sessionsToProgress)
        let window = Array(logs.suffix(needed))
        if window.count < needed {
            holds.append(("not-enough-sessions", "Only \(logs.count) session\(logs.count == 1 ? "" : "s") since the last change; \(needed) in a row are needed to progress."))
        }
        let missing = window.filter { $0.painDuring == nil || completion($0, p) == nil || $0.effort == nil }
        if let gap = missing.last {
            var what: [String] = []
            if gap.painDuring == nil { what.append("pain during") }
            if completion(gap, p) == nil { what.append("sets and repetitions") }
            if gap.effort == nil { what.append("effort") }
            holds.append(("missing-data", "\(gap.date.longName) has no record of \(list(what)): a dose only goes up on what was recorded."))
        }
        // Silbernagel's next-morning rule needs a morning: at least one of these sessions (the
        // latest's may not have come yet) must have one recorded.
        if missing.isEmpty, window.count == needed, !window.dropLast().contains(where: { $0.painNextMorning != nil }),
           !(needed == 1 && window.last?.painNextMorning != nil) {
            let day = (window.dropLast().last ?? window.last!).date
            holds.append(("missing-data", "No pain on the morning after \(day.longName) was recorded: a dose only goes up once the mornings show it settles."))
        }
        if let short = window.last(where: { completion($0, p) == false }) {
            holds.append(("dose-incomplete", "On \(short.date.longName) the dose was not completed (\(doneText(short, p)))."))
        }
        if let hard = window.last(where: { ($0.effort ?? 0) > rules.effortToProgress }) {
            holds.append(("effort-high", "Effort was \(n(hard.effort!))/10 on \(hard.date.longName); the dose goes up at \(n(rules.effortToProgress))/10 or less."))
        }
        if let form = window.compactMap(\.formScore).last, form < rules.formScoreMin {
            holds.append(("form-low", "The camera scored form \(form)/100 in the latest tracked session; it goes up at \(rules.formScoreMin) or more."))
        }
        if let perWeek = p.sessionsPerWeek, let first = logs.first?.date, let last = logs.last?.date {
            // Over the days logged, sessions done against those prescribed.
            let days = first.days(to: last) + 1
            let expected = Double(perWeek) * Double(days) / 7
            let share = Double(logs.count) / expected
            if share < rules.adherenceMin {
                holds.append(("low-adherence", "\(logs.count) of about \(Int(expected.rounded())) prescribed sessions were done (\(Int((share * 100).rounded()))%); the dose goes up from \(Int((rules.adherenceMin * 100).rounded()))%."))
            }
        }
        if let first = holds.first {
            return result(.hold, first.0, holds.map(\.1))
        }
        let change = progression(p, rules)
        let efforts = window.compactMap(\.effort)
        let pains = window.compactMap(\.painDuring)
        let settled = window.compactMap(\.painNextMorning)
        let reasons = ["The full dose was done on the last \(needed) sessions with pain during at most \(n(pains.max() ?? 0))/10 and effort at most \(n(efforts.max() ?? 0))/10; pain the morning after was at most \(n(settled.max() ?? 0))/10.",
                       changeText(from: p, to: change)]
        return result(.progress, "dose-tolerated", reasons, change)
    }

    /// Whether the session completed the prescribed dose; nil when it cannot be told.
    static func completion(_ log: SessionRecord, _ p: Prescription) -> Bool? {
        let setsNeeded = p.sets ?? 1
        if let reps = log.repsDone, !reps.isEmpty {
            let setsDone = log.setsDone ?? reps.count
            guard setsDone >= setsNeeded else { return false }
            guard let target = p.reps else { return true }  // a hold: sets are what count
            let full = reps.filter { $0 >= target }.count
            return full >= setsNeeded
        }
        if let setsDone = log.setsDone { return p.reps == nil ? setsDone >= setsNeeded : (setsDone < setsNeeded ? false : nil) }
        return nil
    }

    static func progression(_ p: Prescription, _ r: ProgressionRules) -> Prescription {
        if let load = p.loadKg, load > 0 { return Prescription(loadKg: roundHalf(load * (1 + r.loadUpShare))) }
        if let reps = p.reps, reps < r.repsMax { return Prescription(reps: min(r.repsMax, reps + r.repsStep)) }
        // A set more, the repetitions back to about 80% (15 → 12): more work in all, fresher sets.
        if let sets = p.sets, sets < r.setsMax { return Prescription(sets: sets + 1, reps: p.reps.map { max(1, Int((Double($0) * 0.8).rounded())) }) }
        if let hold = p.holdSeconds, hold < r.holdMaxSeconds { return Prescription(holdSeconds: min(r.holdMaxSeconds, hold + r.holdStepSeconds)) }
        if p.sets == nil, p.reps != nil { return Prescription(sets: 2) }
        return Prescription()
    }

    static func regression(_ p: Prescription, _ r: ProgressionRules) -> Prescription {
        if let load = p.loadKg, load > 0 { return Prescription(loadKg: roundHalf(load * (1 - r.loadDownShare))) }
        if let reps = p.reps, reps > 3 { return Prescription(reps: max(3, reps - max(r.repsStep, Int((Double(reps) * 0.2).rounded())))) }
        if let sets = p.sets, sets > 1 { return Prescription(sets: sets - 1) }
        if let hold = p.holdSeconds, hold > r.holdStepSeconds { return Prescription(holdSeconds: hold - r.holdStepSeconds) }
        return Prescription()
    }

    static func changeText(from p: Prescription, to c: Prescription) -> String {
        var parts: [String] = []
        if let load = c.loadKg { parts.append("load \(n(p.loadKg ?? 0)) → \(n(load)) kg") }
        if let sets = c.sets { parts.append("sets \(p.sets.map(String.init) ?? "1") → \(sets)") }
        if let reps = c.reps { parts.append("repetitions \(p.reps.map(String.init) ?? "–") → \(reps)") }
        if let hold = c.holdSeconds { parts.append("hold \(p.holdSeconds ?? 0) → \(hold) s") }
        return parts.isEmpty ? "The dose is at its ceiling: consider the harder variant." : "Suggested: \(parts.joined(separator: ", "))."
    }

    static func doneText(_ log: SessionRecord, _ p: Prescription) -> String {
        let done = log.repsDone.map { $0.map(String.init).joined(separator: ", ") + " repetitions" } ?? "\(log.setsDone ?? 0) sets"
        let wanted = "\(p.sets ?? 1) × \(p.reps.map { "\($0)" } ?? "\(p.holdSeconds ?? 0) s")"
        return "\(done) of \(wanted)"
    }

    static func roundHalf(_ x: Double) -> Double { (x * 2).rounded() / 2 }
    static func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
    /// A number as a reading says it: whole numbers without ".0", others to one decimal.
    public static func n(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String((x * 10).rounded() / 10) }
    static func list(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " or " + items.last!
    }
}
