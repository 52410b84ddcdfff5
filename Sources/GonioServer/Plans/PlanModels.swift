import Fluent
import Foundation
import GonioCore

/// A patient's plan of care. Its content lives in versions; the plan row says which version is
/// current and whether the plan is still active (a patient has at most one active plan).
final class PlanModel: Model, @unchecked Sendable {
    static let schema = "plans"
    enum Status: String, Codable, Sendable { case active, ended }

    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Enum(key: "status") var status: Status
    /// The current version's number.
    @Field(key: "version") var version: Int
    @OptionalParent(key: "created_by") var createdBy: UserModel?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "ended_at") var endedAt: Date?
    @OptionalParent(key: "ended_by") var endedBy: UserModel?
    @OptionalField(key: "end_reason") var endReason: String?

    init() {}
    init(id: UUID = UUID(), patientID: UUID, createdBy: UUID?, at: Date) {
        self.id = id
        self.$patient.id = patientID
        status = .active
        version = 1
        self.$createdBy.id = createdBy
        createdAt = at
    }
}

/// One version of a plan: what it prescribed, who made it, when and why. Never changed once
/// written (a trigger refuses updates).
final class PlanVersionModel: Model, @unchecked Sendable {
    static let schema = "plan_versions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "plan_id") var plan: PlanModel
    @Parent(key: "patient_id") var patient: PatientModel
    @Field(key: "version") var version: Int
    @Field(key: "content") var content: StoredJSON<PlanContent>
    @Field(key: "reason") var reason: String
    @OptionalParent(key: "created_by") var createdBy: UserModel?
    @Field(key: "created_at") var createdAt: Date
    /// The patient's day it took effect: practice on and after this day is counted against it.
    @Field(key: "effective_day") var effectiveDay: String

    init() {}
    init(planID: UUID, patientID: UUID, version: Int, content: PlanContent, reason: String, createdBy: UUID?, at: Date, day: CalendarDay) {
        self.$plan.id = planID
        self.$patient.id = patientID
        self.version = version
        self.content = StoredJSON(content)
        self.reason = reason
        self.$createdBy.id = createdBy
        createdAt = at
        effectiveDay = day.description
    }
}
