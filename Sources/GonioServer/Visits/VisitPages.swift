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
        routes.web.post(Paths.visitMovePage, use: move)
        routes.web.post(Paths.visitAttendancePage, use: attendance)
        routes.web.get(Paths.visitCalendarFile, use: VisitRoutes().icsAPI)
    }

    /// Where the visit's therapist writes the note for it: the kind the visit calls for, linked to it.
    static func noteLink(_ visit: VisitModel) -> String {
        Paths.noteNew(visit.$patient.id, items: [("kind", NoteKind.forVisit(type: visit.visitType).rawValue),
                                                ("visit", visit.id?.uuidString ?? "")])
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
        var move: String
        var mayCancel: Bool
        var mayRecord: Bool
        var late: Bool
        var guests: [GuestRow]
        var mayInvite: Bool
        var invite: String
        /// The visit's therapist, after the visit: write its note, or open the notes.
        var noteLink: String?
        var noted: Bool
        /// Movements measured in the visit (the goniometer), in words, for those who see the record.
        var readings: [String]
    }

    struct GuestRow: Encodable {
        var name: String
        var kind: String
        var remove: String?
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
        /// Where the chosen time is sent: a new booking, or moving `moving`.
        var action: String
        var heading: String
        var moving: String?
        var choosing: Bool
        /// Staff may book a weekly series.
        var series: Bool
        var repeats: [Choice]
        var patientId: String
        var therapists: [Choice]
        var types: [Choice]
        var modalities: [Choice]
        /// What the visit would cost the patient, per modality.
        var costs: [String]
        var places: [Choice]
        var days: [SlotDay]
        var weekLabel: String
        var previousWeek: String?
        var nextWeek: String
        var zone: String
        var message: String?
        /// "Where will you be...", or the patient's name when someone books for them.
        var placeQuestion: String
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
        /// Staff: the patient whose visits are shown, and a search to choose one.
        var patientName: String?
        var staff: Bool
        var search: String
        var searched: Bool
        var found: [Choice]
        var hoursLink: String?
        /// Whom a visit's guest may be: the patient's linked caregivers, or anyone by link.
        var guestChoices: [Choice]
    }

    func page(req: Request) async throws -> Response {
        try await render(req, message: nil, status: .ok)
    }

    /// `patientID` and `moveID` stand in for the query's when a form posted elsewhere is shown again.
    func render(_ req: Request, message: String?, status: HTTPResponseStatus, notice: String? = nil,
                patientID: UUID? = nil, moveID: UUID? = nil) async throws -> Response {
        let ctx = req.context
        let user = try ctx.requireUser()
        let service = VisitService(ctx: ctx)
        let now = ctx.now
        let staff = user.role == .therapist || user.role == .clinicAdmin
        var context = Context(heading: "Visits", isTherapist: user.role == .therapist, patients: [], upcoming: [], past: [], booking: nil,
                              zone: "", bookAction: Paths.visitsPage(), patientName: nil, staff: staff, search: "", searched: false, found: [],
                              hoursLink: user.role == .therapist ? Paths.scheduleHours() : nil, guestChoices: [])
        var zone = TimeZone(identifier: "UTC")!
        if user.role == .therapist, let therapistID = user.therapistID, let me = try? await service.therapist(therapistID) {
            zone = try await service.schedule(of: me).zone
            context.heading = "Your visits"
        }
        var patient: AuthorizedPatient?
        let asked = patientID ?? (try? req.query.get(UUID.self, at: "patient"))
        if staff {
            // Staff open one patient's visits (to book, move or book a series) from a search.
            if let asked {
                patient = try await ctx.gate.authorize(.visitRead, patientID: asked, resource: "patient/\(asked)/visits")
            }
            if let search = try NameSearch(try? req.query.get(String.self, at: "q")) {
                context.search = search.text
                context.searched = true
                let page = try await ctx.gate.list(.visitBook, page: try ListPage(page: 1, per: 10), search: search, resource: "visits/search")
                context.found = page.items.map { Choice(value: Paths.visitsPage(query: ["patient": $0.id.uuidString]), label: $0.name, selected: false) }
            }
        } else {
            // The patient whose visits are shown: one's own, or a caregiver's choice.
            let page = try await ctx.gate.list(.visitRead, page: try ListPage(page: 1, per: ListPage.maxPer), resource: "visits/page")
            let chosen = asked ?? page.items.first?.id
            context.patients = page.items.count > 1
                ? page.items.map { Choice(value: $0.id.uuidString, label: $0.name, selected: $0.id == chosen) } : []
            if let chosen, page.items.contains(where: { $0.id == chosen }) {
                patient = try await ctx.gate.authorize(.visitRead, patientID: chosen, resource: "patient/\(chosen)/visits")
            }
            if let patient { zone = patient.timeZone.timeZone }
        }
        context.zone = zone.identifier.replacingOccurrences(of: "_", with: " ")
        context.patientName = staff ? patient?.name : nil
        let shown: [VisitModel]
        if let patient, staff {
            shown = try await service.visits(of: patient, from: now.addingTimeInterval(-60 * 86_400))
        } else {
            let all = try await service.visits(from: now.addingTimeInterval(-60 * 86_400), to: now.addingTimeInterval(120 * 86_400))
            shown = patient.map { p in all.filter { $0.$patient.id == p.id } } ?? all
        }
        // Guests of the visits shown, and whom the patient's side may invite.
        let guestService = VisitGuestService(ctx: ctx)
        let guests = try await guestService.activeGuests(visitIDs: shown.compactMap(\.id))
        let mayInvite = patient.map { $0.may(.bookVisit) } ?? false
        if let patient, mayInvite {
            context.guestChoices = try await CareService(ctx: ctx).caregiverLinks(patient)
                .filter { $0.revokedAt == nil && $0.expiresAt > now && !$0.scopes.set.isDisjoint(with: [.view, .bookVisits]) }
                .map { Choice(value: "user:\($0.$caregiver.id)", label: "\($0.caregiver.name) (caregiver, signs in)", selected: false) }
                + [Choice(value: "link", label: "Someone else, with a private link", selected: false)]
        }
        let noted = user.role == .therapist ? try await NoteService(ctx: ctx).notedVisits(shown.filter { $0.status == .completed }.compactMap(\.id)) : []
        var readings: [UUID: [MotionReading]] = [:]
        if let patient, patient.may(.viewClinical) {
            let clinical = try await ctx.gate.authorize(.visitReadings, patientID: patient.id, resource: "patient/\(patient.id)/readings")
            readings = try await VisitReadingService(ctx: ctx).byVisit(clinical, visits: shown.compactMap(\.id))
        }
        func row(_ v: VisitModel) -> VisitRow {
            let other = staff && patient == nil ? (v.$patient.value?.$user.value?.name ?? "Patient") : (v.$therapist.value?.$user.value?.name ?? "")
            let id = v.id ?? UUID()
            let visitGuests = guests[id] ?? []
            // A caregiver joins the visits they are invited to.
            let joinable = v.callIsOpen(now: now, earlyMinutes: ctx.config.callEarlyMinutes)
                && (user.role != .caregiver || visitGuests.contains { $0.$user.id == user.userID })
            let changeable = v.status == .booked && now < v.startAt
            let managesGuests = mayInvite && v.modality == .video && v.status == .booked && now < v.endAt
                && (user.role != .therapist || user.therapistID == v.$therapist.id)
            return VisitRow(
                when: Self.when(v.startAt, v.endAt, in: zone), title: "\(v.visitTypeName) with \(other)",
                how: v.modality == .video ? "Video" : "In person" + (v.location.map { " at \($0)" } ?? ""),
                status: v.status.displayName + (v.attendedMinutes.map { ", \($0) min" } ?? "")
                    + (v.lateFeeCents > 0 ? ", fee " + ScheduleForm.money(v.lateFeeCents) : ""),
                booked: v.status == .booked, video: joinable, join: Paths.visitCall(id), calendar: Paths.visitCalendarFile(id),
                cancel: Paths.visitCancelPage(id), attendance: Paths.visitAttendancePage(id),
                move: Paths.visitsPage(query: ["patient": v.$patient.id.uuidString, "move": id.uuidString]),
                mayCancel: changeable,
                mayRecord: user.therapistID == v.$therapist.id && v.status == .booked && now >= v.startAt.addingTimeInterval(-600),
                late: false,
                guests: visitGuests.map { g in
                    GuestRow(name: g.name, kind: g.kind.displayName.lowercased(), remove: managesGuests ? Paths.visitGuestRemove(id, g.id ?? UUID()) : nil)
                },
                mayInvite: managesGuests && visitGuests.isEmpty, invite: Paths.visitGuestsPage(id),
                noteLink: user.therapistID == v.$therapist.id && v.status == .completed
                    ? (noted.contains(id) ? Paths.notes(v.$patient.id) : Self.noteLink(v)) : nil,
                noted: noted.contains(id), readings: (readings[id] ?? []).map(\.text))
        }
        // Coming up: booked and not over. A call ended early completes its visit: it is past.
        let coming: (VisitModel) -> Bool = { $0.endAt > now && $0.status == .booked }
        context.upcoming = shown.filter(coming).map(row)
        context.past = shown.filter { !coming($0) }.reversed().map(row)
        if let patient, patient.may(.bookVisit) {
            context.booking = try await booking(req, patient, message: message, moveID: moveID ?? (try? req.query.get(UUID.self, at: "move")))
        }
        return try await WebPage.render(req, "visits", title: "Visits", context, notice: notice ?? WebPage.notice(req, [
            "booked": "The visit is booked. A calendar file is below.",
            "moved": "The visit is moved. Everyone is told of the new time.",
            "cancelled": "The visit was cancelled.",
            "recorded": "Attendance recorded.",
            "guest-removed": "The invitation is withdrawn; its link no longer works.",
        ]), status: status)
    }

    /// The booking form: the care team's therapists (a therapist books in their own calendar),
    /// visit types, and a week of open slots in the patient's time zone. With `?move=` it
    /// offers new times for that visit instead.
    func booking(_ req: Request, _ patient: AuthorizedPatient, message: String?, moveID: UUID?) async throws -> Booking? {
        let ctx = req.context
        let user = try ctx.requireUser()
        let service = VisitService(ctx: ctx)
        var team = try await CareService(ctx: ctx).careTeam(patient).filter { $0.verification == .verified }
        if let own = user.therapistID { team = team.filter { $0.id == own } }
        var moving: VisitModel?
        if let moveID {
            let visit = try await service.visit(moveID, of: patient)
            if visit.status == .booked && ctx.now < visit.startAt {
                moving = visit
                team = team.filter { $0.id == visit.$therapist.id }
            }
        }
        guard !team.isEmpty else { return nil }
        let chosenTherapist = (try? req.query.get(UUID.self, at: "therapist")).flatMap { id in team.first { $0.id == id } } ?? team[0]
        let therapist = try await service.therapist(try chosenTherapist.requireID())
        let schedule = try await service.schedule(of: therapist)
        let typeID = moving?.visitType ?? (try? req.query.get(String.self, at: "type")).flatMap { schedule.visitType($0)?.id }
            ?? schedule.visitTypes.first { $0.id == "follow-up" }?.id ?? schedule.visitTypes[0].id
        guard schedule.visitType(typeID) != nil else { return nil }
        let zone = patient.timeZone.timeZone
        let today = CalendarDay(at: ctx.now, in: zone)
        let weekStart = (try? req.query.get(String.self, at: "week")).flatMap { try? CalendarDay($0) }.map { max($0, today) } ?? today
        let from = weekStart.start(in: zone), to = weekStart.adding(days: 7).start(in: zone)
        var (_, _, slots) = try await service.slots(therapistID: try therapist.requireID(), visitType: typeID, from: from, to: to)
        if let moving {
            // The visit's own time is not free for itself: offer the others.
            slots.removeAll { $0.start == moving.startAt }
        }
        let days = Dictionary(grouping: slots) { CalendarDay(at: $0.start, in: zone) }.sorted { $0.key < $1.key }.map { day, slots in
            SlotDay(day: day.longName, slots: slots.map {
                SlotChoice(value: ISO8601DateFormatter().string(from: $0.start), label: Self.clock($0.start, zone), offer: $0.offer.displayName)
            })
        }
        let query: (CalendarDay) -> String = { day in
            var items = [("patient", patient.id.uuidString), ("therapist", chosenTherapist.id?.uuidString ?? ""), ("type", typeID),
                         ("week", day.description)]
            if let id = moving?.id { items.append(("move", id.uuidString)) }
            return Paths.visitsPage(items: items)
        }
        // What each way of seeing the therapist would cost the patient, before they book.
        var costs: [String] = []
        if moving == nil, let priced = try? await req.context.gate.authorize(.visitCost, patientID: patient.id, resource: "patient/\(patient.id)/visit-cost") {
            for modality in VisitModality.allCases {
                let estimate = try await CoverService(ctx: req.context).estimate(priced, visitType: typeID, modality: modality)
                costs.append("\(modality.displayName): \(estimate.words)")
            }
        }
        let here = moving?.patientRegion ?? patient.jurisdiction?.code
        let staff = service.booker == .staff && moving == nil
        return Booking(
            action: moving?.id.map { Paths.visitMovePage($0) } ?? Paths.visitBook(),
            heading: moving == nil ? "Book a visit" + (user.role == .patient ? "" : " for \(patient.name)") : "Move a visit",
            moving: moving.map { "\($0.visitTypeName), now \(Self.when($0.startAt, $0.endAt, in: zone))" },
            choosing: moving == nil,
            series: staff,
            repeats: staff ? [1, 2, 4, 6, 8, 10, 12].map { Choice(value: "\($0)", label: $0 == 1 ? "Just this visit" : "\($0) visits", selected: $0 == 1) } : [],
            patientId: patient.id.uuidString,
            therapists: team.map { Choice(value: $0.id?.uuidString ?? "", label: $0.user.name, selected: $0.id == chosenTherapist.id) },
            types: schedule.visitTypes.filter { moving == nil || $0.id == typeID }
                .map { Choice(value: $0.id, label: "\($0.name) (\($0.minutes) min)", selected: $0.id == typeID) },
            modalities: VisitModality.allCases.map { Choice(value: $0.rawValue, label: $0.displayName, selected: $0 == (moving?.modality ?? .video)) },
            costs: costs,
            places: Choice.usStates(selected: here),
            days: days, weekLabel: "\(weekStart.longName) to \(weekStart.adding(days: 6).longName)",
            previousWeek: weekStart > today ? query(max(today, weekStart.adding(days: -7))) : nil, nextWeek: query(weekStart.adding(days: 7)),
            zone: zone.identifier.replacingOccurrences(of: "_", with: " "), message: message,
            placeQuestion: user.role == .patient ? "Where will you be during a video visit?" : "Where will \(patient.name) be during a video visit?")
    }

    struct BookForm: Content {
        var patientId: UUID
        var therapistId: UUID
        var visitType: String
        var start: String?
        var modality: VisitModality?
        var location: String?
        /// Staff: how many weekly visits, from this one.
        var repeatCount: Int?
        var everyWeeks: Int?
    }

    func book(req: Request) async throws -> Response {
        let form = try req.content.decode(BookForm.self)
        return try await WebPage.submitting({
            guard let raw = form.start, let start = VisitRoutes.parseInstant(raw) else {
                throw DomainError.invalid("start-missing", "Choose a time.")
            }
            let place = try form.location.flatMap { $0.isEmpty ? nil : try Jurisdiction($0) }
            let booking = VisitService.Booking(therapistID: form.therapistId, start: start, visitType: form.visitType, modality: form.modality,
                                               patientLocation: place)
            let count = form.repeatCount ?? 1
            if count > 1 {
                let (booked, skipped) = try await req.context.gate.change(.visitBook, patientID: form.patientId, resource: "patient/\(form.patientId)/visits") { patient, tx in
                    let result = try await VisitService(ctx: tx).bookSeries(patient, booking, everyWeeks: form.everyWeeks ?? 1, count: count)
                    return (result.booked.count, result.skipped.map { ($0.0, $0.1.message, patient.timeZone.timeZone) })
                }
                let notice = "\(booked) of \(count) visits booked." + (skipped.isEmpty ? "" : " Not booked: " + skipped.map { start, why, zone in
                    "\(CalendarDay(at: start, in: zone).longName) (\(why))"
                }.joined(separator: "; ") + ".")
                return try await render(req, message: nil, status: .ok, notice: notice, patientID: form.patientId)
            }
            _ = try await req.context.gate.change(.visitBook, patientID: form.patientId, resource: "patient/\(form.patientId)/visits") { patient, tx in
                VisitRoutes.VisitDTO(try await VisitService(ctx: tx).book(patient, booking))
            }
            return WebPage.seeOther(Paths.visitsPage(query: ["patient": form.patientId.uuidString, "notice": "booked"]))
        }, orShow: { message, status in try await render(req, message: message, status: status, patientID: form.patientId) })
    }

    struct MoveForm: Content {
        var start: String?
        var modality: VisitModality?
        var location: String?
    }

    func move(req: Request) async throws -> Response {
        let (visitID, patientID) = try await VisitRoutes.patientOf(req)
        return try await WebPage.submitting({
            _ = try await req.context.gate.change(.visitChange, patientID: patientID, resource: VisitRoutes.resource(visitID)) { patient, tx in
                let form = try req.content.decode(MoveForm.self)
                guard let raw = form.start, let start = VisitRoutes.parseInstant(raw) else {
                    throw DomainError.invalid("start-missing", "Choose a new time.")
                }
                let place = try form.location.flatMap { $0.isEmpty ? nil : try Jurisdiction($0) }
                return VisitRoutes.VisitDTO(try await VisitService(ctx: tx).reschedule(patient, visitID: visitID, to: start, modality: form.modality, place: place))
            }
            return WebPage.seeOther(Paths.visitsPage(query: ["patient": patientID.uuidString, "notice": "moved"]))
        }, orShow: { message, status in try await render(req, message: message, status: status, patientID: patientID, moveID: visitID) })
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
        }, orShow: { message, status in try await render(req, message: message, status: status, patientID: patientID) })
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
