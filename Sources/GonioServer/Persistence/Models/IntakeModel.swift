import Fluent
import Foundation

final class IntakeModel: Model, @unchecked Sendable {
    static let schema = "intakes"
    @ID(key: .id) var id: UUID?
    @Field(key: "patient_id") var patientID: UUID
    /// `draft` or `submitted`.
    @Field(key: "status") var status: String
    /// The `Intake` value as JSON.
    @Field(key: "data") var data: String
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "updated_by") var updatedBy: UUID?
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @OptionalField(key: "submitted_by") var submittedBy: UUID?
    @OptionalField(key: "triage_outcome") var triageOutcome: String?
    /// `[TriageReason]` as JSON.
    @OptionalField(key: "triage_reasons") var triageReasons: String?
    @OptionalField(key: "decision") var decision: String?
    @OptionalField(key: "decision_reason") var decisionReason: String?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "decided_at") var decidedAt: Date?

    init() {}
    init(patientID: UUID, data: String, now: Date, by: UUID?) {
        self.patientID = patientID
        self.status = "draft"
        self.data = data
        self.updatedAt = now
        self.updatedBy = by
    }
}
