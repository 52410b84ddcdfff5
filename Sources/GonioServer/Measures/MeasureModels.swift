import Fluent
import Foundation
import GonioCore

/// A measure a therapist assigned to a patient, with its schedule.
final class MeasureAssignmentModel: Model, @unchecked Sendable {
    static let schema = "measure_assignments"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Field(key: "code") var code: String
    @Enum(key: "schedule") var schedule: MeasureSchedule.Kind
    @OptionalField(key: "interval_weeks") var intervalWeeks: Int?
    @OptionalParent(key: "assigned_by") var assignedBy: UserModel?
    @Field(key: "assigned_at") var assignedAt: Date
    @OptionalField(key: "ended_at") var endedAt: Date?
    @Children(for: \.$assignment) var responses: [MeasureResponseModel]

    init() {}
    init(patientID: UUID, code: String, schedule: MeasureSchedule, assignedBy: UUID?, assignedAt: Date) {
        self.$patient.id = patientID
        self.code = code
        self.schedule = schedule.kind
        self.intervalWeeks = schedule.weeks
        self.$assignedBy.id = assignedBy
        self.assignedAt = assignedAt
    }

    var measureSchedule: MeasureSchedule { (try? MeasureSchedule(kind: schedule, weeks: intervalWeeks)) ?? .once }
}

/// One completed administration: the answers as given, and the unrounded score.
final class MeasureResponseModel: Model, @unchecked Sendable {
    static let schema = "measure_responses"
    @ID(key: .id) var id: UUID?
    @Parent(key: "assignment_id") var assignment: MeasureAssignmentModel
    @Parent(key: "patient_id") var patient: PatientModel
    @Field(key: "code") var code: String
    /// One value per item in item order; nil = unanswered.
    @Field(key: "answers") var answers: StoredJSON<[Double?]>
    @Field(key: "score") var score: Double
    @Field(key: "answered") var answered: Int
    @Field(key: "interpretation") var interpretation: String
    @Field(key: "completed_at") var completedAt: Date
    @OptionalParent(key: "completed_by") var completedBy: UserModel?

    init() {}
    init(assignmentID: UUID, patientID: UUID, code: String, answers: [Double?], score: MeasureScore, completedAt: Date, completedBy: UUID?) {
        self.$assignment.id = assignmentID
        self.$patient.id = patientID
        self.code = code
        self.answers = StoredJSON(answers)
        self.score = score.score
        self.answered = score.answered
        self.interpretation = score.interpretation
        self.completedAt = completedAt
        self.$completedBy.id = completedBy
    }
}
