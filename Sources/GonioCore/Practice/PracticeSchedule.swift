/// When the exercises of a plan are due, what of it is done, and how well the patient keeps to
/// it. Days are the patient's own calendar days (see `CalendarDay(at:in:)`).
///
/// A *round* is one performance of an exercise: one prescribed `perDay` times a day has that
/// many rounds a day, and its n-th log of the day fills round n. A *session* is round n of every
/// exercise due that day: the player walks through one session at a time. A session is done
/// when each of its exercises has been logged (practised, stopped or skipped) and at least one
/// was practised.
public enum PracticeSchedule {
    /// The weekdays an exercise prescribed `daysPerWeek` days a week falls on when the therapist
    /// did not choose them: spread with rest days between (3 → Monday, Wednesday, Friday).
    public static func usualWeekdays(_ daysPerWeek: Int) -> Set<Int> {
        switch daysPerWeek {
        case ...1: [1]
        case 2: [1, 4]
        case 3: [1, 3, 5]
        case 4: [1, 2, 4, 5]
        case 5: [1, 2, 3, 4, 5]
        case 6: [1, 2, 3, 4, 5, 6]
        default: [1, 2, 3, 4, 5, 6, 7]
        }
    }

    /// The items of `plan` due on `day`, in session order.
    public static func due(_ plan: PlanContent, on day: CalendarDay) -> [PlanItem] {
        guard plan.isActive(on: day) else { return [] }
        return plan.items.filter { $0.days.contains(day.weekday) }
    }

    /// How a log went.
    public enum Outcome: String, Codable, Sendable, CaseIterable {
        case completed
        /// Some of the dose.
        case partial
        /// Stopped because of pain or another symptom.
        case stopped
        case skipped

        public var practised: Bool { self != .skipped }

        public var displayName: String {
            switch self {
            case .completed: "Done"
            case .partial: "Partly done"
            case .stopped: "Stopped"
            case .skipped: "Skipped"
            }
        }
    }

    /// A log as the schedule needs it.
    public struct Logged: Equatable, Sendable {
        public var itemID: String
        public var day: CalendarDay
        public var outcome: Outcome

        public init(itemID: String, day: CalendarDay, outcome: Outcome) {
            self.itemID = itemID
            self.day = day
            self.outcome = outcome
        }
    }

    /// Where an exercise stands today.
    public enum Status: String, Codable, Sendable {
        case notStarted = "not-started"
        case partlyDone = "partly-done"
        case done
        /// A rest day, or no plan.
        case nothingDue = "nothing-due"

        public var displayName: String {
            switch self {
            case .notStarted: "Not started"
            case .partlyDone: "Partly done"
            case .done: "Done"
            case .nothingDue: "Nothing due today"
            }
        }
    }

    public struct TodayItem: Equatable, Sendable {
        public var item: PlanItem
        /// Rounds due today (the dose's `perDay`).
        public var rounds: Int
        /// Rounds logged today, practised or skipped, up to `rounds`.
        public var logged: Int
        public var practised: Int
        public var status: Status {
            logged == 0 ? .notStarted : logged >= rounds ? .done : .partlyDone
        }
    }

    public struct Today: Equatable, Sendable {
        public var day: CalendarDay
        public var items: [TodayItem]
        /// Sessions due today and done (see the type's comment).
        public var sessions: Int
        public var sessionsDone: Int
        /// The session the player runs next (1-based), nil when all are done or nothing is due.
        public var nextSession: Int? { sessionsDone < sessions ? sessionsDone + 1 : nil }
        public var status: Status {
            items.isEmpty ? .nothingDue : items.allSatisfy { $0.logged == 0 } ? .notStarted : sessionsDone >= sessions ? .done : .partlyDone
        }

        /// The items of session `n`.
        public func session(_ n: Int) -> [TodayItem] { items.filter { $0.rounds >= n } }
    }

    /// Today for `plan`: each due exercise with what is logged of it. `logs` may hold other
    /// days and exercises; only `day`'s count.
    public static func today(_ plan: PlanContent, on day: CalendarDay, logs: [Logged]) -> Today {
        let due = due(plan, on: day)
        var byItem: [String: [Outcome]] = [:]
        for log in logs where log.day == day { byItem[log.itemID, default: []].append(log.outcome) }
        let items = due.map { item in
            let outcomes = byItem[item.id] ?? []
            return TodayItem(item: item, rounds: item.dose.perDay, logged: min(outcomes.count, item.dose.perDay),
                             practised: min(outcomes.filter(\.practised).count, item.dose.perDay))
        }
        let sessions = items.map(\.rounds).max() ?? 0
        let done = (0..<sessions).filter { round in
            let inSession = due.filter { $0.dose.perDay > round }
            let nth = inSession.map { (byItem[$0.id] ?? []).dropFirst(round).first }
            return nth.allSatisfy { $0 != nil } && nth.contains { $0?.practised == true }
        }.count
        return Today(day: day, items: items, sessions: sessions, sessionsDone: done)
    }

    /// One week of practice.
    public struct Week: Equatable, Sendable {
        /// Its Monday.
        public var start: CalendarDay
        public var sessions: Int
        public var sessionsDone: Int
        /// Done over due, 0...1; nil when nothing was due.
        public var rate: Double? { sessions == 0 ? nil : Double(sessionsDone) / Double(sessions) }
    }

    public struct Adherence: Equatable, Sendable {
        /// Oldest first; the last is the current week, counted up to today.
        public var weeks: [Week]
        /// Days in a row, back from today, on which every session due was done. Today counts
        /// once it is done and does not break the streak before; days with nothing due are
        /// passed over.
        public var streak: Int
        /// The last day anything was practised.
        public var lastPractised: CalendarDay?
    }

    /// Adherence over the `weeks` weeks up to `today`. `plan(day)` gives the version of the plan
    /// in force on that day (nil: no plan). Days before `since` are not counted.
    public static func adherence(weeks count: Int, today: CalendarDay, since: CalendarDay, plan: (CalendarDay) -> PlanContent?,
                                 logs: [Logged]) -> Adherence {
        var byDay: [CalendarDay: [Logged]] = [:]
        for log in logs { byDay[log.day, default: []].append(log) }
        func summary(_ day: CalendarDay) -> Today? {
            guard day >= since, let content = plan(day) else { return nil }
            return Self.today(content, on: day, logs: byDay[day] ?? [])
        }
        let firstMonday = today.weekStart.adding(days: -7 * (max(count, 1) - 1))
        var weeks: [Week] = []
        var monday = firstMonday
        while monday <= today {
            var week = Week(start: monday, sessions: 0, sessionsDone: 0)
            for offset in 0..<7 {
                let day = monday.adding(days: offset)
                guard day <= today, let s = summary(day) else { continue }
                week.sessions += s.sessions
                week.sessionsDone += s.sessionsDone
            }
            weeks.append(week)
            monday = monday.adding(days: 7)
        }
        var streak = 0
        var day = today
        // Bounded by how far back a plan can go: two years is past any plan of care.
        for _ in 0..<730 {
            guard day >= since else { break }
            if let s = summary(day), s.sessions > 0 {
                if s.sessionsDone >= s.sessions {
                    streak += 1
                } else if day != today {
                    break
                }
            }
            day = day.adding(days: -1)
        }
        let practised = logs.filter(\.outcome.practised).map(\.day).max()
        return Adherence(weeks: weeks, streak: streak, lastPractised: practised)
    }
}
