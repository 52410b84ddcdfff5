import Vapor
import Fluent
import Foundation
import GonioCore

/// A therapist's hours, exceptions, time off, visit types and booking policy, as one value.
final class TherapistScheduleModel: Model, @unchecked Sendable {
    static let schema = "therapist_schedules"
    @ID(key: .id) var id: UUID?
    @Parent(key: "therapist_id") var therapist: TherapistModel
    @Field(key: "body") var body: StoredJSON<TherapistSchedule>
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalParent(key: "updated_by") var updatedBy: UserModel?

    init() {}
    init(therapistID: UUID, schedule: TherapistSchedule, by user: UUID?, at: Date) {
        self.$therapist.id = therapistID
        body = StoredJSON(schedule)
        updatedAt = at
        self.$updatedBy.id = user
    }
}


/// One visit between a patient and a therapist. Times are UTC; pages show them in the
/// viewer's zone.
final class VisitModel: Model, @unchecked Sendable {
    static let schema = "visits"
    @ID(key: .id) var id: UUID?
    @Parent(key: "therapist_id") var therapist: TherapistModel
    @Parent(key: "patient_id") var patient: PatientModel
    @Parent(key: "clinic_id") var clinic: ClinicModel
    @Field(key: "visit_type") var visitType: String
    @Field(key: "visit_type_name") var visitTypeName: String
    @Enum(key: "modality") var modality: VisitModality
    @Field(key: "start_at") var startAt: Date
    @Field(key: "end_at") var endAt: Date
    @Enum(key: "status") var status: VisitStatus
    /// Where the patient said they would be (a jurisdiction code), for licensure.
    @OptionalField(key: "patient_region") var patientRegion: String?
    /// The address of an in-person visit.
    @OptionalField(key: "location") var location: String?
    @OptionalField(key: "series_id") var seriesID: UUID?
    /// Raised at every change, so calendars replace their copy (iCalendar SEQUENCE).
    @Field(key: "sequence") var sequence: Int
    @OptionalParent(key: "booked_by") var bookedBy: UserModel?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "cancelled_at") var cancelledAt: Date?
    @OptionalParent(key: "cancelled_by") var cancelledBy: UserModel?
    @OptionalField(key: "cancel_reason") var cancelReason: String?
    @Field(key: "late_fee_cents") var lateFeeCents: Int
    @OptionalField(key: "attended_minutes") var attendedMinutes: Int?
    @OptionalField(key: "call_started_at") var callStartedAt: Date?
    @OptionalField(key: "call_ended_at") var callEndedAt: Date?

    init() {}

    /// Refuses (with the reason) unless this visit's call is open at `now`.
    func checkCallOpen(now: Date, earlyMinutes: Int) throws {
        try CallWindow.check(status: status, modality: modality, start: startAt, end: endAt, endedAt: callEndedAt, now: now,
                             earlyMinutes: earlyMinutes)
    }

    /// Whether the call is open at `now` (a page's Join link).
    func callIsOpen(now: Date, earlyMinutes: Int) -> Bool { (try? checkCallOpen(now: now, earlyMinutes: earlyMinutes)) != nil }
}

extension TherapistSchedule: Content {}

/// Someone besides the patient and the therapist invited to a video visit (M0014).
final class VisitGuestModel: Model, @unchecked Sendable {
    static let schema = "visit_guests"
    @ID(key: .id) var id: UUID?
    @Parent(key: "visit_id") var visit: VisitModel
    @Enum(key: "kind") var kind: GuestKind
    @Field(key: "name") var name: String
    /// A caregiver with an account joins signed in.
    @OptionalParent(key: "user_id") var user: UserModel?
    /// Anyone else joins with the private link whose secret hashes to this.
    @OptionalField(key: "token_hash") var tokenHash: String?
    @OptionalParent(key: "invited_by") var invitedBy: UserModel?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}

/// A movement measured in a video visit with the virtual goniometer (M0016).
final class VisitReadingModel: Model, @unchecked Sendable {
    static let schema = "visit_readings"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Parent(key: "visit_id") var visit: VisitModel
    @OptionalParent(key: "recorded_by") var recordedBy: UserModel?
    @Field(key: "exercise") var exercise: String
    @Field(key: "reading") var reading: StoredJSON<MotionReading>
    @Field(key: "recorded_at") var recordedAt: Date

    init() {}
}

extension VisitModel {
    /// The visit took place by `now`: its time has come and it was neither cancelled nor missed.
    func tookPlace(by now: Date) -> Bool { startAt <= now && status.holdsTime }
}
