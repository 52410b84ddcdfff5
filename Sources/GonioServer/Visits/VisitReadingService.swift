import Vapor
import Fluent
import GonioCore

/// The readings of the virtual goniometer, kept with their visit: saved when a measurement in
/// a call stops (as the therapist who asked for it), listed for the patient's record and the
/// visits page. Changes run inside the gate's change.
struct VisitReadingService {
    let ctx: CallContext

    func save(_ reading: MotionReading, visitID: UUID, of patient: AuthorizedPatient) async throws {
        // The visit must be this patient's (the gate checked the patient, not the visit).
        _ = try await VisitService(ctx: ctx).visit(visitID, of: patient)
        let row = VisitReadingModel()
        row.id = UUID()
        row.$patient.id = patient.id
        row.$visit.id = visitID
        row.$recordedBy.id = ctx.user?.userID
        row.exercise = reading.exercise
        row.reading = StoredJSON(reading)
        row.recordedAt = ctx.now
        try await row.create(on: ctx.db)
    }

    /// The patient's readings, newest first (at most `limit`), optionally of one visit.
    func readings(_ patient: AuthorizedPatient, visitID: UUID? = nil, limit: Int = 200) async throws -> [VisitReadingModel] {
        var query = VisitReadingModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
        if let visitID { query = query.filter(\.$visit.$id == visitID) }
        return try await query.sort(\.$recordedAt, .descending).limit(limit).all()
    }

    /// Readings by visit, for a list of visits.
    func byVisit(_ patient: AuthorizedPatient, visits: [UUID]) async throws -> [UUID: [MotionReading]] {
        guard !visits.isEmpty else { return [:] }
        let rows = try await VisitReadingModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$visit.$id ~~ visits)
            .sort(\.$recordedAt, .ascending).all()
        return Dictionary(grouping: rows, by: { $0.$visit.id }).mapValues { $0.map(\.reading.value) }
    }
}
