#if canImport(Foundation)
import Foundation

/// What a person hears about their visits and practice, and when.
public enum ReminderKind: String, Codable, CaseIterable, Sendable {
    case confirmation
    case dayBefore = "day-before"
    case hourBefore = "hour-before"
    case changed
    case cancelled
    case practice
}

/// Hours in which nothing is sent (local time), e.g. 21:00-08:00. Start equal to end: none.
public struct QuietHours: Codable, Equatable, Sendable {
    public var start: ClockTime
    public var end: ClockTime

    public init(start: ClockTime, end: ClockTime) {
        self.start = start
        self.end = end
    }

    public static let standard = QuietHours(start: try! ClockTime("21:00"), end: try! ClockTime("08:00"))

    /// Whether a local clock time falls inside (quiet hours may run past midnight).
    public func contains(minutes m: Int) -> Bool {
        if start == end { return false }
        return start < end ? (start.minutes <= m && m < end.minutes) : (m >= start.minutes || m < end.minutes)
    }

    /// `instant`, or the end of the quiet hours it falls in (the next morning when it is late evening).
    public func deferring(_ instant: Date, in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.hour, .minute], from: instant)
        let minutes = (c.hour ?? 0) * 60 + (c.minute ?? 0)
        guard contains(minutes: minutes) else { return instant }
        var day = CalendarDay(at: instant, in: zone)
        if start > end, minutes >= start.minutes { day = day.adding(days: 1) }
        return Scheduling.instant(day, minutes: end.minutes, in: zone) ?? instant
    }
}

public enum Reminders {
    /// When a booked visit's reminders go out: a day and an hour before, moved out of the
    /// patient's quiet hours, dropped when that time has passed or would come after the start.
    public static func visitReminders(start: Date, now: Date, quiet: QuietHours, zone: TimeZone) -> [(ReminderKind, Date)] {
        [(ReminderKind.dayBefore, start.addingTimeInterval(-86_400)), (.hourBefore, start.addingTimeInterval(-3600))].compactMap { kind, at in
            let when = quiet.deferring(at, in: zone)
            guard when > now, when < start else { return nil }
            return (kind, when)
        }
    }

    /// The next daily practice reminder after `now` at local `time`, outside quiet hours.
    public static func nextPractice(after now: Date, at time: ClockTime, quiet: QuietHours, zone: TimeZone) -> Date {
        var day = CalendarDay(at: now, in: zone)
        for _ in 0..<3 {
            if let at = Scheduling.instant(day, minutes: time.minutes % (24 * 60), in: zone) {
                let when = quiet.deferring(at, in: zone)
                if when > now { return when }
            }
            day = day.adding(days: 1)
        }
        return now.addingTimeInterval(86_400)
    }

    /// The words of a visit message. Only the visit's kind, time, the therapist's name and how
    /// to attend: never a condition, a score or a note (email is not a private channel).
    public static func visitMessage(_ kind: ReminderKind, visitType: String, therapist: String, when: String, video: Bool,
                                    location: String?, link: String) -> (subject: String, text: String) {
        let how = video ? "It is a video visit: open Gonio and choose Join a few minutes before the start." : "It takes place in person\(location.map { " at \($0)" } ?? "")."
        switch kind {
        case .confirmation:
            return ("Your visit is booked: \(when)", "Your \(visitType.lowercased()) with \(therapist) is booked for \(when).\n\n\(how)\n\nYour visits: \(link)\n\nA calendar file is attached.")
        case .dayBefore:
            return ("Reminder: visit tomorrow, \(when)", "A reminder of your \(visitType.lowercased()) with \(therapist) on \(when).\n\n\(how)\n\nIf you cannot come, please cancel or move it: \(link)")
        case .hourBefore:
            return ("Your visit starts soon: \(when)", "Your \(visitType.lowercased()) with \(therapist) starts at \(when).\n\n\(how)\n\n\(link)")
        case .changed:
            return ("Your visit has moved: \(when)", "Your \(visitType.lowercased()) with \(therapist) is now on \(when).\n\n\(how)\n\nYour visits: \(link)\n\nAn updated calendar file is attached.")
        case .cancelled:
            return ("Visit cancelled: \(when)", "Your \(visitType.lowercased()) with \(therapist) on \(when) has been cancelled.\n\nTo book another time: \(link)")
        case .practice:
            return ("Time for your exercises", "Your exercises for today are ready.\n\n\(link)")
        }
    }
}
#endif
