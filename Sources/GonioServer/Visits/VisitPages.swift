import Vapor
import Fluent
import GonioCore

/// The visits page: a patient's (or their caregiver's) visits and booking from open slots; a
/// therapist's calendar with joining and attendance. Forms call the same service as the API.
struct VisitPages: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.web.get(Paths.visitsPage, use: page)
        routes.web.post(Paths.visitBook, use: book)
        routes.web.post(Paths.visitCancelPage, use: cancel)
        routes.web.post(Paths.visitAttendancePage, use: attendance)
        routes.web.get(Paths.visitCalendarFile, use: VisitRoutes().icsAPI)
    }

    /// "Tuesday 1 December, 09:00–09:30 (America/Los_Angeles)".
    static func when(_ start: Date, _ end: Date, in zone: TimeZone) -> String {
        "\(CalendarDay(at: start, in: zone).longName), \(clock(start, zone))–\(clock(end, zone)) (\(zone.identifier.replacingOccurrences(of: "_", with: " ")))"
    }

    static func clock(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }

    struct VisitRow: Encodable {
        var when: String
        var title: String
        var how: String
        var status: String
        var booked: Bool
        var video: Bool
        var join: String
        var calendar: String
        var cancel: String
        var attendance: String
        var mayCancel: Bool
        var mayRecord: Bool
        var late: Bool
    }

    struct SlotDay: Encodable {
        var day: String
        var slots: [SlotChoice]
    }

    struct SlotChoice: Encodable {
        var value: String
        var label: String
        var offer: String
    }

    struct Booking: Encodable {
        var patientId: String
        var therapists: [Choice]
        var types: [Choice]
        var modalities: [Choice]
        var places: [Choice]
        var days: [SlotDay]
        var weekLabel: String
        var previousWeek: String?
        var nextWeek: String
        var zone: String
        var message: String?
    }

    struct Context: Encodable {
        var heading: String
        var isTherapist: Bool
        var patients: [Choice]
        var upcoming: [VisitRow]
        var past: [VisitRow]
        var booking: Booking?
        var zone: String
        var bookAction: String
    }

    func page(req: Request) async throws -> Response {
        try await render(req, message: nil, status: .ok)
    }

    func render(_ req: Request, message: String?, status: HTTPResponseStatus) async throws -> Response {
        let ctx = req.context
        let user = try ctx.requireUser()
        let service = VisitService(ctx: ctx)
        let now = ctx.now
        var context = Context(heading: "Visits", isTherapist: user.role == .therapist, patients: [], upcoming: [], past: [], booking: nil,
                              zone: "", bookAction: Paths.visitBook())
        let all = try await service.visits(from: now.addingTimeInterval(-60 * 86_400), to: now.addingTimeInterval(120 * 86_400))
        var zone = TimeZone(identifier: "UTC")!
        if user.role == .therapist, let therapistID = user.therapistID, let me = try? await service.therapist(therapistID) {
            zone = try await service.schedule(of: me).zone
            context.heading = "Your visits"
        }
        var patient: AuthorizedPatient?
        if user.role == .patient || user.role == .caregiver {
            // The patient whose visits are shown: one's own, or a caregiver's choice.
            let page = try await ctx.gate.list(.visitRead, page: try ListPage(page: 1, per: ListPage.maxPer), resource: "visits/page")
            let chosen = (try? req.query.get(UUID.self, at: "patient")) ?? page.items.first?.id
            context.patients = page.items.count > 1
                ? page.items.map { Choice(value: $0.id.uuidString, label: $0.name, selected: $0.id == chosen) } : []
            if let chosen, page.items.contains(where: { $0.id == chosen }) {
                patient = try await ctx.gate.authorize(.visitRead, patientID: chosen, resource: "patient/\(chosen)/visits")
            }
            if let patient { zone = patient.timeZone.timeZone }
        }
        context.zone = zone.identifier.replacingOccurrences(of: "_", with: " ")
        let shown = patient.map { p in all.filter { $0.$patient.id == p.id } } ?? all
        func row(_ v: VisitModel) -> VisitRow {
            let other = user.role == .therapist ? (v.$patient.value?.$user.value?.name ?? "Patient") : (v.$therapist.value?.$user.value?.name ?? "")
            let id = v.id ?? UUID()
            let joinable = v.callIsOpen(now: now, earlyMinutes: ctx.config.callEarlyMinutes)
            return VisitRow(
                when: Self.when(v.startAt, v.endAt, in: zone), title: "\(v.visitTypeName) with \(other)",
                how: v.modality == .video ? "Video" : "In person" + (v.location.map { " at \($0)" } ?? ""),
                status: v.status.displayName + (v.attendedMinutes.map { ", \($0) min" } ?? "")
                    + (v.lateFeeCents > 0 ? String(format: ", fee %.2f", Double(v.lateFeeCents) / 100) : ""),
                booked: v.status == .booked, video: joinable, join: Paths.visitCall(id), calendar: Paths.visitCalendarFile(id),
                cancel: Paths.visitCancelPage(id), attendance: Paths.visitAttendancePage(id),
                mayCancel: v.status == .booked && now < v.startAt,
                mayRecord: user.therapistID == v.$therapist.id && v.status == .booked && now >= v.startAt.addingTimeInterval(-600),
                late: false)
        }
        context.upcoming = shown.filter { $0.endAt > now && $0.status.holdsTime }.map(row)
        context.past = shown.filter { !($0.endAt > now && $0.status.holdsTime) }.reversed().map(row)
        if let patient, patient.may(.bookVisit) {
            context.booking = try await booking(req, patient, message: message)
        }
        return try await WebPage.render(req, "visits", title: "Visits", context, notice: WebPage.notice(req, [
            "booked": "Your visit is booked. A calendar file is below.",
            "cancelled": "The visit was cancelled.",
            "recorded": "Attendance recorded.",
        ]), status: status)
    }

    /// The booking form: the care team's therapists, visit types, and a week of open slots in
    /// the patient's time zone.
    func booking(_ req: Request, _ patient: AuthorizedPatient, message: String?) async throws -> Booking? {
        let ctx = req.context
        let service = VisitService(ctx: ctx)
        let team = try await CareService(ctx: ctx).careTeam(patient).filter { $0.verification == .verified }
        guard !team.isEmpty else { return nil }
        let chosenTherapist = (try? req.query.get(UUID.self, at: "therapist")).flatMap { id in team.first { $0.id == id } } ?? team[0]
        let therapist = try await service.therapist(try chosenTherapist.requireID())
        let schedule = try await service.schedule(of: therapist)
        let typeID = (try? req.query.get(String.self, at: "type")).flatMap { schedule.visitType($0)?.id } ?? schedule.visitTypes.first { $0.id == "follow-up" }?.id
            ?? schedule.visitTypes[0].id
        let zone = patient.timeZone.timeZone
        let today = CalendarDay(at: ctx.now, in: zone)
        let weekStart = (try? req.query.get(String.self, at: "week")).flatMap { try? CalendarDay($0) }.map { max($0, today) } ?? today
        let from = weekStart.start(in: zone), to = weekStart.adding(days: 7).start(in: zone)
        let (_, _, slots) = try await service.slots(therapistID: try therapist.requireID(), visitType: typeID, from: from, to: to)
        let days = Dictionary(grouping: slots) { CalendarDay(at: $0.start, in: zone) }.sorted { $0.key < $1.key }.map { day, slots in
            SlotDay(day: day.longName, slots: slots.map {
                SlotChoice(value: ISO8601DateFormatter().string(from: $0.start), label: Self.clock($0.start, zone), offer: $0.offer.displayName)
            })
        }
        let query: (CalendarDay) -> String = { day in
            Paths.visitsPage(query: ["patient": patient.id.uuidString, "therapist": chosenTherapist.id?.uuidString ?? "", "type": typeID,
                                     "week": day.description])
        }
        let here = patient.jurisdiction?.code
        return Booking(
            patientId: patient.id.uuidString,
            therapists: team.map { Choice(value: $0.id?.uuidString ?? "", label: $0.user.name, selected: $0.id == chosenTherapist.id) },
            types: schedule.visitTypes.map { Choice(value: $0.id, label: "\($0.name) (\($0.minutes) min)", selected: $0.id == typeID) },
            modalities: VisitModality.allCases.map { Choice(value: $0.rawValue, label: $0.displayName, selected: $0 == .video) },
            places: Jurisdiction.usStates.map { ("US-" + $0.key, $0.value) }.sorted { $0.1 < $1.1 }
                .map { Choice(value: $0.0, label: $0.1, selected: $0.0 == here) },
            days: days, weekLabel: "\(weekStart.longName) to \(weekStart.adding(days: 6).longName)",
            previousWeek: weekStart > today ? query(max(today, weekStart.adding(days: -7))) : nil, nextWeek: query(weekStart.adding(days: 7)),
            zone: zone.identifier.replacingOccurrences(of: "_", with: " "), message: message)
    }

    struct BookForm: Content {
        var patientId: UUID
        var therapistId: UUID
        var visitType: String
        var start: String?
        var modality: VisitModality?
        var location: String?
    }

    func book(req: Request) async throws -> Response {
        let form = try req.content.decode(BookForm.self)
        return try await WebPage.submitting({
            guard let raw = form.start, let start = VisitRoutes.parseInstant(raw) else {
                throw DomainError.invalid("start-missing", "Choose a time.")
            }
            let place = try form.location.flatMap { $0.isEmpty ? nil : try Jurisdiction($0) }
            _ = try await req.context.gate.change(.visitBook, patientID: form.patientId, resource: "patient/\(form.patientId)/visits") { patient, tx in
                VisitRoutes.VisitDTO(try await VisitService(ctx: tx).book(patient, .init(
                    therapistID: form.therapistId, start: start, visitType: form.visitType, modality: form.modality, patientLocation: place)))
            }
            return WebPage.seeOther(Paths.visitsPage(query: ["patient": form.patientId.uuidString, "notice": "booked"]))
        }, orShow: { message, status in try await render(req, message: message, status: status) })
    }

    struct CancelForm: Content {
        var reason: String?
    }

    func cancel(req: Request) async throws -> Response {
        let (visitID, patientID) = try await VisitRoutes.patientOf(req)
        return try await WebPage.submitting({
            _ = try await req.context.gate.change(.visitChange, patientID: patientID, resource: VisitRoutes.resource(visitID)) { patient, tx in
                let form = try req.content.decode(CancelForm.self)
                return VisitRoutes.VisitDTO(try await VisitService(ctx: tx).cancel(patient, visitID: visitID, reason: form.reason))
            }
            return WebPage.seeOther(Paths.visitsPage(query: ["patient": patientID.uuidString, "notice": "cancelled"]))
        }, orShow: { message, status in try await render(req, message: message, status: status) })
    }

    struct AttendanceForm: Content {
        var attendance: String
        var minutes: Int?
    }

    func attendance(req: Request) async throws -> Response {
        let (visitID, patientID) = try await VisitRoutes.patientOf(req)
        return try await WebPage.submitting({
            _ = try await req.context.gate.change(.visitAttendance, patientID: patientID, resource: VisitRoutes.resource(visitID)) { patient, tx in
                let form = try req.content.decode(AttendanceForm.self)
                return VisitRoutes.VisitDTO(try await VisitService(ctx: tx).recordAttendance(
                    patient, visitID: visitID, arrived: form.attendance == "arrived", minutes: form.minutes))
            }
            return WebPage.seeOther(Paths.visitsPage(query: ["notice": "recorded"]))
        }, orShow: { message, status in try await render(req, message: message, status: status) })
    }
}
