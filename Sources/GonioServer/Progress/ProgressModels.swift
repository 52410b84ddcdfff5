import Fluent
import Foundation
import GonioCore

/// A patient's daily check-in: pain on waking and any new red-flag symptom (M0017). One per day:
/// a second one the same day replaces the first.
final class CheckInModel: Model, @unchecked Sendable {
    static let schema = "checkins"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    /// The patient's calendar day, `YYYY-MM-DD`.
    @Field(key: "day") var day: String
    @Field(key: "morning_pain") var morningPain: Int
    @Field(key: "answers") var answers: StoredJSON<[String: Bool]>
    @OptionalField(key: "note") var note: String?
    /// The red-flag screen's outcome for the answers (`TriageOutcome`).
    @Field(key: "triage") var triage: String
    @OptionalParent(key: "recorded_by") var recordedBy: UserModel?
    @Field(key: "recorded_at") var recordedAt: Date

    init() {}

    var checkIn: CheckIn { CheckIn(morningPain: morningPain, answers: answers.value, note: note) }
}

/// A suggestion of the progression engine for one exercise of a plan, waiting for the
/// therapist (M0017). At most one pending per plan item.
final class SuggestionModel: Model, @unchecked Sendable {
    static let schema = "progression_suggestions"
    enum Status: String, Codable, Sendable { case pending, accepted, dismissed, superseded }

    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Parent(key: "plan_id") var plan: PlanModel
    /// The plan version the suggestion was made on.
    @Field(key: "plan_version") var planVersion: Int
    @Field(key: "item_id") var itemID: String
    @Field(key: "exercise_id") var exerciseID: String
    @Field(key: "decision") var decision: String
    @Field(key: "rule") var rule: String
    @Field(key: "reasons") var reasons: StoredJSON<[String]>
    /// The dose it was made for and the dose it suggests.
    @Field(key: "dose_from") var doseFrom: StoredJSON<Dose>
    @Field(key: "dose_to") var doseTo: StoredJSON<Dose>
    /// The easier or harder exercise from the library, when the dose is at its limit.
    @OptionalField(key: "variant") var variant: String?
    @Field(key: "rules_version") var rulesVersion: Int
    @Enum(key: "status") var status: Status
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalParent(key: "decided_by") var decidedBy: UserModel?
    /// The plan version an accepted suggestion made.
    @OptionalField(key: "applied_version") var appliedVersion: Int?

    init() {}
}

/// An alert for the therapist's list that is not a single painful session (those are
/// `PracticeAlertModel`): rising pain, days without practice, a worsening measure, a red-flag
/// answer in a check-in (M0017). `key` makes each finding one alert however often it is seen.
final class PatientAlertModel: Model, @unchecked Sendable {
    static let schema = "patient_alerts"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Field(key: "kind") var kind: String
    @Field(key: "key") var key: String
    @Field(key: "title") var title: String
    @Field(key: "detail") var detail: String
    /// Where the data behind it is (a page path).
    @Field(key: "link") var link: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalParent(key: "acknowledged_by") var acknowledgedBy: UserModel?

    init() {}
}
