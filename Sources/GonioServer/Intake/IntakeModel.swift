import Fluent
import Foundation
import GonioCore

/// One intake per patient: the answers, the screen's outcome, and the therapist's decision.
final class IntakeModel: Model, @unchecked Sendable {
    static let schema = "intakes"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Enum(key: "status") var status: IntakeStatus
    @Field(key: "data") var data: StoredJSON<Intake>
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalParent(key: "updated_by") var updatedBy: UserModel?
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @OptionalParent(key: "submitted_by") var submittedBy: UserModel?
    @OptionalEnum(key: "triage_outcome") var triageOutcome: TriageOutcome?
    @OptionalField(key: "triage_reasons") var triageReasons: StoredJSON<[TriageReason]>?
    @OptionalEnum(key: "decision") var decision: TriageDecision?
    @OptionalField(key: "decision_reason") var decisionReason: String?
    @OptionalParent(key: "decided_by") var decidedBy: UserModel?
    @OptionalField(key: "decided_at") var decidedAt: Date?

    init() {}
    init(patientID: UUID, intake: Intake, now: Date, by: UUID?) {
        self.$patient.id = patientID
        self.status = .draft
        self.data = StoredJSON(intake)
        self.updatedAt = now
        self.$updatedBy.id = by
    }
}
