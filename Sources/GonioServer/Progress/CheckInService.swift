import Vapor
import Fluent
import GonioCore

/// The daily check-in: pain on waking and new red-flag symptoms. A second check-in on the same
/// day replaces the first. The morning pain feeds the progression engine (the next-morning rule);
/// a red-flag answer is an alert for the therapist and, for the patient, advice at once.
struct CheckInService {
    let ctx: CallContext

    /// How many days back a check-in may be recorded (a morning forgotten, done the same week).
    static let backDays = 3

    func save(_ patient: AuthorizedPatient, _ input: CheckIn, day requested: CalendarDay?) async throws -> CheckInModel {
        let checkIn = try input.validated()
        let today = patient.day(at: ctx.now)
        let day = requested ?? today
        guard day <= today, day.days(to: today) <= Self.backDays else {
            throw DomainError.invalid("day-invalid", "A check-in is for today or one of the last \(Self.backDays) days.")
        }
        let row = try await CheckInModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$day == day.description).first()
            ?? CheckInModel()
        if row.id == nil {
            row.id = UUID()
            row.$patient.id = patient.id
            row.day = day.description
        }
        row.morningPain = checkIn.morningPain
        row.answers = StoredJSON(checkIn.answers)
        row.note = checkIn.note
        row.triage = checkIn.triage.outcome.rawValue
        row.$recordedBy.id = ctx.user?.userID
        row.recordedAt = ctx.now
        // The (patient, day) unique key settles two first check-ins of a day sent at once.
        try await insertingUniquely(or: .conflict("checkin-saved-twice", "Two check-ins for the same day arrived at once; send it again.")) {
            try await row.save(on: ctx.db)
        }
        try await ProgressionService(ctx: ctx).refresh(patient)
        return row
    }

    /// The patient's check-ins from `since` on, oldest first.
    func list(_ patient: AuthorizedPatient, since: CalendarDay) async throws -> [CheckInModel] {
        try await CheckInModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$day >= since.description).sort(\.$day).all()
    }

    /// Morning pain by day from `since` on.
    func mornings(_ patient: AuthorizedPatient, since: CalendarDay) async throws -> [CalendarDay: Int] {
        Dictionary(try await list(patient, since: since).compactMap { row in (try? CalendarDay(row.day)).map { ($0, row.morningPain) } },
                   uniquingKeysWith: { a, _ in a })
    }
}
