import Fluent
import Foundation
import GonioCore

/// One exercise done (or skipped) once, as the patient or a caregiver reported it. The id is
/// the one the client made, so a retry after a lost answer stores nothing twice. Never changed
/// once written.
final class PracticeLogModel: Model, @unchecked Sendable {
    static let schema = "practice_logs"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Parent(key: "plan_id") var plan: PlanModel
    @Field(key: "plan_version") var planVersion: Int
    @Field(key: "item_id") var itemID: String
    @Field(key: "exercise_id") var exerciseID: String
    /// The patient's calendar day it counts for (`YYYY-MM-DD`, in their time zone when done).
    @Field(key: "day") var day: String
    @Field(key: "performed_at") var performedAt: Date
    @Field(key: "recorded_at") var recordedAt: Date
    @OptionalParent(key: "recorded_by") var recordedBy: UserModel?
    @Enum(key: "outcome") var outcome: PracticeSchedule.Outcome
    @Field(key: "sets_done") var setsDone: Int
    @Field(key: "reps_done") var repsDone: Int
    @OptionalField(key: "pain_before") var painBefore: Int?
    @OptionalField(key: "pain_during") var painDuring: Int?
    @OptionalField(key: "pain_after") var painAfter: Int?
    @OptionalField(key: "effort") var effort: Int?
    @OptionalEnum(key: "feeling") var feeling: PracticeReport.Feeling?
    @OptionalField(key: "note") var note: String?
    /// What motion tracking counted (M0015).
    @OptionalField(key: "motion") var motion: StoredJSON<MotionSummary>?
    /// Fewer repetitions counted than prescribed with hard effort, judged when the log was kept.
    @Field(key: "fell_short") var fellShort: Bool

    init() {}
    init(id: UUID, patientID: UUID, planID: UUID, planVersion: Int, itemID: String, exerciseID: String, day: CalendarDay,
         performedAt: Date, recordedAt: Date, recordedBy: UUID?, report: PracticeReport) {
        self.id = id
        self.$patient.id = patientID
        self.$plan.id = planID
        self.planVersion = planVersion
        self.itemID = itemID
        self.exerciseID = exerciseID
        self.day = day.description
        self.performedAt = performedAt
        self.recordedAt = recordedAt
        self.$recordedBy.id = recordedBy
        outcome = report.outcome
        setsDone = report.setsDone
        repsDone = report.repsDone
        painBefore = report.painBefore
        painDuring = report.painDuring
        painAfter = report.painAfter
        effort = report.effort
        feeling = report.feeling
        note = report.note
        motion = report.motion.map(StoredJSON.init)
        fellShort = false
    }

    var report: PracticeReport {
        PracticeReport(outcome: outcome, setsDone: setsDone, repsDone: repsDone, painBefore: painBefore, painDuring: painDuring,
                       painAfter: painAfter, effort: effort, feeling: feeling, note: note, motion: motion?.value)
    }

    var logged: PracticeSchedule.Logged? {
        (try? CalendarDay(day)).map { PracticeSchedule.Logged(itemID: itemID, day: $0, outcome: outcome) }
    }
}

/// Pain above the limit during or after an exercise: the therapist sees it until they mark it
/// seen.
final class PracticeAlertModel: Model, @unchecked Sendable {
    static let schema = "practice_alerts"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Parent(key: "log_id") var log: PracticeLogModel
    @Field(key: "exercise_id") var exerciseID: String
    @Field(key: "pain") var pain: Int
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalParent(key: "acknowledged_by") var acknowledgedBy: UserModel?

    init() {}
    init(patientID: UUID, logID: UUID, exerciseID: String, pain: Int, at: Date) {
        self.$patient.id = patientID
        self.$log.id = logID
        self.exerciseID = exerciseID
        self.pain = pain
        createdAt = at
    }
}
