/// Day arithmetic on calendar days (proleptic Gregorian), without clocks or time zones: a
/// patient's practice is counted in the days of their own calendar.
extension CalendarDay {
    /// Days since 1970-01-01 (negative before). Howard Hinnant's days-from-civil algorithm.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The day `dayNumber` days after 1970-01-01.
    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        // Every day number maps to a real date; the year range is the only limit.
        self = (try? CalendarDay(year: min(max(y, 1900), 9999), month: m, day: d)) ?? Self.epoch
    }

    static let epoch = try! CalendarDay(year: 1970, month: 1, day: 1)

    public func adding(days: Int) -> CalendarDay { CalendarDay(dayNumber: dayNumber + days) }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(to other: CalendarDay) -> Int { other.dayNumber - dayNumber }

    /// ISO weekday: 1 Monday ... 7 Sunday.
    public var weekday: Int {
        // 1970-01-01 was a Thursday (4).
        let w = (dayNumber + 3) % 7
        return (w < 0 ? w + 7 : w) + 1
    }

    /// The Monday of this day's ISO week.
    public var weekStart: CalendarDay { adding(days: 1 - weekday) }

    public static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// "Monday 30 November".
    public var longName: String {
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                      "November", "December"]
        return "\(Self.weekdayNames[weekday - 1]) \(day) \(months[month - 1])"
    }
}

#if canImport(Foundation)
import Foundation

extension CalendarDay {
    /// The day it is at `instant` on a wall clock in `timeZone` (daylight saving included).
    public init(at instant: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        self = (try? CalendarDay(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)) ?? Self.epoch
    }

    /// When this day begins in `timeZone`: local midnight, or the first moment after it when a
    /// daylight-saving change skips midnight.
    public func start(in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: year, month: month, day: day)
        return calendar.date(from: components).map { calendar.startOfDay(for: $0) } ?? Date(timeIntervalSince1970: 0)
    }
}

/// A patient's time zone: an IANA name the system knows.
public struct PatientTimeZone: Equatable, Sendable, CustomStringConvertible {
    public let identifier: String
    public var timeZone: TimeZone { TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")! }
    public var description: String { identifier }

    public static let utc = PatientTimeZone(checked: "UTC")

    private init(checked: String) { identifier = checked }

    public init(_ text: String) throws(DomainError) {
        let name = text.trimmingWhitespace()
        guard !name.isEmpty, name.count <= 64, let zone = TimeZone(identifier: name) else {
            throw .invalid("time-zone-invalid", "Choose a time zone by its name, such as America/Chicago.")
        }
        identifier = zone.identifier
    }

    /// The usual time zone of a jurisdiction, for a record that has none yet. States that span
    /// more than one zone get the zone most of their people live in; the patient can change it.
    public static func usual(for jurisdiction: String?) -> PatientTimeZone {
        guard let code = jurisdiction, code.hasPrefix("US-") else { return .utc }
        let zone: String
        switch code.dropFirst(3) {
        case "CT", "DE", "DC", "FL", "GA", "IN", "KY", "ME", "MD", "MA", "MI", "NH", "NJ", "NY", "NC", "OH", "PA", "RI", "SC",
             "VT", "VA", "WV": zone = "America/New_York"
        case "AL", "AR", "IL", "IA", "KS", "LA", "MN", "MS", "MO", "NE", "ND", "OK", "SD", "TN", "TX", "WI": zone = "America/Chicago"
        case "CO", "ID", "MT", "NM", "UT", "WY": zone = "America/Denver"
        case "AZ": zone = "America/Phoenix"
        case "CA", "NV", "OR", "WA": zone = "America/Los_Angeles"
        case "AK": zone = "America/Anchorage"
        case "HI": zone = "Pacific/Honolulu"
        case "PR", "VI": zone = "America/Puerto_Rico"
        case "GU", "MP": zone = "Pacific/Guam"
        case "AS": zone = "Pacific/Pago_Pago"
        default: return .utc
        }
        return PatientTimeZone(checked: zone)
    }
}
#endif
