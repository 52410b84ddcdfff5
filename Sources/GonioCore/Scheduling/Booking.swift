#if canImport(Foundation)
import Foundation

/// A time a visit may start.
public struct Slot: Equatable, Sendable {
    public var start: Date
    public var end: Date
    public var offer: Offer

    public init(start: Date, end: Date, offer: Offer) {
        self.start = start
        self.end = end
        self.offer = offer
    }
}

/// A stretch of a therapist's time already taken.
public struct Busy: Equatable, Sendable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }
}

/// Who asks for a booking change: patients keep the notice rules; the therapist (or clinic
/// staff) may book at short notice and beyond the horizon.
public enum Booker: Sendable, Equatable {
    case patientSide
    case staff
}

public enum Scheduling {
    /// The local wall-clock time `minutes` after midnight of `day` in `zone`, or nil when that
    /// time does not exist there (skipped by a daylight-saving change). A time that happens twice
    /// (clocks going back) is the first of the two.
    public static func instant(_ day: CalendarDay, minutes: Int, in zone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: day.year, month: day.month, day: day.day, hour: minutes / 60, minute: minutes % 60)
        guard let date = calendar.date(from: components) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard back.year == day.year, back.month == day.month, back.day == day.day,
              (back.hour ?? 0) * 60 + (back.minute ?? 0) == minutes % (24 * 60)
        else { return nil }
        return date
    }

    /// The instants of one local day's clock times. On a day without a daylight-saving change
    /// (nearly all) a clock time is midnight plus its minutes, with no calendar arithmetic; on a
    /// change day each time goes through `instant`. Slot search over weeks is mostly this.
    struct LocalDay {
        let day: CalendarDay
        let zone: TimeZone
        /// Local midnight, when the day runs 24 hours at one offset from UTC.
        let plainMidnight: Date?

        init(_ day: CalendarDay, in zone: TimeZone) {
            self.day = day
            self.zone = zone
            let start = day.start(in: zone)
            let next = start.addingTimeInterval(86_400)
            let offset = zone.secondsFromGMT(for: start)
            // Midnight exactly, the same offset at the next midnight, and no change in between.
            let plain = offset == zone.secondsFromGMT(for: next) && zone.nextDaylightSavingTimeTransition(after: start).map { $0 >= next } ?? true
                && Int(start.timeIntervalSince1970 + Double(offset)) % 86_400 == 0
            plainMidnight = plain ? start : nil
        }

        func instant(minutes: Int) -> Date? {
            if let plainMidnight { return minutes >= 0 && minutes < 24 * 60 ? plainMidnight.addingTimeInterval(TimeInterval(minutes * 60)) : nil }
            return Scheduling.instant(day, minutes: minutes, in: zone)
        }
    }

    /// When hours ending at `end` on `day` close: 24:00 is the next day's start; a closing time
    /// the clock skips is the first moment after it.
    static func closing(_ day: CalendarDay, _ end: ClockTime, in zone: TimeZone) -> Date {
        if end.minutes >= 24 * 60 { return day.adding(days: 1).start(in: zone) }
        var minutes = end.minutes
        while minutes < 24 * 60 {
            if let date = instant(day, minutes: minutes, in: zone) { return date }
            minutes += 1
        }
        return day.adding(days: 1).start(in: zone)
    }

    /// Whether `[start, end)` keeps `buffer` seconds clear of every busy stretch.
    static func isFree(_ start: Date, _ end: Date, busy: [Busy], buffer: TimeInterval) -> Bool {
        !busy.contains { $0.start < end.addingTimeInterval(buffer) && start < $0.end.addingTimeInterval(buffer) }
    }

    /// Open slots for `type` starting in `[from, to)`: within the therapist's hours (in their
    /// zone, daylight saving included), on the slot step, clear of busy time by the buffer, and,
    /// for patients, between the minimum notice and the horizon. Sorted by start.
    public static func slots(
        _ schedule: TherapistSchedule, type: VisitType, from: Date, to: Date, now: Date, busy: [Busy], booker: Booker = .patientSide
    ) -> [Slot] {
        guard from < to else { return [] }
        let zone = schedule.zone
        let policy = schedule.policy
        var earliest = from
        var latest = to
        if booker == .patientSide {
            earliest = max(earliest, now.addingTimeInterval(TimeInterval(policy.minimumNoticeHours * 3600)))
            latest = min(latest, now.addingTimeInterval(TimeInterval(policy.horizonDays * 86_400)))
        } else {
            earliest = max(earliest, now)
        }
        guard earliest < latest else { return [] }
        let length = TimeInterval(type.minutes * 60)
        let buffer = TimeInterval(policy.bufferMinutes * 60)
        let sortedBusy = busy.filter { $0.end.addingTimeInterval(buffer) > earliest && $0.start.addingTimeInterval(-buffer) < latest.addingTimeInterval(length) }
        var result: [Slot] = []
        var day = CalendarDay(at: earliest, in: zone).adding(days: -1)
        let lastDay = CalendarDay(at: latest, in: zone).adding(days: 1)
        while day <= lastDay {
            let local = LocalDay(day, in: zone)
            for hours in schedule.hours(on: day) {
                guard let offer = hours.offer.meeting(type.offer) else { continue }
                let close = closing(day, hours.end, in: zone)
                var minute = hours.start.minutes
                while minute + type.minutes <= hours.end.minutes {
                    defer { minute += policy.slotStepMinutes }
                    guard let start = local.instant(minutes: minute) else { continue }
                    let end = start.addingTimeInterval(length)
                    // In real time too the visit must end by closing (on a daylight-saving day the
                    // clock and real time differ by an hour).
                    guard start >= earliest, start < latest, end <= close,
                          isFree(start, end, busy: sortedBusy, buffer: buffer)
                    else { continue }
                    result.append(Slot(start: start, end: end, offer: offer))
                }
            }
            day = day.adding(days: 1)
        }
        return result.sorted { $0.start < $1.start }
    }

    /// Checks a booking at `start` for `type` and `modality`: refuses with the reason the rules
    /// give (422), or 409 when the time is within the hours but taken. Returns the slot.
    public static func checkBooking(
        _ schedule: TherapistSchedule, type: VisitType, modality: VisitModality, start: Date, now: Date, busy: [Busy],
        booker: Booker = .patientSide
    ) throws(DomainError) -> Slot {
        guard type.offer.allows(modality) else {
            throw .invalid("modality-not-offered", "\(type.name) is not offered \(modality == .video ? "by video" : "in person").")
        }
        if start <= now { throw .invalid("visit-in-past", "That time has passed.") }
        if booker == .patientSide {
            if start < now.addingTimeInterval(TimeInterval(schedule.policy.minimumNoticeHours * 3600)) {
                throw .invalid("notice-too-short", "Visits need booking at least \(schedule.policy.minimumNoticeHours) hours ahead.")
            }
            if start > now.addingTimeInterval(TimeInterval(schedule.policy.horizonDays * 86_400)) {
                throw .invalid("beyond-horizon", "Visits can be booked up to \(schedule.policy.horizonDays) days ahead.")
            }
        }
        let window = (from: start, to: start.addingTimeInterval(1))
        let open = slots(schedule, type: type, from: window.from, to: window.to, now: now, busy: [], booker: booker)
        guard let slot = open.first(where: { $0.start == start }) else {
            throw .invalid("outside-hours", "The therapist does not see patients at that time; choose one of the open slots.")
        }
        guard slot.offer.allows(modality) else {
            throw .invalid("modality-not-offered", "At that time the therapist sees patients \(slot.offer == .video ? "by video" : "in person") only.")
        }
        guard isFree(slot.start, slot.end, busy: busy, buffer: TimeInterval(schedule.policy.bufferMinutes * 60)) else {
            throw .conflict("slot-taken", "That time has just been taken; choose another.")
        }
        return slot
    }

    /// The starts of a weekly series: the same local time every `everyWeeks` weeks, `count`
    /// times, across daylight-saving changes. A time the clock skips that day is left out.
    public static func series(first: Date, everyWeeks: Int, count: Int, in zone: TimeZone) throws(DomainError) -> [Date] {
        guard (1...4).contains(everyWeeks) else { throw .invalid("series-invalid", "Repeat every 1 to 4 weeks.") }
        guard (2...52).contains(count) else { throw .invalid("series-invalid", "A series has 2 to 52 visits.") }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.hour, .minute], from: first)
        let minutes = (c.hour ?? 0) * 60 + (c.minute ?? 0)
        let day = CalendarDay(at: first, in: zone)
        return (0..<count).compactMap { instant(day.adding(days: 7 * everyWeeks * $0), minutes: minutes, in: zone) }
    }
}

/// What a cancellation or a change costs under the clinic's policy.
public enum CancellationRules {
    /// Whether a patient's cancellation (or move) at `now` of a visit starting at `start` is late.
    /// Staff cancellations are never the patient's late cancellation.
    public static func isLate(now: Date, start: Date, policy: BookingPolicy, by booker: Booker) -> Bool {
        booker == .patientSide && start.timeIntervalSince(now) < TimeInterval(policy.cancellationNoticeHours * 3600)
    }

    /// Checks that a visit may still be cancelled or moved: not once it has begun.
    public static func checkChangeable(status: VisitStatus, start: Date, now: Date) throws(DomainError) {
        guard status == .booked else { throw .conflict("visit-not-booked", "This visit is \(status.displayName.lowercased()); it cannot be changed.") }
        guard now < start else { throw .conflict("visit-started", "This visit has already begun.") }
    }
}

/// Where a visit stands.
public enum VisitStatus: String, Codable, CaseIterable, Sendable {
    case booked
    case cancelled
    case lateCancelled = "late-cancelled"
    case noShow = "no-show"
    case completed

    public var displayName: String {
        switch self {
        case .booked: "Booked"
        case .cancelled: "Cancelled"
        case .lateCancelled: "Cancelled late"
        case .noShow: "Missed"
        case .completed: "Completed"
        }
    }

    /// Whether the visit holds its time in the therapist's calendar.
    public var holdsTime: Bool { self == .booked || self == .completed }
}

/// What the therapist records after the visit time.
public enum Attendance {
    /// "arrived" with the minutes spent, or "no-show". Either only from the visit's start
    /// (arrived: from 10 minutes before), and only once.
    public static func record(
        arrived: Bool, minutes: Int?, status: VisitStatus, start: Date, now: Date
    ) throws(DomainError) -> (status: VisitStatus, minutes: Int?) {
        guard status == .booked else { throw .conflict("attendance-recorded", "This visit is already \(status.displayName.lowercased()).") }
        if arrived {
            guard now >= start.addingTimeInterval(-600) else {
                throw .invalid("visit-not-started", "Attendance can be recorded from 10 minutes before the visit.")
            }
            guard let minutes, (1...480).contains(minutes) else {
                throw .invalid("minutes-invalid", "Give the visit's length in minutes (1 to 480).")
            }
            return (.completed, minutes)
        }
        guard now >= start else { throw .invalid("visit-not-started", "A no-show can be recorded once the visit time has come.") }
        guard minutes == nil else { throw .invalid("minutes-invalid", "A missed visit has no length.") }
        return (.noShow, nil)
    }
}
#endif

#if canImport(Foundation)
import Foundation

/// When a visit's video call is open: from a few minutes before the start until the host
/// ends it (or, if no one ends it, two hours after the booked end).
public enum CallWindow {
    public static func check(status: VisitStatus, modality: VisitModality, start: Date, end: Date, endedAt: Date?, now: Date,
                             earlyMinutes: Int) throws(DomainError) {
        guard modality == .video else { throw .invalid("not-a-video-visit", "This visit takes place in person.") }
        guard status == .booked || (status == .completed && endedAt == nil) else {
            throw .conflict("visit-closed", "This visit is \(status.displayName.lowercased()); its call is closed.")
        }
        if let endedAt, endedAt <= now { throw .conflict("visit-closed", "The therapist has ended this visit.") }
        if now < start.addingTimeInterval(TimeInterval(-earlyMinutes * 60)) {
            throw .conflict("not-yet-open", "The visit opens \(earlyMinutes) minutes before it starts. Come back then.")
        }
        if now > end.addingTimeInterval(2 * 3600) { throw .conflict("visit-closed", "This visit's time has passed.") }
    }

    /// Minutes to record for a call that ran from `start` to `end`: whole minutes, rounded up.
    public static func minutes(from start: Date, to end: Date) -> Int {
        max(1, Int((end.timeIntervalSince(start) / 60).rounded(.up)))
    }
}
#endif
