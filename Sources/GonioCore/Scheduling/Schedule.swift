#if canImport(Foundation)
import Foundation

/// How a visit takes place.
public enum VisitModality: String, Codable, CaseIterable, Sendable {
    case video
    case inPerson = "in-person"

    public var displayName: String { self == .video ? "Video" : "In person" }
}

/// What a visit type or an hour of availability offers: one modality or either.
public enum Offer: String, Codable, CaseIterable, Sendable {
    case video
    case inPerson = "in-person"
    case either

    public func allows(_ modality: VisitModality) -> Bool {
        self == .either || rawValue == modality.rawValue
    }

    /// What two offers have in common, if anything.
    public func meeting(_ other: Offer) -> Offer? {
        if self == .either { return other }
        if other == .either || other == self { return self }
        return nil
    }

    public var displayName: String {
        switch self {
        case .video: "Video"
        case .inPerson: "In person"
        case .either: "Video or in person"
        }
    }
}

/// A kind of visit with its length and how it may take place.
public struct VisitType: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var minutes: Int
    public var offer: Offer

    public init(id: String, name: String, minutes: Int, offer: Offer) {
        self.id = id
        self.name = name
        self.minutes = minutes
        self.offer = offer
    }

    /// The usual outpatient visit types and lengths. Follow-ups come in two lengths.
    public static let standard: [VisitType] = [
        VisitType(id: "initial-evaluation", name: "Initial evaluation", minutes: 60, offer: .either),
        VisitType(id: "follow-up", name: "Follow-up", minutes: 30, offer: .either),
        VisitType(id: "follow-up-45", name: "Follow-up (45 minutes)", minutes: 45, offer: .either),
        VisitType(id: "re-evaluation", name: "Re-evaluation", minutes: 45, offer: .either),
        VisitType(id: "discharge", name: "Discharge visit", minutes: 30, offer: .either),
    ]
}

/// Minutes after local midnight, written "HH:MM".
public struct ClockTime: Codable, Comparable, Hashable, Sendable, CustomStringConvertible {
    public let minutes: Int

    public init(minutes: Int) throws(DomainError) {
        guard (0...(24 * 60)).contains(minutes) else { throw .invalid("time-invalid", "Give times as HH:MM, from 00:00 to 24:00.") }
        self.minutes = minutes
    }

    public init(_ text: String) throws(DomainError) {
        let parts = text.trimmingWhitespace().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0...24).contains(h), (0...59).contains(m)
        else { throw .invalid("time-invalid", "Give times as HH:MM, from 00:00 to 24:00.") }
        try self.init(minutes: h * 60 + m)
    }

    public var description: String {
        let h = minutes / 60, m = minutes % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }

    public static func < (a: Self, b: Self) -> Bool { a.minutes < b.minutes }

    public init(from decoder: any Decoder) throws { try self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Hours on one weekday, in the therapist's own time zone.
public struct WeeklyHours: Codable, Equatable, Sendable {
    /// ISO weekday: 1 Monday ... 7 Sunday.
    public var weekday: Int
    public var start: ClockTime
    public var end: ClockTime
    public var offer: Offer

    public init(weekday: Int, start: ClockTime, end: ClockTime, offer: Offer) {
        self.weekday = weekday
        self.start = start
        self.end = end
        self.offer = offer
    }
}

/// Hours on one date that replace that weekday's usual hours: none means a day off.
public struct DayException: Codable, Equatable, Sendable {
    public var day: CalendarDay
    public var hours: [Hours]
    public var note: String?

    public struct Hours: Codable, Equatable, Sendable {
        public var start: ClockTime
        public var end: ClockTime
        public var offer: Offer

        public init(start: ClockTime, end: ClockTime, offer: Offer) {
            self.start = start
            self.end = end
            self.offer = offer
        }
    }

    public init(day: CalendarDay, hours: [Hours], note: String? = nil) {
        self.day = day
        self.hours = hours
        self.note = note
    }
}

/// Days away, inclusive, in the therapist's calendar.
public struct TimeOff: Codable, Equatable, Sendable {
    public var from: CalendarDay
    public var through: CalendarDay
    public var note: String?

    public init(from: CalendarDay, through: CalendarDay, note: String? = nil) {
        self.from = from
        self.through = through
        self.note = note
    }
}

/// The rules a booking must keep.
public struct BookingPolicy: Codable, Equatable, Sendable {
    /// Free minutes kept between one visit and the next.
    public var bufferMinutes: Int
    /// How long before a visit patients may still book it.
    public var minimumNoticeHours: Int
    /// How far ahead patients may book.
    public var horizonDays: Int
    /// Slots start on multiples of this many minutes after the hours begin.
    public var slotStepMinutes: Int
    /// A patient who cancels or reschedules later than this before the visit makes a late cancellation.
    public var cancellationNoticeHours: Int
    /// The fee recorded for a late cancellation or a no-show, in cents (0: none).
    public var lateCancelFeeCents: Int

    public init(bufferMinutes: Int = 10, minimumNoticeHours: Int = 12, horizonDays: Int = 60, slotStepMinutes: Int = 15,
                cancellationNoticeHours: Int = 24, lateCancelFeeCents: Int = 0) {
        self.bufferMinutes = bufferMinutes
        self.minimumNoticeHours = minimumNoticeHours
        self.horizonDays = horizonDays
        self.slotStepMinutes = slotStepMinutes
        self.cancellationNoticeHours = cancellationNoticeHours
        self.lateCancelFeeCents = lateCancelFeeCents
    }

    public static let standard = BookingPolicy()

    /// Any field left out takes the standard value (a field given as null is refused).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BookingPolicy.standard
        func value(_ key: CodingKeys, _ fallback: Int) throws -> Int { c.contains(key) ? try c.decode(Int.self, forKey: key) : fallback }
        bufferMinutes = try value(.bufferMinutes, d.bufferMinutes)
        minimumNoticeHours = try value(.minimumNoticeHours, d.minimumNoticeHours)
        horizonDays = try value(.horizonDays, d.horizonDays)
        slotStepMinutes = try value(.slotStepMinutes, d.slotStepMinutes)
        cancellationNoticeHours = try value(.cancellationNoticeHours, d.cancellationNoticeHours)
        lateCancelFeeCents = try value(.lateCancelFeeCents, d.lateCancelFeeCents)
    }
}

/// When and how a therapist sees patients.
public struct TherapistSchedule: Codable, Equatable, Sendable {
    /// IANA name of the zone the hours are written in.
    public var timeZone: String
    public var weekly: [WeeklyHours]
    public var exceptions: [DayException]
    public var timeOff: [TimeOff]
    public var visitTypes: [VisitType]
    public var policy: BookingPolicy
    /// Where in-person visits take place (the clinic's address), shown to patients.
    public var inPersonLocation: String?
    /// The state or region of that address (a jurisdiction code such as `US-CA`): the patient is
    /// there during an in-person visit, so the therapist must be licensed there (CLINICAL.md §4).
    public var inPersonRegion: String?

    public init(timeZone: String, weekly: [WeeklyHours], exceptions: [DayException] = [], timeOff: [TimeOff] = [],
                visitTypes: [VisitType] = VisitType.standard, policy: BookingPolicy = .standard, inPersonLocation: String? = nil,
                inPersonRegion: String? = nil) {
        self.timeZone = timeZone
        self.weekly = weekly
        self.exceptions = exceptions
        self.timeOff = timeOff
        self.visitTypes = visitTypes
        self.policy = policy
        self.inPersonLocation = inPersonLocation
        self.inPersonRegion = inPersonRegion
    }

    /// Exceptions, time off, visit types and policy may be left out (none, none, the standard
    /// types, the standard policy).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timeZone = try c.decode(String.self, forKey: .timeZone)
        weekly = try c.decode([WeeklyHours].self, forKey: .weekly)
        // Left out: the default; given, it must be what it says (null is refused).
        exceptions = c.contains(.exceptions) ? try c.decode([DayException].self, forKey: .exceptions) : []
        timeOff = c.contains(.timeOff) ? try c.decode([TimeOff].self, forKey: .timeOff) : []
        visitTypes = c.contains(.visitTypes) ? try c.decode([VisitType].self, forKey: .visitTypes) : VisitType.standard
        policy = c.contains(.policy) ? try c.decode(BookingPolicy.self, forKey: .policy) : .standard
        inPersonLocation = try c.decodeIfPresent(String.self, forKey: .inPersonLocation)
        inPersonRegion = try c.decodeIfPresent(String.self, forKey: .inPersonRegion)
    }

    /// A schedule with no hours yet: nothing can be booked until the therapist sets some.
    public static func empty(timeZone: String) -> TherapistSchedule {
        TherapistSchedule(timeZone: timeZone, weekly: [])
    }

    public var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")! }

    public func visitType(_ id: String) -> VisitType? { visitTypes.first { $0.id == id } }

    /// The hours open on `day`, in local clock times: an exception replaces the weekday's hours,
    /// time off closes the day.
    public func hours(on day: CalendarDay) -> [DayException.Hours] {
        if timeOff.contains(where: { $0.from <= day && day <= $0.through }) { return [] }
        if let exception = exceptions.first(where: { $0.day == day }) { return exception.hours }
        return weekly.filter { $0.weekday == day.weekday }.map { .init(start: $0.start, end: $0.end, offer: $0.offer) }
    }

    /// Checks a schedule as a therapist saves it.
    public func validated() throws(DomainError) -> TherapistSchedule {
        var s = self
        s.timeZone = try PatientTimeZone(timeZone).identifier
        guard weekly.count <= 50 else { throw .invalid("schedule-too-long", "Keep weekly hours to 50 entries.") }
        guard exceptions.count <= 400, timeOff.count <= 200 else {
            throw .invalid("schedule-too-long", "Keep to 400 date exceptions and 200 periods of time off.")
        }
        for hours in weekly {
            guard (1...7).contains(hours.weekday) else { throw .invalid("weekday-invalid", "Weekdays run from 1 (Monday) to 7 (Sunday).") }
        }
        try Self.checkNoOverlap(weekly.map { ($0.weekday, $0.start, $0.end) }, what: CalendarDay.weekdayNames)
        var seenDays = Set<CalendarDay>()
        for exception in exceptions {
            guard seenDays.insert(exception.day).inserted else {
                throw .invalid("exception-repeated", "\(exception.day) has two exceptions; give it one.")
            }
            try Self.checkNoOverlap(exception.hours.map { (1, $0.start, $0.end) }, what: ["\(exception.day)"])
            try Self.checkNote(exception.note)
        }
        for off in timeOff {
            guard off.from <= off.through else { throw .invalid("time-off-invalid", "Time off must end on or after the day it starts.") }
            guard off.from.days(to: off.through) <= 366 else { throw .invalid("time-off-invalid", "Time off can last at most a year.") }
            try Self.checkNote(off.note)
        }
        guard !visitTypes.isEmpty, visitTypes.count <= 20 else {
            throw .invalid("visit-types-invalid", "Offer from 1 to 20 visit types.")
        }
        var ids = Set<String>()
        for type in visitTypes {
            guard type.id.count <= 40, !type.id.isEmpty, type.id.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }),
                  ids.insert(type.id).inserted
            else { throw .invalid("visit-type-id-invalid", "Visit type ids are unique lower-case words joined by '-'.") }
            let name = type.name.trimmingWhitespace()
            guard !name.isEmpty, name.count <= 80 else { throw .invalid("visit-type-name-invalid", "Name each visit type (80 characters at most).") }
            guard (10...240).contains(type.minutes) else {
                throw .invalid("visit-length-invalid", "A visit lasts from 10 to 240 minutes.")
            }
        }
        let p = policy
        guard (0...120).contains(p.bufferMinutes) else { throw .invalid("policy-invalid", "The buffer between visits is 0 to 120 minutes.") }
        guard (0...168).contains(p.minimumNoticeHours) else { throw .invalid("policy-invalid", "Minimum notice is 0 to 168 hours.") }
        guard (1...365).contains(p.horizonDays) else { throw .invalid("policy-invalid", "Patients may book 1 to 365 days ahead.") }
        guard [5, 10, 15, 20, 30, 60].contains(p.slotStepMinutes) else {
            throw .invalid("policy-invalid", "Slots start every 5, 10, 15, 20, 30 or 60 minutes.")
        }
        guard (0...168).contains(p.cancellationNoticeHours) else { throw .invalid("policy-invalid", "Cancellation notice is 0 to 168 hours.") }
        guard (0...100_000).contains(p.lateCancelFeeCents) else { throw .invalid("policy-invalid", "The late-cancellation fee is 0 to 1000.00.") }
        if let location = inPersonLocation {
            let trimmed = location.trimmingWhitespace()
            guard trimmed.count <= 200 else { throw .invalid("location-too-long", "Keep the address to 200 characters.") }
            s.inPersonLocation = trimmed.isEmpty ? nil : trimmed
        }
        if let region = inPersonRegion?.trimmingWhitespace() {
            s.inPersonRegion = region.isEmpty ? nil : try Jurisdiction(region).code
        }
        return s
    }

    private static func checkNote(_ note: String?) throws(DomainError) {
        guard (note?.count ?? 0) <= 200 else { throw .invalid("note-too-long", "Keep notes to 200 characters.") }
    }

    private static func checkNoOverlap(_ ranges: [(Int, ClockTime, ClockTime)], what names: [String]) throws(DomainError) {
        for r in ranges where r.1 >= r.2 {
            throw .invalid("hours-invalid", "Hours must end after they start (\(r.1)-\(r.2)).")
        }
        let sorted = ranges.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.0 == b.0 && b.1 < a.2 {
            let name = names.count == 1 ? names[0] : names[a.0 - 1]
            throw .invalid("hours-overlap", "Hours on \(name) overlap (\(a.1)-\(a.2) and \(b.1)-\(b.2)).")
        }
    }
}
#endif
