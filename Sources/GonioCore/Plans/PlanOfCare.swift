/// One exercise of a plan, as prescribed for this patient.
public struct PlanItem: Codable, Sendable, Equatable, Identifiable {
    /// Where in a session the exercise comes.
    public enum Block: String, Codable, Sendable, CaseIterable, Comparable {
        case warmUp = "warm-up"
        case main
        case coolDown = "cool-down"

        public var displayName: String {
            switch self {
            case .warmUp: "Warm-up"
            case .main: "Exercises"
            case .coolDown: "Cool-down"
            }
        }

        public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    /// Stays the same across the plan's versions, so logs follow the exercise through changes.
    public var id: String
    public var exerciseID: String
    public var block: Block
    public var dose: Dose
    /// ISO weekdays (1 Monday ... 7 Sunday) the exercise is done on; nil: spread over the week
    /// by `PracticeSchedule.usualWeekdays`.
    public var weekdays: [Int]?
    /// For the patient, shown with the exercise.
    public var notes: String?

    public init(id: String, exerciseID: String, block: Block = .main, dose: Dose, weekdays: [Int]? = nil, notes: String? = nil) {
        self.id = id
        self.exerciseID = exerciseID
        self.block = block
        self.dose = dose
        self.weekdays = weekdays
        self.notes = notes
    }

    /// The days of the week it is due on.
    public var days: Set<Int> { weekdays.map(Set.init) ?? PracticeSchedule.usualWeekdays(dose.daysPerWeek) }
}

/// What a plan of care prescribes: one version of it.
public struct PlanContent: Codable, Sendable, Equatable {
    public var title: String
    public var startDate: CalendarDay
    public var endDate: CalendarDay?
    /// The protocol and phase it was built from, if any.
    public var protocolID: String?
    public var phase: String?
    /// Goals and advice for the patient.
    public var notes: String?
    public var items: [PlanItem]

    public init(title: String, startDate: CalendarDay, endDate: CalendarDay? = nil, protocolID: String? = nil, phase: String? = nil,
                notes: String? = nil, items: [PlanItem]) {
        self.title = title
        self.startDate = startDate
        self.endDate = endDate
        self.protocolID = protocolID
        self.phase = phase
        self.notes = notes
        self.items = items
    }

    public static let maxItems = 30

    /// Checks the plan; `exercise` finds an exercise the therapist may prescribe (shipped or
    /// their clinic's). Blank notes become nil; the items are put in session order.
    public func validated(exercise: (String) -> Exercise?) throws(DomainError) -> PlanContent {
        var plan = self
        plan.title = title.trimmingWhitespace()
        guard (1...100).contains(plan.title.count), !plan.title.contains(where: \.isNewline) else {
            throw .invalid("plan-title-invalid", "Give the plan a title of 1 to 100 characters.")
        }
        if let end = endDate, end < startDate {
            throw .invalid("plan-dates-invalid", "The plan cannot end before it starts.")
        }
        plan.notes = try Self.text(notes, "Plan notes", 2000)
        plan.phase = try Self.text(phase, "The phase", 100)
        guard !items.isEmpty else { throw .invalid("plan-empty", "Add at least one exercise to the plan.") }
        guard items.count <= Self.maxItems else {
            throw .invalid("plan-too-long", "A plan holds at most \(Self.maxItems) exercises; a shorter plan is easier to follow.")
        }
        var ids = Set<String>()
        plan.items = try items.enumerated().map { (index, item) throws(DomainError) in
            var item = item
            let label = "Exercise \(index + 1)"
            guard !item.id.isEmpty, item.id.count <= 64, ids.insert(item.id).inserted else {
                throw .invalid("plan-item-invalid", "\(label): each exercise of a plan needs its own id.")
            }
            guard let exercise = exercise(item.exerciseID) else {
                throw .invalid("exercise-unknown", "\(label): no exercise \(item.exerciseID) in the library.")
            }
            if let problem = item.dose.problems.first {
                throw .invalid("dose-invalid", "\(label) (\(exercise.name)): \(problem).")
            }
            if let days = item.weekdays {
                let set = Set(days)
                guard set.count == days.count, set.allSatisfy((1...7).contains), set.count == item.dose.daysPerWeek else {
                    throw .invalid("weekdays-invalid",
                                   "\(label) (\(exercise.name)): choose \(item.dose.daysPerWeek) different days, numbered 1 (Monday) to 7 (Sunday).")
                }
                item.weekdays = days.sorted()
            }
            item.notes = try Self.text(item.notes, "\(label): the note", 500)
            return item
        }
        // Warm-up first, cool-down last; the therapist's order within each block.
        plan.items = plan.items.enumerated().sorted { ($0.element.block, $0.offset) < ($1.element.block, $1.offset) }.map(\.element)
        return plan
    }

    package static func text(_ value: String?, _ name: String, _ max: Int) throws(DomainError) -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingWhitespace()
        if trimmed.isEmpty { return nil }
        guard trimmed.count <= max else { throw .invalid("text-too-long", "\(name) is at most \(max) characters.") }
        return trimmed
    }

    /// Whether the plan runs on `day`.
    public func isActive(on day: CalendarDay) -> Bool {
        day >= startDate && endDate.map { day <= $0 } ?? true
    }

    /// The plan built from one phase of a protocol: its exercises with the protocol's doses,
    /// starting on `start`. `newID` names each item.
    public static func from(_ condition: ConditionProtocol, phase index: Int, start: CalendarDay, exercises: ExerciseLibrary,
                            newID: () -> String) throws(DomainError) -> PlanContent {
        guard condition.phases.indices.contains(index) else {
            throw .invalid("phase-invalid", "\(condition.name) has phases 1 to \(condition.phases.count).")
        }
        let phase = condition.phases[index]
        var items: [PlanItem] = []
        for (block, entries) in phase.blocks {
            for entry in entries {
                guard let exercise = exercises.exercise(id: entry.exercise) else { continue }
                items.append(PlanItem(id: newID(), exerciseID: exercise.id, block: block,
                                      dose: (entry.dose ?? DoseChange()).applied(to: exercise.dose), notes: entry.note))
            }
        }
        let weeks = phase.endWeek.map { ($0 - phase.startWeek + 1) * 7 }
        return PlanContent(title: condition.name, startDate: start, endDate: weeks.map { start.adding(days: $0 - 1) },
                           protocolID: condition.id, phase: phase.name, notes: phase.goals.joined(separator: " "), items: items)
    }
}

/// The reason a new version of a plan was made; kept with the version.
public enum PlanChange {
    public static func reason(_ text: String?) throws(DomainError) -> String {
        let trimmed = (text ?? "").trimmingWhitespace()
        guard (3...500).contains(trimmed.count) else {
            throw .invalid("reason-required", "Say in a few words why the plan changes (3 to 500 characters).")
        }
        return trimmed
    }
}
