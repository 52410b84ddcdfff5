import Vapor
import Fluent
import GonioCore

/// Scheduling and visits: a therapist's hours, open slots, booking (one or a weekly series),
/// moving, cancelling, attendance, lists, and iCalendar files.
struct VisitRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.therapistSchedule, use: scheduleAPI)
        routes.api.put(Paths.API.therapistSchedule, use: saveScheduleAPI)
        routes.api.get(Paths.API.therapistSlots, use: slotsAPI)
        routes.api.get(Paths.API.visits, use: listAPI)
        routes.api.post(Paths.API.visits, use: bookAPI)
        routes.api.post(Paths.API.visitSeries, use: seriesAPI)
        routes.api.get(Paths.API.visit, use: visitAPI)
        routes.api.patch(Paths.API.visit, use: rescheduleAPI)
        routes.api.post(Paths.API.visitCancel, use: cancelAPI)
        routes.api.post(Paths.API.visitAttendance, use: attendanceAPI)
        routes.api.get(Paths.API.visitCalendar, use: icsAPI)
        routes.api.get(Paths.API.readings, use: readingsAPI)
    }

    static func resource(_ visitID: UUID) -> String { "visit/\(visitID)" }

    // MARK: DTOs

    struct SlotDTO: Content {
        var start: Date
        var end: Date
        var modality: Offer
    }

    struct VisitDTO: Content {
        var id: UUID
        var therapistId: UUID
        var therapistName: String
        var patientId: UUID
        var patientName: String?
        var visitType: String
        var visitTypeName: String
        var modality: VisitModality
        var start: Date
        var end: Date
        var status: VisitStatus
        var patientLocation: String?
        var location: String?
        var seriesId: UUID?
        var lateFeeCents: Int
        var attendedMinutes: Int?
        var cancelReason: String?
        var createdAt: Date
        var updatedAt: Date

        init(_ v: VisitModel, patientName: String? = nil) {
            id = v.id ?? UUID()
            therapistId = v.$therapist.id
            therapistName = v.$therapist.value?.$user.value?.name ?? ""
            patientId = v.$patient.id
            self.patientName = patientName ?? v.$patient.value?.$user.value?.name
            visitType = v.visitType
            visitTypeName = v.visitTypeName
            modality = v.modality
            start = v.startAt
            end = v.endAt
            status = v.status
            patientLocation = v.patientRegion
            location = v.location
            seriesId = v.seriesID
            lateFeeCents = v.lateFeeCents
            attendedMinutes = v.attendedMinutes
            cancelReason = v.cancelReason
            createdAt = v.createdAt
            updatedAt = v.updatedAt
        }
    }

    /// A time in a body: ISO 8601 with a zone (fractions of a second allowed); anything else is
    /// a 422 naming the field.
    struct Instant: Codable, Sendable {
        var date: Date

        init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = VisitRoutes.parseInstant(text) else {
                throw DomainError.invalid("start-invalid", "Give 'start' as an ISO 8601 time with a zone, such as 2026-12-01T09:00:00-08:00.")
            }
            self.date = date
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(ISO8601DateFormatter().string(from: date))
        }
    }

    struct BookBody: Content {
        var therapistId: UUID
        var patientId: UUID
        var start: Instant
        var visitType: String
        var modality: VisitModality?
        var patientLocation: VisitService.Place?
    }

    struct SeriesBody: Content {
        var therapistId: UUID
        var patientId: UUID
        var start: Instant
        var visitType: String
        var modality: VisitModality?
        var patientLocation: VisitService.Place?
        var everyWeeks: Int?
        var count: Int
    }

    struct SeriesResult: Content {
        struct Skipped: Content {
            var start: Date
            var code: String
            var message: String
        }
        var booked: [VisitDTO]
        var skipped: [Skipped]
    }

    struct RescheduleBody: Content {
        var start: Instant
        var modality: VisitModality?
        var patientLocation: VisitService.Place?
    }

    struct CancelBody: Content {
        var reason: String?
    }

    struct AttendanceBody: Content {
        enum Kind: String, Codable { case arrived, noShow = "no-show" }
        var attendance: Kind
        var minutes: Int?
    }

    // MARK: Schedules and slots

    func scheduleAPI(req: Request) async throws -> TherapistSchedule {
        let ctx = req.context
        _ = try ctx.requireUser()
        let service = VisitService(ctx: ctx)
        return try await service.schedule(of: try await service.therapist(try req.uuidParameter("therapistID")))
    }

    func saveScheduleAPI(req: Request) async throws -> TherapistSchedule {
        let ctx = req.context
        _ = try ctx.requireUser(.therapist, .clinicAdmin)
        let id = try req.uuidParameter("therapistID")
        return try await VisitService(ctx: ctx).saveSchedule(therapistID: id, try req.content.decode(TherapistSchedule.self))
    }

    func slotsAPI(req: Request) async throws -> [SlotDTO] {
        let ctx = req.context
        _ = try ctx.requireUser()
        let id = try req.uuidParameter("therapistID")
        let from = try Self.instant(req, "from") ?? ctx.now
        let to = try Self.instant(req, "to") ?? from.addingTimeInterval(14 * 86_400)
        let type = (try? req.query.get(String.self, at: "visitType")).flatMap { $0.isEmpty ? nil : $0 } ?? "follow-up"
        let (_, _, slots) = try await VisitService(ctx: ctx).slots(therapistID: id, visitType: type, from: from, to: to)
        return slots.map { SlotDTO(start: $0.start, end: $0.end, modality: $0.offer) }
    }

    /// An ISO 8601 instant from the query (fractions of a second allowed), or nil when absent.
    static func instant(_ req: Request, _ name: String) throws -> Date? {
        guard let raw = try? req.query.get(String.self, at: name) else { return nil }
        guard let date = parseInstant(raw) else {
            throw DomainError.invalid("\(name)-invalid", "Give '\(name)' as an ISO 8601 time with a zone, such as 2026-12-01T09:00:00-08:00.")
        }
        return date
    }

    static func parseInstant(_ raw: String) -> Date? {
        guard raw.count <= 40 else { return nil }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: raw) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: raw)
    }

    // MARK: Visits

    func listAPI(req: Request) async throws -> Paginated<VisitDTO> {
        let ctx = req.context
        _ = try ctx.requireUser()
        let from = try Self.instant(req, "from") ?? ctx.now.addingTimeInterval(-30 * 86_400)
        let to = try Self.instant(req, "to") ?? from.addingTimeInterval(120 * 86_400)
        let visits = try await VisitService(ctx: ctx).visits(from: from, to: to)
        let items = visits.map { VisitDTO($0) }
        return Paginated(items: items, page: try ListPage(page: 1, per: max(1, min(items.count, ListPage.maxPer)), maxPer: .max), total: items.count)
    }

    func bookAPI(req: Request) async throws -> Response {
        let ctx = req.context
        _ = try ctx.requireUser()
        let body = try req.content.decode(BookBody.self)
        let place = try body.patientLocation.map { try $0.jurisdiction }
        let visit = try await ctx.gate.change(.visitBook, patientID: body.patientId, resource: "patient/\(body.patientId)/visits") { patient, tx in
            let visit = try await VisitService(ctx: tx).book(patient, .init(therapistID: body.therapistId, start: body.start.date, visitType: body.visitType,
                                                                             modality: body.modality, patientLocation: place))
            return VisitDTO(try await VisitService(ctx: tx).visit(visit.requireID(), of: patient), patientName: patient.name)
        }
        return try await visit.encodeResponse(status: .created, for: req)
    }

    func seriesAPI(req: Request) async throws -> Response {
        let ctx = req.context
        _ = try ctx.requireUser(.therapist, .clinicAdmin)
        let body = try req.content.decode(SeriesBody.self)
        let place = try body.patientLocation.map { try $0.jurisdiction }
        let result = try await ctx.gate.change(.visitBook, patientID: body.patientId, resource: "patient/\(body.patientId)/visits") { patient, tx in
            let service = VisitService(ctx: tx)
            let (booked, skipped) = try await service.bookSeries(
                patient, .init(therapistID: body.therapistId, start: body.start.date, visitType: body.visitType, modality: body.modality,
                               patientLocation: place),
                everyWeeks: body.everyWeeks ?? 1, count: body.count)
            var dtos: [VisitDTO] = []
            for visit in booked { dtos.append(VisitDTO(try await service.visit(visit.requireID(), of: patient), patientName: patient.name)) }
            return SeriesResult(booked: dtos, skipped: skipped.map { .init(start: $0.0, code: $0.1.code, message: $0.1.message) })
        }
        return try await result.encodeResponse(status: .created, for: req)
    }

    /// The gate for an operation on one visit: finds whose it is, then asks about that patient.
    static func patientOf(_ req: Request) async throws -> (visitID: UUID, patientID: UUID) {
        // `/api/v1/visits/series` is a path of its own (POST only), not a visit's id.
        if req.parameters.get("visitID") == "series" { throw Abort(.methodNotAllowed, headers: ["Allow": "POST"]) }
        let visitID = try req.uuidParameter("visitID")
        return (visitID, try await VisitService(ctx: req.context).patientID(ofVisit: visitID))
    }

    /// A movement measured in a video visit (the virtual goniometer).
    struct ReadingDTO: Content {
        var id: UUID
        var visitId: UUID
        var recordedAt: Date
        var exercise: String
        var exerciseName: String
        var measure: String
        var reps: Int
        var partialReps: Int
        var formScore: Int?
        var left: MotionReading.Range?
        var right: MotionReading.Range?
        var text: String

        init(_ row: VisitReadingModel) {
            let r = row.reading.value
            id = row.id ?? UUID()
            visitId = row.$visit.id
            recordedAt = row.recordedAt
            exercise = r.exercise
            exerciseName = r.exerciseName
            measure = r.measure
            reps = r.reps
            partialReps = r.partialReps
            formScore = r.formScore
            left = r.left
            right = r.right
            text = r.text
        }
    }

    /// The patient's visit readings, newest first: for those who see the clinical record.
    func readingsAPI(req: Request) async throws -> [ReadingDTO] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.visitReadings, patientID: id, resource: "patient/\(id)/readings")
        return try await VisitReadingService(ctx: ctx).readings(patient).map(ReadingDTO.init)
    }

    func visitAPI(req: Request) async throws -> VisitDTO {
        let ctx = req.context
        let (visitID, patientID) = try await Self.patientOf(req)
        let patient = try await ctx.gate.authorize(.visitRead, patientID: patientID, resource: Self.resource(visitID))
        return VisitDTO(try await VisitService(ctx: ctx).visit(visitID, of: patient), patientName: patient.name)
    }

    func rescheduleAPI(req: Request) async throws -> VisitDTO {
        let ctx = req.context
        let (visitID, patientID) = try await Self.patientOf(req)
        return try await ctx.gate.change(.visitChange, patientID: patientID, resource: Self.resource(visitID)) { patient, tx in
            let body = try req.content.decode(RescheduleBody.self)
            let place = try body.patientLocation.map { try $0.jurisdiction }
            let visit = try await VisitService(ctx: tx).reschedule(patient, visitID: visitID, to: body.start.date, modality: body.modality, place: place)
            return VisitDTO(visit, patientName: patient.name)
        }
    }

    func cancelAPI(req: Request) async throws -> VisitDTO {
        let ctx = req.context
        let (visitID, patientID) = try await Self.patientOf(req)
        return try await ctx.gate.change(.visitChange, patientID: patientID, resource: Self.resource(visitID)) { patient, tx in
            let body = req.body.data == nil ? CancelBody() : try req.content.decode(CancelBody.self)
            return VisitDTO(try await VisitService(ctx: tx).cancel(patient, visitID: visitID, reason: body.reason), patientName: patient.name)
        }
    }

    func attendanceAPI(req: Request) async throws -> VisitDTO {
        let ctx = req.context
        let (visitID, patientID) = try await Self.patientOf(req)
        return try await ctx.gate.change(.visitAttendance, patientID: patientID, resource: Self.resource(visitID)) { patient, tx in
            let body = try req.content.decode(AttendanceBody.self)
            let visit = try await VisitService(ctx: tx).recordAttendance(patient, visitID: visitID, arrived: body.attendance == .arrived,
                                                                          minutes: body.minutes)
            return VisitDTO(visit, patientName: patient.name)
        }
    }

    func icsAPI(req: Request) async throws -> Response {
        let ctx = req.context
        let (visitID, patientID) = try await Self.patientOf(req)
        let patient = try await ctx.gate.authorize(.visitRead, patientID: patientID, resource: Self.resource(visitID) + "/ics")
        let visit = try await VisitService(ctx: ctx).visit(visitID, of: patient)
        let viewerIsPatientSide = ctx.user?.role == .patient || ctx.user?.role == .caregiver
        let text = ICalendar.calendar([Self.event(visit, patientName: patient.name, forPatient: viewerIsPatientSide, base: ctx.config.publicURL)],
                                      stamp: ctx.now)
        return Self.calendarResponse(text, download: "gonio-visit.ics")
    }

    /// iCalendar text as a response, never cached; `download` names it as a file to save.
    static func calendarResponse(_ text: String, download: String? = nil) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "calendar", parameters: ["charset": "utf-8"])
        if let download { headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(download)\"") }
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }

    /// A calendar event for a visit: the visit type, the other person's name, how or where, and
    /// no health details.
    static func event(_ visit: VisitModel, patientName: String, forPatient: Bool, base: String?) -> ICalendar.Event {
        let therapistName = visit.$therapist.value?.$user.value?.name ?? "your therapist"
        let who = forPatient ? "with \(therapistName)" : "with \(patientName)"
        let how = visit.modality == .video ? "Video visit: join from Gonio a few minutes before the start." : (visit.location ?? "In person")
        return ICalendar.Event(
            uid: "\(visit.id?.uuidString.lowercased() ?? UUID().uuidString)@gonio", sequence: visit.sequence, start: visit.startAt, end: visit.endAt,
            summary: "\(visit.visitTypeName) \(who)", location: visit.modality == .video ? "Video (Gonio)" : visit.location,
            description: how, url: base.map { $0 + "/dashboard" }, cancelled: !visit.status.holdsTime && visit.status != .noShow)
    }
}
