import Vapor
import Fluent
import GonioCore

/// Range of motion measured by hand with a goniometer: recorded by a therapist of the care
/// team, listed for those who see the clinical record, drawn on the progress page beside the
/// camera's and the video visit's readings. Changes run inside the gate's change.
struct RomService {
    let ctx: CallContext

    func record(_ patient: AuthorizedPatient, _ input: GoniometerMeasurement) async throws -> RomMeasurementModel {
        let measurement = try input.validated(today: patient.day(at: ctx.now))
        let row = RomMeasurementModel()
        row.id = UUID()
        row.$patient.id = patient.id
        row.motion = measurement.motion.rawValue
        row.measuredOn = measurement.measuredOn.description
        row.measurement = StoredJSON(measurement)
        row.$recordedBy.id = ctx.user?.userID
        row.recordedAt = ctx.now
        try await row.create(on: ctx.db)
        return row
    }

    /// The patient's measurements, newest first, from `since` on when given.
    func list(_ patient: AuthorizedPatient, since: CalendarDay? = nil, limit: Int = 500) async throws -> [RomMeasurementModel] {
        var query = RomMeasurementModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
        if let since { query = query.filter(\.$measuredOn >= since.description) }
        return try await query.sort(\.$measuredOn, .descending).sort(\.$recordedAt, .descending).limit(limit).all()
    }
}

/// One measurement (M0021).
final class RomMeasurementModel: Model, @unchecked Sendable {
    static let schema = "rom_measurements"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Field(key: "motion") var motion: String
    /// YYYY-MM-DD, so it sorts as text on both databases.
    @Field(key: "measured_on") var measuredOn: String
    @Field(key: "measurement") var measurement: StoredJSON<GoniometerMeasurement>
    @OptionalParent(key: "recorded_by") var recordedBy: UserModel?
    @Field(key: "recorded_at") var recordedAt: Date

    init() {}
}
