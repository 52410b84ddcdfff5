/// CPT codes a physical therapy visit is billed with (CLINICAL.md §3.1), and how timed minutes
/// become units.
public enum CPTCode: String, Codable, CaseIterable, Sendable {
    case evalLow = "97161", evalModerate = "97162", evalHigh = "97163", reEvaluation = "97164"
    case therapeuticExercise = "97110", neuromuscular = "97112", gait = "97116", manualTherapy = "97140"
    case therapeuticActivities = "97530", selfCare = "97535"

    /// Timed codes are billed per 15 minutes; evaluations once per visit.
    public var isTimed: Bool {
        switch self {
        case .evalLow, .evalModerate, .evalHigh, .reEvaluation: false
        default: true
        }
    }

    public var name: String {
        switch self {
        case .evalLow: "PT evaluation, low complexity"
        case .evalModerate: "PT evaluation, moderate complexity"
        case .evalHigh: "PT evaluation, high complexity"
        case .reEvaluation: "PT re-evaluation"
        case .therapeuticExercise: "Therapeutic exercise"
        case .neuromuscular: "Neuromuscular re-education"
        case .gait: "Gait training"
        case .manualTherapy: "Manual therapy"
        case .therapeuticActivities: "Therapeutic activities"
        case .selfCare: "Self-care/home management training"
        }
    }
}

/// Units for timed services.
///
/// - Medicare (CMS Pub 100-04 Ch. 5 §20.2, the "8-minute rule"): the total timed minutes of the
///   visit decide the units (8–22 → 1, 23–37 → 2, 38–52 → 3, … each further 15 minutes one
///   more); each service first gets one unit per full 15 minutes it took, and any unit left
///   goes to the service with the most minutes left over (then the next). A visit under
///   8 timed minutes bills no timed unit.
/// - Per-code rounding (some commercial payers, "substantial portion" method): each service on
///   its own, one unit per 15 minutes plus one for 8 or more minutes left over.
///
/// Ties in the leftover minutes go to the service listed first by code, so the result never
/// depends on the order the minutes were written in. Uncertain (CLINICAL.md §8.8): the
/// allocation examples are from the manual as recalled, not re-read.
public enum TimedUnits {
    public enum Method: String, Codable, Sendable, CaseIterable {
        case medicare
        /// Each code rounded on its own.
        case perCode = "per-code"
    }

    public struct Result: Equatable, Sendable {
        public var totalUnits: Int
        public var units: [CPTCode: Int]
    }

    /// Units for a total of timed minutes under the 8-minute rule.
    public static func medicareUnits(totalMinutes: Int) -> Int {
        totalMinutes < 8 ? 0 : (totalMinutes - 8) / 15 + 1
    }

    /// Units for one service's minutes on their own.
    public static func perCodeUnits(minutes: Int) -> Int {
        minutes / 15 + (minutes % 15 >= 8 ? 1 : 0)
    }

    public static func units(_ minutes: [CPTCode: Int], method: Method) throws(DomainError) -> Result {
        for (code, m) in minutes {
            guard code.isTimed else { throw .invalid("code-untimed", "\(code.rawValue) (\(code.name)) is billed once per visit, not by minutes.") }
            guard (1...480).contains(m) else { throw .invalid("minutes-invalid", "Minutes for \(code.rawValue) are 1 to 480.") }
        }
        let codes = minutes.keys.sorted { $0.rawValue < $1.rawValue }
        switch method {
        case .perCode:
            var out: [CPTCode: Int] = [:]
            for c in codes { out[c] = perCodeUnits(minutes: minutes[c]!) }
            return Result(totalUnits: out.values.reduce(0, +), units: out)
        case .medicare:
            let total = medicareUnits(totalMinutes: minutes.values.reduce(0, +))
            var out: [CPTCode: Int] = [:]
            for c in codes { out[c] = minutes[c]! / 15 }
            var left = total - out.values.reduce(0, +)
            // Leftover units to the most leftover minutes, ties by code; a service can take one
            // more leftover unit only once everyone with leftover minutes has had one.
            let byLeftover = codes.filter { minutes[$0]! % 15 > 0 }.sorted { a, b in
                let (x, y) = (minutes[a]! % 15, minutes[b]! % 15)
                return x != y ? x > y : a.rawValue < b.rawValue
            }
            var i = 0
            while left > 0, !byLeftover.isEmpty {
                out[byLeftover[i % byLeftover.count], default: 0] += 1
                left -= 1
                i += 1
            }
            return Result(totalUnits: total, units: out)
        }
    }

    /// Reads `97110=23,97112=24` (the command line's form).
    public static func parseMinutes(_ text: String) throws(DomainError) -> [CPTCode: Int] {
        var out: [CPTCode: Int] = [:]
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", omittingEmptySubsequences: false)
            guard pair.count == 2 else { throw .invalid("minutes-invalid", "Write minutes as CODE=MINUTES, comma separated: 97110=23,97112=24.") }
            let raw = String(pair[0]).trimmingWhitespace()
            guard let code = CPTCode(rawValue: raw) else {
                throw .invalid("code-unknown", "\(raw) is not a code Gonio bills: \(CPTCode.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            guard let m = Int(String(pair[1]).trimmingWhitespace()) else { throw .invalid("minutes-invalid", "Minutes for \(raw) are a whole number.") }
            guard out[code] == nil else { throw .invalid("minutes-invalid", "\(raw) is given twice.") }
            out[code] = m
        }
        guard !out.isEmpty else { throw .invalid("minutes-invalid", "Give at least one CODE=MINUTES.") }
        return out
    }
}

/// Remote therapeutic monitoring codes (CLINICAL.md §3.3), by the rules of the year of service.
/// The rules are data per effective year; a year after the last one known uses the last one
/// (and says so), a year before RTM existed (2022) has none.
public enum RTMCodes {
    public struct Rules: Sendable, Equatable {
        public var year: Int
        /// Device supply: the smallest number of days of data in 30 for each code.
        public var deviceCodes: [(minDays: Int, maxDays: Int, code: String)]
        /// Set-up and education (98975): days of data it needs.
        public var setupMinDays: Int
        /// Treatment management: the first code's minutes (10 from 2026: 98979; none before).
        public var firstTierMinutes: Int?
        public var firstTierCode: String?

        public static func == (a: Rules, b: Rules) -> Bool {
            a.year == b.year && a.deviceCodes.map(\.code) == b.deviceCodes.map(\.code) && a.setupMinDays == b.setupMinDays
                && a.firstTierMinutes == b.firstTierMinutes && a.firstTierCode == b.firstTierCode
        }
    }

    /// 2022–2025: 98977 needs 16 days; management from 20 minutes. CY2026 Physician Fee Schedule
    /// final rule (effective 1 January 2026; CLINICAL.md §3.3): 98985 for 2–15 days, 98977 for
    /// 16–30, 98979 for the first 10 minutes, 98975 after 2 days. Uncertain: the 2026
    /// descriptors were read in secondary sources only (CLINICAL.md §8.6).
    public static let byYear: [Rules] = [
        Rules(year: 2022, deviceCodes: [(16, 30, "98977")], setupMinDays: 16, firstTierMinutes: nil, firstTierCode: nil),
        Rules(year: 2026, deviceCodes: [(2, 15, "98985"), (16, 30, "98977")], setupMinDays: 2, firstTierMinutes: 10, firstTierCode: "98979"),
    ]

    public static func rules(year: Int) throws(DomainError) -> Rules {
        guard let r = byYear.last(where: { $0.year <= year }) else {
            throw .invalid("year-invalid", "RTM codes start in 2022; \(year) has none.")
        }
        return r
    }

    public struct Codes: Equatable, Sendable {
        /// The device-supply code the days support, if any (one per 30-day period).
        public var device: String?
        /// The management codes the month's minutes support, in order.
        public var management: [String]
    }

    /// The codes a 30-day period's days of data and a calendar month's management minutes
    /// support. Management needs a real-time interactive communication in the month
    /// (conservatively: a synchronous audio or video session, CLINICAL.md §3.3).
    public static func codes(year: Int, days: Int, minutes: Int, interactive: Bool) throws(DomainError) -> Codes {
        guard (0...30).contains(days) else { throw .invalid("days-invalid", "Days of data in a 30-day period are 0 to 30.") }
        guard (0...1440).contains(minutes) else { throw .invalid("minutes-invalid", "Management minutes in a month are 0 to 1440.") }
        let r = try rules(year: year)
        let device = r.deviceCodes.first { (($0.minDays)...($0.maxDays)).contains(days) }?.code
        var management: [String] = []
        if interactive {
            if minutes >= 20 {
                management = ["98980"] + Array(repeating: "98981", count: (minutes - 20) / 20)
            } else if let first = r.firstTierMinutes, let code = r.firstTierCode, minutes >= first {
                management = [code]
            }
        }
        return Codes(device: device, management: management)
    }
}

/// Remote monitoring's 30-day periods (CLINICAL.md §3.3: device supply "each 30 days"), counted
/// from the day monitoring began in the episode of care (its first day of data after the
/// initial evaluation), and the set-up code 98975, billed once per episode: with the episode's
/// first period, when that period has the year's days of data. Uncertain (said in the issue
/// note): payers may count the period from the device's set-up day rather than the first data.
public enum RTMPeriod {
    public static let days = 30

    /// The first day of the period that holds `day`; nil before monitoring began.
    public static func start(containing day: CalendarDay, monitoringStart: CalendarDay) -> CalendarDay? {
        guard day >= monitoringStart else { return nil }
        return monitoringStart.adding(days: monitoringStart.days(to: day) / days * days)
    }

    /// The first days of the periods that end from `first` to `last` (a month), oldest first.
    public static func starts(endingFrom first: CalendarDay, to last: CalendarDay, monitoringStart: CalendarDay) -> [CalendarDay] {
        guard first <= last, let latest = start(containing: last, monitoringStart: monitoringStart) else { return [] }
        // The period holding `last` ends within the span only if it ends on `last`.
        var out: [CalendarDay] = []
        var s = latest.adding(days: days - 1) == last ? latest : latest.adding(days: -days)
        while s >= monitoringStart, s.adding(days: days - 1) >= first {
            out.insert(s, at: 0)
            s = s.adding(days: -days)
        }
        return out
    }

    /// 98975 for the period from `periodStart`: only the episode's first period, with enough days.
    public static func setupSupported(periodStart: CalendarDay, monitoringStart: CalendarDay?, dataDays: Int, rules: RTMCodes.Rules) -> Bool {
        periodStart == monitoringStart && dataDays >= rules.setupMinDays
    }
}

