/// Between a plan of care and the progression engine: which logs count for an exercise (those
/// since its dose last changed), what its prescription is in the engine's terms, and how a
/// suggestion changes the dose.
public enum PlanProgression {
    /// One practice log, as the engine needs it.
    public struct Logged: Equatable, Sendable {
        public var itemID: String
        public var day: CalendarDay
        public var skipped: Bool
        public var setsDone: Int
        /// Repetitions over all sets (0 for holds).
        public var repsDone: Int
        public var painDuring: Int?
        public var painAfter: Int?
        public var effort: Int?
        public var formScore: Int?

        public init(itemID: String, day: CalendarDay, skipped: Bool, setsDone: Int, repsDone: Int, painDuring: Int?, painAfter: Int?,
                    effort: Int?, formScore: Int?) {
            self.itemID = itemID
            self.day = day
            self.skipped = skipped
            self.setsDone = setsDone
            self.repsDone = repsDone
            self.painDuring = painDuring
            self.painAfter = painAfter
            self.effort = effort
            self.formScore = formScore
        }
    }

    /// The first day of the run of versions, up to the latest, in which the item has the same
    /// exercise and dose: logs from then on are "since the last change". Nil when the latest
    /// version does not have the item. `versions` are (effective day, content), oldest first.
    public static func lastChange(itemID: String, versions: [(day: CalendarDay, content: PlanContent)]) -> CalendarDay? {
        guard let latest = versions.last, let item = latest.content.items.first(where: { $0.id == itemID }) else { return nil }
        var since = latest.day
        for v in versions.dropLast().reversed() {
            guard let earlier = v.content.items.first(where: { $0.id == itemID }), earlier.exerciseID == item.exerciseID, earlier.dose == item.dose
            else { break }
            since = v.day
        }
        return since
    }

    /// The dose in the engine's terms: sessions a week are days a week × times a day, a load
    /// written "N kg" is a load in kilograms (a band's colour is not a number: no load).
    public static func prescription(_ dose: Dose) -> Prescription {
        Prescription(sets: dose.sets, reps: dose.reps > 0 ? dose.reps : nil, holdSeconds: dose.holdSeconds > 0 ? dose.holdSeconds : nil,
                     sessionsPerWeek: min(21, dose.daysPerWeek * dose.perDay), loadKg: dose.load.flatMap(kilograms))
    }

    /// "2 kg", "2.5kg", "1,5 kg" → kilograms; anything else nil.
    public static func kilograms(_ load: String) -> Double? {
        let t = String(load.trimmingWhitespace().lowercased().map { $0 == "," ? "." : $0 })
        guard t.hasSuffix("kg") else { return nil }
        return Double(String(t.dropLast(2)).trimmingWhitespace()).flatMap { $0 > 0 && $0 <= 500 ? $0 : nil }
    }

    /// The engine's input for one exercise: its logs since `since` (skips left out: they say
    /// nothing of tolerance, and adherence counts them as missing), each with the morning pain
    /// recorded the day after, and the baseline morning pain.
    public static func input(dose: Dose, itemID: String, since: CalendarDay, logs: [Logged], mornings: [CalendarDay: Int],
                             baseline: Int?) -> ProgressionInput {
        let sessions = logs.filter { $0.itemID == itemID && $0.day >= since && !$0.skipped }.sorted { $0.day < $1.day }
        return ProgressionInput(prescription: prescription(dose), baselineMorningPain: baseline.map(Double.init), logs: sessions.map { log in
            SessionRecord(date: log.day, setsDone: log.setsDone, repsDone: dose.reps > 0 ? spread(log.repsDone, over: log.setsDone) : nil,
                          painDuring: log.painDuring.map(Double.init), painAfter: log.painAfter.map(Double.init),
                          painNextMorning: mornings[log.day.adding(days: 1)].map(Double.init), effort: log.effort.map(Double.init),
                          formScore: log.formScore)
        })
    }

    /// A total of repetitions as sets, as even as they go (28 over 3: 10, 9, 9).
    static func spread(_ total: Int, over sets: Int) -> [Int] {
        guard sets > 0 else { return total > 0 ? [total] : [] }
        let (base, extra) = total.quotientAndRemainder(dividingBy: sets)
        return (0..<sets).map { base + ($0 < extra ? 1 : 0) }
    }

    /// The dose with a suggestion's change made (a load in kilograms is written back as "N kg").
    public static func apply(_ change: Prescription, to dose: Dose) -> Dose {
        var d = dose
        if let sets = change.sets { d.sets = sets }
        if let reps = change.reps { d.reps = reps }
        if let hold = change.holdSeconds { d.holdSeconds = hold }
        if let kg = change.loadKg { d.load = "\(kg == kg.rounded() ? String(Int(kg)) : String(kg)) kg" }
        return d
    }
}
