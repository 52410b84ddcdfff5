/// The therapist's hours as a web form sends them: flat fields, each a string. Blank rows are
/// left out, a half-filled row is refused with what is missing, and the result is checked like
/// a schedule sent to the API (`TherapistSchedule.validated`).
///
/// Fields:
/// - `timeZone`, `location`, `locationRegion` (the clinic's state, a jurisdiction code)
/// - `w{weekday}_{row}_start|end|offer` for weekday 1 (Monday) ... 7, rows 0 ..< `rowsPerDay`
/// - `type_{id}_on` ("on" when offered), `type_{id}_minutes`, `type_{id}_offer`
/// - `bufferMinutes`, `minimumNoticeHours`, `horizonDays`, `slotStepMinutes`,
///   `cancellationNoticeHours`, `lateCancelFee` (money, e.g. "25" or "25.00")
/// - `remove_exception_{yyyy-mm-dd}`, `remove_off_{index}`: "on" removes one already saved
/// - `ex_day`, `ex_start`, `ex_end`, `ex_offer`, `ex_note`: a new exception (no times: closed that day)
/// - `off_from`, `off_through`, `off_note`: new time off
public enum ScheduleForm {
    public static let rowsPerDay = 2

    /// The visit types a form shows: the therapist's own, then any standard ones they do not offer.
    public static func typeChoices(_ schedule: TherapistSchedule) -> [(type: VisitType, offered: Bool)] {
        schedule.visitTypes.map { ($0, true) }
            + VisitType.standard.filter { standard in !schedule.visitTypes.contains { $0.id == standard.id } }.map { ($0, false) }
    }

    public static func schedule(from fields: [String: String], current: TherapistSchedule) throws(DomainError) -> TherapistSchedule {
        func text(_ key: String) -> String { (fields[key] ?? "").trimmingWhitespace() }
        func number(_ key: String, _ label: String) throws(DomainError) -> Int {
            guard let value = Int(text(key)) else { throw .invalid("form-invalid", "\(label): give a whole number.") }
            return value
        }
        func offer(_ key: String) throws(DomainError) -> Offer {
            let raw = text(key)
            if raw.isEmpty { return .either }
            guard let offer = Offer(rawValue: raw) else { throw .invalid("offer-invalid", "Choose video, in person, or either.") }
            return offer
        }
        var schedule = current
        schedule.timeZone = text("timeZone")
        let location = text("location")
        schedule.inPersonLocation = location.isEmpty ? nil : location
        let region = text("locationRegion")
        schedule.inPersonRegion = region.isEmpty ? nil : region

        var weekly: [WeeklyHours] = []
        for weekday in 1...7 {
            for row in 0..<rowsPerDay {
                let prefix = "w\(weekday)_\(row)_"
                let name = CalendarDay.weekdayNames[weekday - 1]
                guard let (start, end) = try times(text(prefix + "start"), text(prefix + "end"), on: name) else { continue }
                weekly.append(WeeklyHours(weekday: weekday, start: start, end: end, offer: try offer(prefix + "offer")))
            }
        }
        schedule.weekly = weekly

        var types: [VisitType] = []
        for (type, _) in typeChoices(current) where text("type_\(type.id)_on") == "on" {
            var chosen = type
            chosen.minutes = try number("type_\(type.id)_minutes", "Length of \(type.name)")
            chosen.offer = try offer("type_\(type.id)_offer")
            types.append(chosen)
        }
        schedule.visitTypes = types

        schedule.policy = BookingPolicy(
            bufferMinutes: try number("bufferMinutes", "Minutes between visits"),
            minimumNoticeHours: try number("minimumNoticeHours", "Minimum notice"),
            horizonDays: try number("horizonDays", "Days ahead patients may book"),
            slotStepMinutes: try number("slotStepMinutes", "Start times every"),
            cancellationNoticeHours: try number("cancellationNoticeHours", "Cancellation notice"),
            lateCancelFeeCents: try cents(text("lateCancelFee")))

        schedule.exceptions = current.exceptions.filter { text("remove_exception_\($0.day)") != "on" }
        let newDay = text("ex_day")
        if !newDay.isEmpty {
            let day = try CalendarDay(newDay)
            var hours: [DayException.Hours] = []
            if let (start, end) = try times(text("ex_start"), text("ex_end"), on: newDay) {
                hours = [DayException.Hours(start: start, end: end, offer: try offer("ex_offer"))]
            }
            let note = text("ex_note")
            // A new exception for a day that has one replaces it.
            schedule.exceptions.removeAll { $0.day == day }
            schedule.exceptions.append(DayException(day: day, hours: hours, note: note.isEmpty ? nil : note))
            schedule.exceptions.sort { $0.day < $1.day }
        } else if !text("ex_start").isEmpty || !text("ex_end").isEmpty {
            throw .invalid("exception-day-missing", "Give the date the changed hours are for.")
        }

        schedule.timeOff = current.timeOff.enumerated().filter { text("remove_off_\($0.offset)") != "on" }.map(\.element)
        let from = text("off_from"), through = text("off_through")
        if !from.isEmpty || !through.isEmpty {
            guard !from.isEmpty else { throw .invalid("time-off-invalid", "Give the first day of the time off.") }
            let first = try CalendarDay(from)
            let last = through.isEmpty ? first : try CalendarDay(through)
            let note = text("off_note")
            schedule.timeOff.append(TimeOff(from: first, through: last, note: note.isEmpty ? nil : note))
            schedule.timeOff.sort { $0.from < $1.from }
        }
        return try schedule.validated()
    }

    /// A pair of times, nil when both are blank; one without the other is refused.
    static func times(_ start: String, _ end: String, on name: String) throws(DomainError) -> (ClockTime, ClockTime)? {
        if start.isEmpty && end.isEmpty { return nil }
        guard !start.isEmpty, !end.isEmpty else {
            throw .invalid("hours-incomplete", "\(name): give both a start and an end time, or neither.")
        }
        return (try ClockTime(start), try ClockTime(end))
    }

    /// "25", "25.5", "25.00" → 2500; blank → 0.
    public static func cents(_ text: String) throws(DomainError) -> Int {
        let text = text.trimmingWhitespace()
        if text.isEmpty { return 0 }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int(parts[0]), whole >= 0, parts[0].count <= 6,
              parts.count == 1 || (1...2).contains(parts[1].count) && parts[1].allSatisfy(\.isNumber)
        else { throw .invalid("fee-invalid", "Give the fee as an amount such as 25 or 25.00.") }
        let fraction = parts.count == 2 ? Int(parts[1].count == 1 ? parts[1] + "0" : String(parts[1])) ?? 0 : 0
        return whole * 100 + fraction
    }

    /// 2500 → "25.00".
    public static func money(_ cents: Int) -> String {
        let c = cents % 100
        return "\(cents / 100)." + (c < 10 ? "0" : "") + "\(c)"
    }
}
