/// When an assigned measure is due (issue 3: "at intake, every N weeks, at discharge").
public enum MeasureSchedule: Equatable, Sendable {
    /// Once, as soon as it is assigned (e.g. at intake or at the initial evaluation).
    case once
    /// Every `weeks` weeks from the assignment.
    case everyWeeks(Int)
    /// At discharge: due when the therapist marks the episode for discharge.
    case atDischarge

    public static let maxIntervalWeeks = 26

    /// The schedule's name as stored and sent over the API.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case once
        case everyWeeks = "every-weeks"
        case atDischarge = "at-discharge"

        public var displayName: String {
            switch self {
            case .once: "Once"
            case .everyWeeks: "Every few weeks"
            case .atDischarge: "At discharge"
            }
        }
    }

    public init(kind rawKind: String, weeks: Int?) throws(DomainError) {
        guard let kind = Kind(rawValue: rawKind) else {
            throw .invalid("schedule-invalid", "schedule must be once, every-weeks or at-discharge.")
        }
        try self.init(kind: kind, weeks: weeks)
    }

    public init(kind: Kind, weeks: Int?) throws(DomainError) {
        if let weeks, !(1...Self.maxIntervalWeeks).contains(weeks) {
            throw .invalid("interval-invalid", "Repeat every 1 to \(Self.maxIntervalWeeks) weeks.")
        }
        switch kind {
        case .once: self = .once
        case .atDischarge: self = .atDischarge
        case .everyWeeks:
            guard let weeks else { throw .invalid("interval-invalid", "Repeat every 1 to \(Self.maxIntervalWeeks) weeks.") }
            self = .everyWeeks(weeks)
        }
    }

    public var kind: Kind {
        switch self {
        case .once: .once
        case .everyWeeks: .everyWeeks
        case .atDischarge: .atDischarge
        }
    }

    /// How the schedule reads on a page ("Every 4 weeks").
    public var displayName: String {
        switch self {
        case .once: "Once"
        case .everyWeeks(let weeks): "Every \(weeks) weeks"
        case .atDischarge: "At discharge"
        }
    }

    public var weeks: Int? { if case .everyWeeks(let w) = self { w } else { nil } }

    /// Whether a new administration is due. Times are seconds since a common epoch.
    /// - `completions`: times of earlier administrations of this assignment.
    /// - `discharging`: the therapist has started the discharge.
    public func isDue(assignedAt: Double, completions: [Double], now: Double, discharging: Bool = false) -> Bool {
        switch self {
        case .once:
            return completions.isEmpty
        case .atDischarge:
            return discharging && completions.isEmpty
        case .everyWeeks(let weeks):
            guard let last = completions.max() else { return true }
            let period = Double(weeks) * 7 * 86_400
            // Due again once the next period since the assignment has begun after the last one.
            let periodsSinceAssignment = ((now - assignedAt) / period).rounded(.down)
            let lastPeriod = ((last - assignedAt) / period).rounded(.down)
            return periodsSinceAssignment > lastPeriod
        }
    }
}
