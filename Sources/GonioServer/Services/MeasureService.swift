import Vapor
import Fluent
import GonioCore

/// Outcome measures for one patient: a therapist assigns them; the patient (or a caregiver)
/// completes questionnaires; the therapist records performance tests; everyone allowed sees the
/// scores with the change since the first administration.
struct MeasureService {
    let req: Request

    struct Result: Content {
        var score: Double
        var interpretation: String
        var answered: Int
        var completedAt: Date
    }

    struct Change: Content {
        var difference: Double
        var improvement: Double
        var meaningful: Bool
        var threshold: String?
    }

    struct AssignmentView: Content {
        var id: UUID
        var code: String
        var name: String
        var kind: String
        var schedule: String
        var intervalWeeks: Int?
        var assignedAt: Date
        var due: Bool
        var scoreRange: [Double]
        var direction: String
        var results: [Result]
        var changeSinceFirst: Change?
    }

    /// A discharge has started once a discharge note exists (draft or signed): measures assigned
    /// "at discharge" become due then.
    func isDischarging(_ patientID: UUID) async throws -> Bool {
        try await ClinicalNoteModel.query(on: req.db).filter(\.$patientID == patientID)
            .filter(\.$kind == NoteKind.discharge.rawValue).count() > 0
    }

    func view(_ a: MeasureAssignmentModel, responses: [MeasureResponseModel], discharging: Bool) throws -> AssignmentView {
        guard let measure = MeasureLibrary.measure(code: a.code) else { throw Abort(.internalServerError) }
        let schedule = (try? MeasureSchedule(kind: a.schedule, weeks: a.intervalWeeks)) ?? .once
        let mine = responses.filter { $0.assignmentID == a.id }.sorted { $0.completedAt < $1.completedAt }
        let results = mine.map { Result(score: $0.score, interpretation: $0.interpretation, answered: $0.answered, completedAt: $0.completedAt) }
        var change: Change?
        if let first = mine.first, let last = mine.last, mine.count > 1 {
            let c = MeasureScoring.change(measure, first: first.score, latest: last.score)
            change = Change(difference: c.difference, improvement: c.improvement, meaningful: c.meaningful,
                            threshold: measure.meaningfulChange?.summary)
        }
        return AssignmentView(
            id: try a.requireID(), code: a.code, name: measure.name, kind: measure.kind.rawValue, schedule: a.schedule,
            intervalWeeks: a.intervalWeeks, assignedAt: a.assignedAt,
            due: a.endedAt == nil && schedule.isDue(assignedAt: a.assignedAt.timeIntervalSince1970,
                                                    completions: mine.map { $0.completedAt.timeIntervalSince1970 },
                                                    now: req.now.timeIntervalSince1970, discharging: discharging),
            scoreRange: [measure.scoreRange.lowerBound, measure.scoreRange.upperBound], direction: measure.direction.rawValue,
            results: results, changeSinceFirst: change)
    }

    func list(patientID: UUID) async throws -> [AssignmentView] {
        try await req.patientAccess.authorize(.viewClinical, patientID: patientID, resource: "patient/\(patientID)/measures")
        return try await views(patientID)
    }

    func views(_ patientID: UUID) async throws -> [AssignmentView] {
        let assignments = try await MeasureAssignmentModel.query(on: req.db).filter(\.$patientID == patientID)
            .sort(\.$assignedAt).all()
        let responses = try await MeasureResponseModel.query(on: req.db).filter(\.$patientID == patientID).all()
        let discharging = try await isDischarging(patientID)
        return try assignments.map { try view($0, responses: responses, discharging: discharging) }
    }

    func assign(patientID: UUID, code: String, schedule rawSchedule: String, intervalWeeks: Int?) async throws -> AssignmentView {
        try await req.patientAccess.authorize(.writeClinical, patientID: patientID, resource: "patient/\(patientID)/measures")
        guard let measure = MeasureLibrary.measure(code: code) else {
            throw DomainError.invalid("measure-invalid", "Choose a measure from the library (GET /api/v1/measures).")
        }
        let schedule = try MeasureSchedule(kind: rawSchedule, weeks: intervalWeeks)
        let existing = try await MeasureAssignmentModel.query(on: req.db).filter(\.$patientID == patientID)
            .filter(\.$code == measure.code).filter(\.$schedule == schedule.kind).filter(\.$endedAt == nil).count()
        if existing > 0 {
            throw DomainError.conflict("measure-already-assigned", "\(measure.name) is already assigned on that schedule.")
        }
        let model = MeasureAssignmentModel(patientID: patientID, code: measure.code, schedule: schedule.kind, intervalWeeks: schedule.weeks,
                                           assignedBy: req.currentUser?.userID, assignedAt: req.now)
        try await model.create(on: req.db)
        return try view(model, responses: [], discharging: try await isDischarging(patientID))
    }

    /// Records an administration. Patients and caregivers complete questionnaires; therapists
    /// record performance tests. Refused when it is not due.
    func complete(patientID: UUID, assignmentID: UUID, answers: [Double?]) async throws -> AssignmentView {
        guard let assignment = try await MeasureAssignmentModel.query(on: req.db).filter(\.$id == assignmentID)
            .filter(\.$patientID == patientID).first(),
              let measure = MeasureLibrary.measure(code: assignment.code)
        else {
            try await req.patientAccess.authorize(.viewClinical, patientID: patientID, resource: "patient/\(patientID)/measures/\(assignmentID)")
            throw DomainError.notFound("measure-not-found", "No such measure for this patient.")
        }
        let action: PatientAction = measure.kind == .performance ? .writeClinical : .completeForms
        try await req.patientAccess.authorize(action, patientID: patientID, resource: "patient/\(patientID)/measures/\(assignmentID)")
        let discharging = try await isDischarging(patientID)
        let current = try view(assignment, responses: try await MeasureResponseModel.query(on: req.db)
            .filter(\.$assignmentID == assignmentID).all(), discharging: discharging)
        guard current.due else { throw DomainError.conflict("measure-not-due", "\(measure.name) is not due now.") }
        let score = try MeasureScoring.score(measure, values: answers)
        let encoded = try StoredJSON.text(answers)
        try await MeasureResponseModel(assignmentID: assignmentID, patientID: patientID, code: measure.code, answers: encoded,
                                       score: score.score, answered: score.answered, interpretation: score.interpretation,
                                       completedAt: req.now, completedBy: req.currentUser?.userID).create(on: req.db)
        let responses = try await MeasureResponseModel.query(on: req.db).filter(\.$assignmentID == assignmentID).all()
        return try view(assignment, responses: responses, discharging: discharging)
    }
}
