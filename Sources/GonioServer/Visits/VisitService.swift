import Vapor
import Fluent
import FluentSQL
import SQLKit
import GonioCore

/// Therapists' schedules, open slots, and visits: booking (one at a time or as a weekly
/// series), moving, cancelling and attendance. Every change runs inside `PatientGate.change`,
/// so the rules are checked and the visit written in one transaction; the database refuses
/// overlapping visits whatever the code does (M0011).
struct VisitService {
    let ctx: CallContext

    // MARK: Schedules

    /// The therapist (verified) with credentials, or 404.
    func therapist(_ id: UUID) async throws -> TherapistModel {
        guard let therapist = try await TherapistService.withCredentials(TherapistModel.query(on: ctx.db).filter(\.$id == id)).first(),
              therapist.verification == .verified
        else { throw DomainError.notFound("therapist-not-found", "No therapist with that id takes bookings.") }
        return therapist
    }

    /// A therapist's schedule; one not yet set has no hours, in the zone of their home licence.
    func schedule(of therapist: TherapistModel) async throws -> TherapistSchedule {
        if let stored = try await TherapistScheduleModel.query(on: ctx.db).filter(\.$therapist.$id == therapist.requireID()).first() {
            return stored.body.value
        }
        let home = therapist.standing.licenses.first(where: \.isHomeState)?.jurisdiction.code
        return .empty(timeZone: PatientTimeZone.usual(for: home).identifier)
    }

    /// Saves a schedule: by the therapist, or an admin of one of their clinics. Visits already
    /// booked stay; the new hours apply to new bookings.
    func saveSchedule(therapistID: UUID, _ schedule: TherapistSchedule) async throws -> TherapistSchedule {
        let schedule = try schedule.validated()
        return try await ctx.transaction { tx in
            let therapist = try await TherapistService(ctx: tx).visibleTherapist(therapistID)
            let user = try tx.requireUser()
            guard user.therapistID == therapistID || user.role == .clinicAdmin else {
                throw DomainError.forbidden("not-permitted", "Only the therapist or their clinic's admin may change these hours.")
            }
            let id = try therapist.requireID()
            if let stored = try await TherapistScheduleModel.query(on: tx.db).filter(\.$therapist.$id == id).first() {
                stored.body = StoredJSON(schedule)
                stored.updatedAt = tx.now
                stored.$updatedBy.id = user.userID
                try await stored.update(on: tx.db)
            } else {
                try await insertingUniquely(or: .conflict("schedule-changed", "The schedule changed at the same moment; reload and try again.")) {
                    try await TherapistScheduleModel(therapistID: id, schedule: schedule, by: user.userID, at: tx.now).create(on: tx.db)
                }
            }
            try await tx.audit.record(.init(action: "schedule.save", clinicID: user.clinicIDs.first ?? user.adminClinicIDs.first,
                                            resource: "therapist/\(id)/schedule", outcome: .allowed))
            return schedule
        }
    }

    // MARK: Slots

    /// Who is asking, for the notice and horizon rules.
    var booker: Booker {
        switch ctx.user?.role {
        case .therapist?, .clinicAdmin?: .staff
        default: .patientSide
        }
    }

    /// The times that hold a therapist's calendar between `from` and `to` (with a day's margin).
    /// Only the two times are read: a busy calendar has hundreds of visits in a search's range,
    /// and whole models would cost more to decode than the search itself.
    func busy(therapistID: UUID, from: Date, to: Date, excluding: UUID? = nil) async throws -> [Busy] {
        guard let sql = ctx.db as? any SQLDatabase else { return [] }
        let holding = VisitStatus.allCases.filter(\.holdsTime).map(\.rawValue)
        var query = sql.select().column("start_at").column("end_at").from(VisitModel.schema)
            .where("therapist_id", .equal, therapistID)
            .where("status", .in, holding)
            .where("start_at", .lessThan, to.addingTimeInterval(86_400))
            .where("end_at", .greaterThan, from.addingTimeInterval(-86_400))
        if let excluding { query = query.where("id", .notEqual, excluding) }
        return try await query.all().map {
            Busy(start: try $0.decode(column: "start_at", as: Date.self), end: try $0.decode(column: "end_at", as: Date.self))
        }
    }

    /// One of the therapist's visit types, or a 422 listing those offered.
    static func visitType(_ id: String, in schedule: TherapistSchedule) throws -> VisitType {
        guard let type = schedule.visitType(id) else {
            throw DomainError.invalid("visit-type-unknown", "This therapist offers: \(schedule.visitTypes.map(\.id).joined(separator: ", ")).")
        }
        return type
    }

    static let maxSlotRange: TimeInterval = 92 * 86_400

    func slots(therapistID: UUID, visitType typeID: String, from: Date, to: Date) async throws -> (TherapistSchedule, VisitType, [Slot]) {
        _ = try ctx.requireUser()
        guard from < to else { throw DomainError.invalid("range-invalid", "'to' must be after 'from'.") }
        guard to.timeIntervalSince(from) <= Self.maxSlotRange else {
            throw DomainError.invalid("range-too-long", "Ask for at most 92 days of slots at a time.")
        }
        let therapist = try await therapist(therapistID)
        let schedule = try await schedule(of: therapist)
        let type = try Self.visitType(typeID, in: schedule)
        let busy = try await busy(therapistID: therapistID, from: from, to: to)
        return (schedule, type, Scheduling.slots(schedule, type: type, from: from, to: to, now: ctx.now, busy: busy, booker: booker))
    }

    // MARK: Booking

    struct Place: Content {
        var country: String
        var region: String?

        var jurisdiction: Jurisdiction {
            get throws {
                let country = country.trimmingWhitespace().uppercased()
                guard let region = region?.trimmingWhitespace(), !region.isEmpty else {
                    throw DomainError.invalid("location-invalid", "Say which state or region the patient will be in.")
                }
                return try Jurisdiction(country == "US" || country.isEmpty ? "US-\(region)" : "\(country)-\(region)")
            }
        }
    }

    struct Booking: Sendable {
        var therapistID: UUID
        var start: Date
        var visitType: String
        var modality: VisitModality?
        var patientLocation: Jurisdiction?
        var seriesID: UUID?
    }

    /// Books one visit for `patient` (inside the gate's change). Refusals say why: 422 for a rule
    /// (hours, notice, licence, intake, modality), 409 when the time is taken.
    func book(_ patient: AuthorizedPatient, _ booking: Booking) async throws -> VisitModel {
        let therapist = try await therapist(booking.therapistID)
        let therapistID = try therapist.requireID()
        guard try await CareService(ctx: ctx).careTeam(patient).contains(where: { $0.id == therapistID }) else {
            throw DomainError.invalid("not-on-care-team", "Book with a therapist on the patient's care team.")
        }
        try await lockCalendar(therapistID)
        let schedule = try await schedule(of: therapist)
        let type = try Self.visitType(booking.visitType, in: schedule)
        let modality = booking.modality ?? (type.offer.allows(.video) ? .video : .inPerson)
        try await checkMayMeet(patient, therapist: therapist, modality: modality, place: booking.patientLocation, at: booking.start,
                               clinicRegion: schedule.inPersonRegion)
        let busy = try await busy(therapistID: therapistID, from: booking.start, to: booking.start.addingTimeInterval(TimeInterval(type.minutes * 60)))
        let slot = try Scheduling.checkBooking(schedule, type: type, modality: modality, start: booking.start, now: ctx.now, busy: busy,
                                               booker: booker)
        try await checkPatientFree(patient, start: slot.start, end: slot.end, excluding: nil)
        let visit = VisitModel()
        visit.id = UUID()
        visit.$therapist.id = therapistID
        visit.$patient.id = patient.id
        visit.$clinic.id = patient.clinicID
        visit.visitType = type.id
        visit.visitTypeName = type.name
        visit.modality = modality
        visit.startAt = slot.start
        visit.endAt = slot.end
        visit.status = .booked
        visit.patientRegion = booking.patientLocation?.code
        visit.location = modality == .inPerson ? schedule.inPersonLocation : nil
        visit.seriesID = booking.seriesID
        visit.sequence = 0
        visit.$bookedBy.id = ctx.user?.userID
        visit.createdAt = ctx.now
        visit.updatedAt = ctx.now
        visit.lateFeeCents = 0
        try await refusingOverlap { try await visit.create(on: ctx.db) }
        try await ReminderService(ctx: ctx).queue(after: visit, .confirmation, patient: patient)
        return visit
    }

    /// A weekly series booked by staff: each visit that can be booked is, the others are
    /// reported with the reason (taken, outside hours, licence...).
    func bookSeries(_ patient: AuthorizedPatient, _ first: Booking, everyWeeks: Int, count: Int) async throws -> (booked: [VisitModel], skipped: [(Date, DomainError)]) {
        guard booker == .staff else { throw DomainError.forbidden("staff-only", "Only the therapist or clinic staff can book a series.") }
        let therapist = try await therapist(first.therapistID)
        let schedule = try await schedule(of: therapist)
        let starts = try Scheduling.series(first: first.start, everyWeeks: everyWeeks, count: count, in: schedule.zone)
        let seriesID = UUID()
        var booked: [VisitModel] = []
        var skipped: [(Date, DomainError)] = []
        for start in starts {
            var one = first
            one.start = start
            one.seriesID = seriesID
            do {
                // Each visit in its own savepoint-free step: a refusal is a rule, checked before any write.
                booked.append(try await book(patient, one))
            } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
                skipped.append((start, error))
            }
        }
        guard !booked.isEmpty else {
            throw DomainError.invalid("series-empty", "None of the series could be booked: \(skipped.first?.1.message ?? "")")
        }
        return (booked, skipped)
    }

    /// Video visits need a clear (or cleared) intake and a licence where the patient will be;
    /// an in-person visit needs a licence in the clinic's state, when the schedule names it;
    /// every visit needs a verified therapist with a licence in force (CLINICAL.md §4: the
    /// practice takes place where the patient is).
    func checkMayMeet(_ patient: AuthorizedPatient, therapist: TherapistModel, modality: VisitModality, place: Jurisdiction?, at start: Date,
                      clinicRegion: String? = nil) async throws {
        let day = CalendarDay(at: start, in: patient.timeZone.timeZone)
        do {
            try Licensure.checkMayJoinCareTeam(therapist.standing, on: day)
            if modality == .video {
                guard let place else {
                    throw DomainError.invalid("location-required", "Say where the patient will be during the video visit (state or region).")
                }
                try Licensure.checkMayHostVisit(therapist.standing, patientLocation: place, on: day, compact: ctx.config.compact)
            } else if let clinicRegion, let clinic = try? Jurisdiction(clinicRegion) {
                try Licensure.checkMayHostVisit(therapist.standing, patientLocation: clinic, on: day, compact: ctx.config.compact)
            }
        } catch let error as DomainError where error.kind == .forbidden {
            throw DomainError.invalid(error.code, error.message)
        }
        if modality == .video {
            let intake = try await IntakeService(ctx: ctx).get(patient)
            guard intake.virtualCareAllowed else {
                if intake.status != "submitted" {
                    throw DomainError.invalid("intake-required", "Complete and submit the intake before booking a video visit.")
                }
                throw DomainError.invalid("virtual-care-not-cleared",
                                          "The intake needs a therapist's review before a video visit can be booked; an in-person visit can be booked now.")
            }
        }
    }

    /// A patient is not in two visits at once.
    private func checkPatientFree(_ patient: AuthorizedPatient, start: Date, end: Date, excluding: UUID?) async throws {
        let query = VisitModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
            .filter(\.$status ~~ VisitStatus.allCases.filter(\.holdsTime)).filter(\.$startAt < end).filter(\.$endAt > start)
        if let excluding { query.filter(\.$id != excluding) }
        if try await query.count() > 0 {
            throw DomainError.conflict("patient-busy", "The patient already has a visit at that time.")
        }
    }

    /// Holds the therapist's calendar for the rest of the transaction (PostgreSQL; SQLite's
    /// immediate transaction already holds the only write lock). The overlap trigger takes the
    /// same lock, so the check above and the insert see the same calendar.
    private func lockCalendar(_ therapistID: UUID) async throws {
        guard !ctx.config.database.isSQLite, ctx.inTransaction, let sql = ctx.db as? any SQLDatabase else { return }
        try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: "visits:" + therapistID.uuidString.lowercased())))").run()
    }

    /// Runs a write; the database's overlap guard becomes the 409 a taken slot gets.
    private func refusingOverlap(_ write: () async throws -> Void) async throws {
        do {
            try await write()
        } catch {
            if DatabaseRefusal.domainError(error) != nil {
                throw DomainError.conflict("slot-taken", "That time has just been taken; choose another.")
            }
            throw error
        }
    }

    // MARK: One visit

    /// The patient a visit belongs to, so the gate can be asked about them; 404 when there is none.
    func patientID(ofVisit id: UUID) async throws -> UUID {
        guard let visit = try await VisitModel.find(id, on: ctx.db) else { throw Self.notFound }
        return visit.$patient.id
    }

    static let notFound = DomainError.notFound("visit-not-found", "No visit with that id is available to you.")

    /// The visit, locked for the rest of the change.
    func visit(_ id: UUID, of patient: AuthorizedPatient, locking: Bool = false) async throws -> VisitModel {
        if locking, ctx.inTransaction { try await ctx.lockRow(VisitModel.self, id: id) }
        guard let visit = try await VisitModel.query(on: ctx.db).filter(\.$id == id).filter(\.$patient.$id == patient.id)
            .with(\.$therapist) { $0.with(\.$user) }.first()
        else { throw Self.notFound }
        return visit
    }

    /// Moves a visit to a new start (and optionally a new type, modality or place), under the
    /// same rules as a new booking. A patient moving it inside the cancellation notice is refused:
    /// cancel instead (that is recorded as a late cancellation).
    func reschedule(_ patient: AuthorizedPatient, visitID: UUID, to start: Date, modality: VisitModality?, place: Jurisdiction?) async throws -> VisitModel {
        let visit = try await visit(visitID, of: patient, locking: true)
        try CancellationRules.checkChangeable(status: visit.status, start: visit.startAt, now: ctx.now)
        let therapist = try await therapist(visit.$therapist.id)
        try await lockCalendar(therapist.requireID())
        let schedule = try await schedule(of: therapist)
        if CancellationRules.isLate(now: ctx.now, start: visit.startAt, policy: schedule.policy, by: booker) {
            throw DomainError.invalid("too-late-to-move",
                                      "Visits can be moved up to \(schedule.policy.cancellationNoticeHours) hours before they start; cancel instead, or call the clinic.")
        }
        guard let type = schedule.visitType(visit.visitType) else {
            throw DomainError.invalid("visit-type-unknown", "This visit type is no longer offered; cancel and book another.")
        }
        let modality = modality ?? visit.modality
        let place = try place ?? visit.patientRegion.map { try Jurisdiction($0) }
        try await checkMayMeet(patient, therapist: therapist, modality: modality, place: place, at: start, clinicRegion: schedule.inPersonRegion)
        let busy = try await busy(therapistID: therapist.requireID(), from: start, to: start.addingTimeInterval(TimeInterval(type.minutes * 60)),
                                  excluding: visitID)
        let slot = try Scheduling.checkBooking(schedule, type: type, modality: modality, start: start, now: ctx.now, busy: busy, booker: booker)
        try await checkPatientFree(patient, start: slot.start, end: slot.end, excluding: visitID)
        visit.startAt = slot.start
        visit.endAt = slot.end
        visit.modality = modality
        visit.patientRegion = place?.code
        visit.location = modality == .inPerson ? schedule.inPersonLocation : nil
        visit.sequence += 1
        visit.updatedAt = ctx.now
        try await refusingOverlap { try await visit.update(on: ctx.db) }
        try await ReminderService(ctx: ctx).queue(after: visit, .changed, patient: patient)
        return visit
    }

    /// Cancels a visit. A patient's cancellation inside the notice is a late cancellation with
    /// the clinic's fee recorded (not charged here: billing reads it).
    func cancel(_ patient: AuthorizedPatient, visitID: UUID, reason: String?) async throws -> VisitModel {
        let visit = try await visit(visitID, of: patient, locking: true)
        try CancellationRules.checkChangeable(status: visit.status, start: visit.startAt, now: ctx.now)
        let reason = reason?.trimmingWhitespace()
        guard (reason?.count ?? 0) <= 500 else { throw DomainError.invalid("reason-too-long", "Keep the reason to 500 characters.") }
        let schedule = try await schedule(of: try await therapist(visit.$therapist.id))
        let late = CancellationRules.isLate(now: ctx.now, start: visit.startAt, policy: schedule.policy, by: booker)
        visit.status = late ? .lateCancelled : .cancelled
        visit.lateFeeCents = late ? schedule.policy.lateCancelFeeCents : 0
        visit.cancelledAt = ctx.now
        visit.$cancelledBy.id = ctx.user?.userID
        visit.cancelReason = reason?.isEmpty == true ? nil : reason
        visit.sequence += 1
        visit.updatedAt = ctx.now
        try await visit.update(on: ctx.db)
        try await ReminderService(ctx: ctx).queue(after: visit, .cancelled, patient: patient)
        return visit
    }

    /// The visit's therapist records arrival (with minutes) or a no-show; a no-show carries the
    /// late-cancellation fee.
    func recordAttendance(_ patient: AuthorizedPatient, visitID: UUID, arrived: Bool, minutes: Int?) async throws -> VisitModel {
        let visit = try await visit(visitID, of: patient, locking: true)
        guard ctx.user?.therapistID == visit.$therapist.id else {
            throw DomainError.forbidden("not-visit-therapist", "Only the visit's therapist records attendance.")
        }
        let (status, minutes) = try Attendance.record(arrived: arrived, minutes: minutes, status: visit.status, start: visit.startAt, now: ctx.now)
        visit.status = status
        visit.attendedMinutes = minutes
        if status == .noShow {
            visit.lateFeeCents = try await schedule(of: try await therapist(visit.$therapist.id)).policy.lateCancelFeeCents
        }
        visit.updatedAt = ctx.now
        try await visit.update(on: ctx.db)
        return visit
    }

    // MARK: Calls

    /// How a user takes part in a visit's call, or nil when they do not.
    enum Participant: String, Sendable {
        case therapist, patient, caregiver, interpreter
    }

    /// The therapist, the patient, or a signed-in caregiver on the visit's guest list.
    func participant(_ visit: VisitModel, patient: AuthorizedPatient) async throws -> Participant? {
        guard let user = ctx.user else { return nil }
        if user.therapistID == visit.$therapist.id { return .therapist }
        if user.userID == patient.userID { return .patient }
        if user.role == .caregiver, try await VisitGuestService(ctx: ctx).invitedCaregiver(visitID: try visit.requireID(), userID: user.userID) != nil {
            return .caregiver
        }
        return nil
    }

    /// Checks that the caller may be in the call now; the patient says where they are (the
    /// therapist must be licensed there at this moment, CLINICAL.md §4), and it is recorded.
    func join(_ patient: AuthorizedPatient, visitID: UUID, location: String?) async throws -> (VisitModel, Participant) {
        let visit = try await visit(visitID, of: patient, locking: true)
        guard let role = try await participant(visit, patient: patient) else { throw Self.notFound }
        try visit.checkCallOpen(now: ctx.now, earlyMinutes: ctx.config.callEarlyMinutes)
        // The patient, or the caregiver with them, says where the patient is.
        if role == .patient || role == .caregiver {
            guard let location, !location.isEmpty else {
                throw DomainError.invalid("location-required", "Say where you are right now: your therapist must be licensed there.")
            }
            let place = try Jurisdiction(location)
            try await checkMayMeet(patient, therapist: try await therapist(visit.$therapist.id), modality: .video, place: place, at: ctx.now)
            if visit.patientRegion != place.code {
                visit.patientRegion = place.code
                visit.updatedAt = ctx.now
                try await visit.update(on: ctx.db)
            }
        }
        return (visit, role)
    }

    /// The host let the first person in: the call's time starts.
    func callStarted(_ patient: AuthorizedPatient, visitID: UUID) async throws {
        let visit = try await visit(visitID, of: patient, locking: true)
        guard visit.callStartedAt == nil else { return }
        visit.callStartedAt = ctx.now
        try await visit.update(on: ctx.db)
    }

    /// The host ended the call: its length becomes the visit's recorded minutes, unless the
    /// therapist recorded attendance already.
    func callEnded(_ patient: AuthorizedPatient, visitID: UUID) async throws -> VisitModel {
        let visit = try await visit(visitID, of: patient, locking: true)
        guard visit.callEndedAt == nil else { return visit }
        visit.callEndedAt = ctx.now
        if visit.status == .booked, let started = visit.callStartedAt {
            visit.status = .completed
            visit.attendedMinutes = CallWindow.minutes(from: started, to: ctx.now)
        }
        visit.updatedAt = ctx.now
        try await visit.update(on: ctx.db)
        return visit
    }

    // MARK: Lists

    /// The caller's visits starting in `[from, to)`: a patient's own, a caregiver's patients',
    /// a therapist's own calendar. One audit entry names the patients shown.
    func visits(from: Date, to: Date) async throws -> [VisitModel] {
        let user = try ctx.requireUser()
        guard from < to, to.timeIntervalSince(from) <= 366 * 86_400 else {
            throw DomainError.invalid("range-invalid", "Ask for up to a year of visits, with 'to' after 'from'.")
        }
        let therapistID = user.role == .therapist ? user.therapistID : nil
        let page = try await ctx.gate.list(.visitRead, page: try ListPage(page: 1, per: ListPage.maxPer), resource: "visits") { query in
            var filter = SQLQueryString("\(ident: PatientModel.schema).\(ident: "id") IN (SELECT \(ident: "patient_id") FROM \(ident: VisitModel.schema) WHERE \(ident: "start_at") >= \(bind: from) AND \(ident: "start_at") < \(bind: to)")
            if let therapistID { filter.appendInterpolation(unsafeRaw: " AND therapist_id = "); filter.appendInterpolation(bind: therapistID) }
            filter.appendLiteral(")")
            query.filter(.sql(filter))
        }
        guard !page.items.isEmpty else { return [] }
        let query = VisitModel.query(on: ctx.db).filter(\.$patient.$id ~~ page.items.map(\.id))
            .filter(\.$startAt >= from).filter(\.$startAt < to)
            .with(\.$therapist) { $0.with(\.$user) }.with(\.$patient) { $0.with(\.$user) }
            .sort(\.$startAt)
        if let therapistID { query.filter(\.$therapist.$id == therapistID) }
        return try await query.all()
    }

    /// A patient's visits (the patient's page, a care-team view).
    func visits(of patient: AuthorizedPatient, from: Date? = nil) async throws -> [VisitModel] {
        let query = VisitModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).with(\.$therapist) { $0.with(\.$user) }.sort(\.$startAt)
        if let from { query.filter(\.$startAt >= from) }
        return try await query.all()
    }
}
