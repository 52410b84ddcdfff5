import Vapor
import Fluent
import GonioCore

/// The remote therapeutic monitoring ledger (CLINICAL.md §3.3): for a 30-day period, the days
/// with qualifying data (practice logs, camera-tracked sessions among them, check-ins and
/// questionnaires); for the calendar month, the treatment-management minutes the therapist
/// logged and whether any was a real-time interactive communication; and the codes those
/// support by the year's rules (`RTMCodes`). The time log is append-only: a correction is a
/// new entry, so the evidence an audit sees is what was written.
struct RTMService {
    let ctx: CallContext

    struct Ledger: Content {
        struct DataDay: Content {
            var day: CalendarDay
            /// What was recorded: "practice", "camera", "check-in", "questionnaire".
            var sources: [String]
        }

        struct TimeEntry: Content {
            var id: UUID
            var day: String
            var minutes: Int
            var interactive: Bool
            var activity: String
            var recordedBy: UUID?
            var recordedAt: Date
        }

        var periodStart: CalendarDay
        var periodEnd: CalendarDay
        var dataDays: [DataDay]
        var month: String
        var minutes: Int
        var interactive: Bool
        var time: [TimeEntry]
        /// Visits held with the patient in the month: each a real-time interactive communication
        /// (its minutes are billed with the visit, never as management time).
        struct Contact: Content {
            var day: CalendarDay
            var visitId: UUID
            var kind: String
        }
        var contacts: [Contact]
        /// Supported codes: device supply for the period, management for the month.
        var device: String?
        var management: [String]
        /// Set-up and education (98975): supported only in the episode's first period, with the
        /// year's days of data.
        var setupSupported: Bool
        /// The episode of care began with the initial evaluation signed this day (nil: none is
        /// signed, and the episode is the whole record); monitoring with its first data after it.
        var episodeStart: CalendarDay?
        var monitoringStart: CalendarDay?
        var rulesYear: Int
    }

    /// The days with qualifying data from `start` (inclusive) to `end`, with what was recorded.
    func dataDays(_ patient: AuthorizedPatient, from start: CalendarDay, to end: CalendarDay) async throws -> [CalendarDay: Set<String>] {
        var sources: [CalendarDay: Set<String>] = [:]
        for log in try await PracticeService(ctx: ctx).history(patient, since: start) {
            guard let day = try? CalendarDay(log.day), day <= end else { continue }
            sources[day, default: []].insert(log.report.motion == nil ? "practice" : "camera")
        }
        for row in try await CheckInService(ctx: ctx).list(patient, since: start) {
            if let day = try? CalendarDay(row.day), day <= end { sources[day, default: []].insert("check-in") }
        }
        for row in try await MeasureService(ctx: ctx).responses(patient) {
            let day = patient.day(at: row.completedAt)
            if day >= start, day <= end { sources[day, default: []].insert("questionnaire") }
        }
        return sources
    }

    /// When the episode began (its signed initial evaluation) and its first day of data.
    typealias Episode = (start: CalendarDay?, monitoring: CalendarDay?)

    /// The episode's start and the first day of data in it (reads the episode's data once).
    func episode(_ patient: AuthorizedPatient) async throws -> Episode {
        let start = try await NoteService(ctx: ctx).episodeStart(patient).map { patient.day(at: $0) }
        let from = start ?? CalendarDay(dayNumber: 0)
        let days = try await dataDays(patient, from: from, to: patient.day(at: ctx.now))
        return (start, days.keys.min())
    }

    /// The 30-day period that holds today, counted from the first data of the episode (the last
    /// 30 days when there is none yet).
    func currentPeriod(_ patient: AuthorizedPatient, episode: Episode) -> CalendarDay {
        let today = patient.day(at: ctx.now)
        guard let began = episode.monitoring else { return today.adding(days: -29) }
        return RTMPeriod.start(containing: today, monitoringStart: began) ?? today.adding(days: -29)
    }

    /// The period is the 30 days from `start`; the month the one `start` falls in unless given.
    /// `known`: the patient's episode when the caller has read it already.
    func ledger(_ patient: AuthorizedPatient, start: CalendarDay, month: CalendarDay? = nil, episode known: Episode? = nil) async throws -> Ledger {
        let end = start.adding(days: 29)
        let sources = try await dataDays(patient, from: start, to: end)
        let episode = if let known { known } else { try await episode(patient) }
        let monthOf = month ?? start
        let monthStart = try CalendarDay(year: monthOf.year, month: monthOf.month, day: 1)
        let monthEnd = try CalendarDay(year: monthOf.year, month: monthOf.month, day: CalendarDay.daysIn(month: monthOf.month, year: monthOf.year))
        let time = try await RTMTimeModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
            .filter(\.$day >= monthStart.description).filter(\.$day <= monthEnd.description).sort(\.$day).sort(\.$recordedAt).all()
        let minutes = time.reduce(0) { $0 + $1.minutes }
        let zone = patient.timeZone.timeZone
        let monthEndsAt = try monthEnd.adding(days: 1).start(in: zone)
        let contacts = try await VisitService(ctx: ctx).visits(of: patient, from: try monthStart.start(in: zone))
            .filter { $0.startAt < monthEndsAt && $0.tookPlace(by: ctx.now) }
            .map { Ledger.Contact(day: patient.day(at: $0.startAt), visitId: $0.id ?? UUID(), kind: $0.modality == .video ? "video visit" : "visit in person") }
        let interactive = time.contains { $0.interactive } || !contacts.isEmpty
        let rules = try RTMCodes.rules(year: start.year)
        // The device code by the rules of the period's year; management by the month's.
        let device = try RTMCodes.codes(year: start.year, days: sources.count, minutes: 0, interactive: false).device
        let management = try RTMCodes.codes(year: monthOf.year, days: 0, minutes: min(minutes, 1440), interactive: interactive).management
        return Ledger(
            periodStart: start, periodEnd: end,
            dataDays: sources.keys.sorted().map { Ledger.DataDay(day: $0, sources: sources[$0]!.sorted()) },
            month: String(monthStart.description.prefix(7)), minutes: minutes, interactive: interactive,
            time: time.map { Ledger.TimeEntry(id: $0.id ?? UUID(), day: $0.day, minutes: $0.minutes, interactive: $0.interactive,
                                              activity: $0.activity, recordedBy: $0.$recordedBy.id, recordedAt: $0.recordedAt) },
            contacts: contacts, device: device, management: management,
            setupSupported: RTMPeriod.setupSupported(periodStart: start, monitoringStart: episode.monitoring, dataDays: sources.count, rules: rules),
            episodeStart: episode.start, monitoringStart: episode.monitoring, rulesYear: rules.year)
    }

    /// The evidence as CSV for an audit: one row per day with data and per time entry.
    static func csv(_ l: Ledger, patientName: String) -> String {
        var rows = ["record,patient,day,sources,minutes,interactive,activity,recorded_by,recorded_at"]
        for d in l.dataDays { rows.append(CSV.row(["data-day", patientName, d.day.description, d.sources.joined(separator: " "), nil, nil, nil, nil, nil])) }
        let iso = ISO8601DateFormatter()
        for c in l.contacts { rows.append(CSV.row(["live-contact", patientName, c.day.description, c.kind, nil, "yes", c.visitId.uuidString, nil, nil])) }
        for t in l.time {
            rows.append(CSV.row(["management-time", patientName, t.day, nil, String(t.minutes), t.interactive ? "yes" : "no", t.activity,
                                 t.recordedBy?.uuidString, iso.string(from: t.recordedAt)]))
        }
        rows.append(CSV.row(["codes", patientName, "\(l.periodStart) to \(l.periodEnd)", nil, String(l.minutes), l.interactive ? "yes" : "no",
                             ([l.setupSupported ? "98975" : nil, l.device].compactMap { $0 } + l.management).joined(separator: " "), nil, nil]))
        return CSV.document(rows)
    }

    struct TimeInput: Content {
        var day: CalendarDay
        var minutes: Int
        var interactive: Bool
        var activity: String
    }

    /// Logs treatment-management time. Minutes of a visit billed on its own do not count here
    /// (the same time cannot be billed twice); the page says so.
    func log(_ patient: AuthorizedPatient, _ input: TimeInput) async throws -> RTMTimeModel {
        let today = patient.day(at: ctx.now)
        guard (1...120).contains(input.minutes) else { throw DomainError.invalid("minutes-invalid", "Log 1 to 120 minutes at a time.") }
        guard input.day <= today, input.day >= today.adding(days: -60) else {
            throw DomainError.invalid("day-invalid", "The day is up to today and within the last 60 days.")
        }
        guard let activity = try PlanContent.text(input.activity, "The activity", 300) else {
            throw DomainError.invalid("activity-missing", "Say what the time was spent on (reviewing data, a call with the patient...).")
        }
        let row = RTMTimeModel()
        row.id = UUID()
        row.$patient.id = patient.id
        row.day = input.day.description
        row.minutes = input.minutes
        row.interactive = input.interactive
        row.activity = activity
        row.$recordedBy.id = ctx.user?.userID
        row.recordedAt = ctx.now
        try await row.create(on: ctx.db)
        return row
    }
}
