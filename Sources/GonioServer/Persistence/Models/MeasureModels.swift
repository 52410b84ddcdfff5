import Fluent
import Foundation

final class MeasureAssignmentModel: Model, @unchecked Sendable {
    static let schema = "measure_assignments"
    @ID(key: .id) var id: UUID?
    @Field(key: "patient_id") var patientID: UUID
    @Field(key: "code") var code: String
    @Field(key: "schedule") var schedule: String
    @OptionalField(key: "interval_weeks") var intervalWeeks: Int?
    @OptionalField(key: "assigned_by") var assignedBy: UUID?
    @Field(key: "assigned_at") var assignedAt: Date
    @OptionalField(key: "ended_at") var endedAt: Date?

    init() {}
    init(patientID: UUID, code: String, schedule: String, intervalWeeks: Int?, assignedBy: UUID?, assignedAt: Date) {
        self.patientID = patientID
        self.code = code
        self.schedule = schedule
        self.intervalWeeks = intervalWeeks
        self.assignedBy = assignedBy
        self.assignedAt = assignedAt
    }
}

/// One completed administration: the answers as given, and the unrounded score.
final class MeasureResponseModel: Model, @unchecked Sendable {
    static let schema = "measure_responses"
    @ID(key: .id) var id: UUID?
    @Field(key: "assignment_id") var assignmentID: UUID
    @Field(key: "patient_id") var patientID: UUID
    @Field(key: "code") var code: String
    /// `[Double?]` as JSON, in item order.
    @Field(key: "answers") var answers: String
    @Field(key: "score") var score: Double
    @Field(key: "answered") var answered: Int
    @Field(key: "interpretation") var interpretation: String
    @Field(key: "completed_at") var completedAt: Date
    @OptionalField(key: "completed_by") var completedBy: UUID?

    init() {}
    init(assignmentID: UUID, patientID: UUID, code: String, answers: String, score: Double, answered: Int,
         interpretation: String, completedAt: Date, completedBy: UUID?) {
        self.assignmentID = assignmentID
        self.patientID = patientID
        self.code = code
        self.answers = answers
        self.score = score
        self.answered = answered
        self.interpretation = interpretation
        self.completedAt = completedAt
        self.completedBy = completedBy
    }
}
