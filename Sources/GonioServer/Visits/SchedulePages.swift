import Vapor
import GonioCore

/// The therapist's hours page: weekly hours in their own zone, changed days, time off, the
/// visit types offered and the booking rules. A clinic admin opens it for one of their
/// therapists with `?therapist=`. It saves through the same service as `PUT .../schedule`.
struct SchedulePages: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.web.get(Paths.scheduleHours, use: page)
        routes.web.post(Paths.scheduleHours, use: save)
    }

    struct Row: Encodable {
        var prefix: String
        var number: Int
        var start: String
        var end: String
        var offer: String
    }

    struct Day: Encodable {
        var name: String
        var rows: [Row]
    }

    struct TypeRow: Encodable {
        var id: String
        var name: String
        var minutes: Int
        var offer: String
        var offered: Bool
    }

    struct Saved: Encodable {
        var key: String
        var label: String
    }

    struct Context: Encodable {
        var heading: String
        var action: String
        var therapistId: String
        var timeZone: String
        var zones: [Choice]
        var offers: [Choice]
        var days: [Day]
        var types: [TypeRow]
        var policy: BookingPolicy
        var lateCancelFee: String
        var steps: [Choice]
        var location: String
        var regions: [Choice]
        var exceptions: [Saved]
        var timeOff: [Saved]
        var today: String
        var message: String?
    }

    /// The zones a therapist may choose (regions, not the "Etc/" offsets), read once.
    static let zones = TimeZone.knownTimeZoneIdentifiers.filter { $0.contains("/") && !$0.hasPrefix("Etc/") }.sorted()

    /// The therapist whose hours are shown: one's own, or `?therapist=` for a clinic admin.
    private func therapist(_ req: Request) async throws -> TherapistModel {
        let ctx = req.context
        let user = try ctx.requireUser()
        let id: UUID
        if let asked = try? req.query.get(UUID.self, at: "therapist") {
            id = asked
        } else if let own = user.therapistID {
            id = own
        } else {
            throw DomainError.notFound("therapist-not-found", "Open the hours of a therapist from your clinic's page.")
        }
        return try await TherapistService(ctx: ctx).visibleTherapist(id)
    }

    func page(req: Request) async throws -> Response {
        let therapist = try await therapist(req)
        let schedule = try await VisitService(ctx: req.context).schedule(of: therapist)
        return try await render(req, therapist, schedule, message: nil, status: .ok)
    }

    func render(_ req: Request, _ therapist: TherapistModel, _ schedule: TherapistSchedule, fields: [String: String]? = nil,
                message: String?, status: HTTPResponseStatus) async throws -> Response {
        let user = try req.context.requireUser()
        let days = (1...7).map { weekday in
            let hours = schedule.weekly.filter { $0.weekday == weekday }.sorted { $0.start < $1.start }
            return Day(name: CalendarDay.weekdayNames[weekday - 1], rows: (0..<max(ScheduleForm.rowsPerDay, hours.count)).map { i in
                let prefix = "w\(weekday)_\(i)_"
                if let fields {
                    return Row(prefix: prefix, number: i + 1, start: fields[prefix + "start"] ?? "", end: fields[prefix + "end"] ?? "", offer: fields[prefix + "offer"] ?? "either")
                }
                let h = i < hours.count ? hours[i] : nil
                return Row(prefix: prefix, number: i + 1, start: h?.start.description ?? "", end: h?.end.description ?? "", offer: h?.offer.rawValue ?? "either")
            })
        }
        let chosenZone = fields?["timeZone"] ?? schedule.timeZone
        let mine = user.therapistID == therapist.id
        let context = Context(
            heading: mine ? "Your hours" : "Hours of \(therapist.user.name)",
            action: mine ? Paths.scheduleHours() : Paths.scheduleHours(query: ["therapist": therapist.id?.uuidString ?? ""]),
            therapistId: therapist.id?.uuidString ?? "",
            timeZone: chosenZone,
            zones: Self.zones.map { Choice(value: $0, label: $0.replacingOccurrences(of: "_", with: " "), selected: $0 == chosenZone) },
            offers: Offer.allCases.map { Choice(value: $0.rawValue, label: $0.displayName, selected: false) },
            days: days,
            types: ScheduleForm.typeChoices(schedule).map {
                TypeRow(id: $0.type.id, name: $0.type.name, minutes: $0.type.minutes, offer: $0.type.offer.rawValue, offered: $0.offered)
            },
            policy: schedule.policy, lateCancelFee: ScheduleForm.money(schedule.policy.lateCancelFeeCents),
            steps: [5, 10, 15, 20, 30, 60].map { Choice(value: "\($0)", label: "\($0) minutes", selected: $0 == schedule.policy.slotStepMinutes) },
            location: schedule.inPersonLocation ?? "",
            regions: [Choice(value: "", label: "Choose a state", selected: schedule.inPersonRegion == nil)]
                + Choice.usStates(selected: fields?["locationRegion"] ?? schedule.inPersonRegion),
            exceptions: schedule.exceptions.map { e in
                Saved(key: e.day.description, label: "\(e.day.longName) \(e.day.year): "
                    + (e.hours.isEmpty ? "closed" : e.hours.map { "\($0.start)–\($0.end) \($0.offer.displayName.lowercased())" }.joined(separator: ", "))
                    + (e.note.map { " (\($0))" } ?? ""))
            },
            timeOff: schedule.timeOff.enumerated().map { i, off in
                Saved(key: "\(i)", label: (off.from == off.through ? "\(off.from.longName) \(off.from.year)" : "\(off.from.longName) \(off.from.year) to \(off.through.longName) \(off.through.year)")
                    + (off.note.map { " (\($0))" } ?? ""))
            },
            today: CalendarDay(at: req.context.now, in: schedule.zone).description,
            message: message)
        return try await WebPage.render(req, "schedule", title: context.heading, context,
                                        notice: WebPage.notice(req, ["saved": "Your hours are saved. Visits already booked stay as they are."]), status: status)
    }

    func save(req: Request) async throws -> Response {
        let therapist = try await therapist(req)
        let service = VisitService(ctx: req.context)
        let current = try await service.schedule(of: therapist)
        let fields = (try? req.content.decode([String: String].self)) ?? [:]
        return try await WebPage.submitting({
            let schedule = try ScheduleForm.schedule(from: fields, current: current)
            _ = try await service.saveSchedule(therapistID: try therapist.requireID(), schedule)
            var query = [("notice", "saved")]
            if req.context.user?.therapistID != therapist.id { query.append(("therapist", therapist.id?.uuidString ?? "")) }
            return WebPage.seeOther(Paths.scheduleHours(items: query))
        }, orShow: { message, status in
            try await render(req, therapist, current, fields: fields, message: message, status: status)
        })
    }
}
