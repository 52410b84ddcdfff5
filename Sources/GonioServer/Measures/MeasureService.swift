import Vapor
import Fluent
import GonioCore

/// Outcome measures for one patient: a therapist assigns them; the patient (or a caregiver)
/// completes questionnaires; the therapist records performance tests; everyone who may see the
/// clinical record sees the scores with the change since the first administration. A form-filler
/// (a caregiver who logs practice) sees only what is due, without scores.
struct MeasureService {
    let ctx: CallContext

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

    /// `a` with its responses loaded.
    func view(_ a: MeasureAssignmentModel, discharging: Bool, withResults: Bool) throws -> AssignmentView {
        guard let measure = MeasureLibrary.measure(code: a.code) else {
            throw DomainError.conflict("measure-retired", "This measure is no longer in the library.")
        }
        let mine = a.responses.sorted { $0.completedAt < $1.completedAt }
        var change: Change?
        if withResults, let first = mine.first, let last = mine.last, mine.count > 1 {
            let c = MeasureScoring.change(measure, first: first.score, latest: last.score)
            change = Change(difference: c.difference, improvement: c.improvement, meaningful: c.meaningful,
                            threshold: measure.meaningfulChange?.summary)
        }
        return AssignmentView(
            id: try a.requireID(), code: a.code, name: measure.name, kind: measure.kind.rawValue, schedule: a.schedule.rawValue,
            intervalWeeks: a.intervalWeeks, assignedAt: a.assignedAt,
            due: a.endedAt == nil && a.measureSchedule.isDue(assignedAt: a.assignedAt.timeIntervalSince1970,
                                                             completions: mine.map { $0.completedAt.timeIntervalSince1970 },
                                                             now: ctx.now.timeIntervalSince1970, discharging: discharging),
            scoreRange: [measure.scoreRange.lowerBound, measure.scoreRange.upperBound], direction: measure.direction.rawValue,
            results: withResults ? mine.map { Result(score: $0.score, interpretation: $0.interpretation, answered: $0.answered,
                                                     completedAt: $0.completedAt) } : [],
            changeSinceFirst: change)
    }

    /// Every completed administration of the patient's measures, oldest first.
    func responses(_ patient: AuthorizedPatient) async throws -> [MeasureResponseModel] {
        try await MeasureResponseModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).sort(\.$completedAt).all()
    }

    /// The patient's measures: with scores for those who may see the clinical record; only the
    /// questionnaires due now for those who only fill in forms. Three queries.
    func views(_ patient: AuthorizedPatient) async throws -> [AssignmentView] {
        let assignments = try await MeasureAssignmentModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
            .with(\.$responses).sort(\.$assignedAt).all()
        let discharging = try await NoteService(ctx: ctx).hasDischarge(patient)
        let clinical = patient.may(.viewClinical)
        return try assignments.map { try view($0, discharging: discharging, withResults: clinical) }
            .filter { clinical || ($0.due && $0.kind == OutcomeMeasure.Kind.questionnaire.rawValue) }
    }

    func assign(_ patient: AuthorizedPatient, code: String, schedule rawSchedule: String, intervalWeeks: Int?) async throws -> AssignmentView {
        guard let measure = MeasureLibrary.measure(code: code) else {
            throw DomainError.invalid("measure-invalid", "Choose a measure from the library (GET /api/v1/measures).")
        }
        let schedule = try MeasureSchedule(kind: rawSchedule, weeks: intervalWeeks)
        let already = DomainError.conflict("measure-already-assigned", "\(measure.name) is already assigned on that schedule.")
        let existing = try await MeasureAssignmentModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
            .filter(\.$code == measure.code).filter(\.$schedule == schedule.kind).filter(\.$endedAt == nil).count()
        if existing > 0 { throw already }
        let model = MeasureAssignmentModel(patientID: patient.id, code: measure.code, schedule: schedule,
                                           assignedBy: ctx.user?.userID, assignedAt: ctx.now)
        // The partial unique index (M0009) settles two assignments racing past the check.
        try await insertingUniquely(or: already) { try await model.create(on: ctx.db) }
        model.$responses.value = []
        return try view(model, discharging: try await NoteService(ctx: ctx).hasDischarge(patient), withResults: patient.may(.viewClinical))
    }

    /// The assignment, or 404; `lock` holds its row for the rest of a change.
    func assignment(_ patient: AuthorizedPatient, id: UUID, lock: Bool = false) async throws -> (MeasureAssignmentModel, OutcomeMeasure) {
        if lock { try await ctx.lockRow(MeasureAssignmentModel.self, id: id) }
        guard let assignment = try await MeasureAssignmentModel.query(on: ctx.db).filter(\.$id == id)
            .filter(\.$patient.$id == patient.id).with(\.$responses).first(),
              let measure = MeasureLibrary.measure(code: assignment.code)
        else { throw DomainError.notFound("measure-not-found", "No such measure for this patient.") }
        return (assignment, measure)
    }

    /// What completing this measure needs: questionnaires are filled in by the patient or a
    /// caregiver, performance tests recorded by a therapist.
    static func action(for measure: OutcomeMeasure) -> PatientAction {
        measure.kind == .performance ? .writeClinical : .completeForms
    }

    /// Records an administration, refused when it is not due. The assignment's row is locked
    /// from the due check to the insert, so identical requests at once record it once.
    func complete(_ patient: AuthorizedPatient, assignmentID: UUID, answers: [Double?]) async throws -> AssignmentView {
        try await complete(patient, assignmentID: assignmentID) { _ in answers }
    }

    /// The same, with the answers read for the measure once it is known (a form's fields).
    func complete(_ patient: AuthorizedPatient, assignmentID: UUID,
                  answers answersFor: (OutcomeMeasure) throws -> [Double?]) async throws -> AssignmentView {
        let (assignment, measure) = try await self.assignment(patient, id: assignmentID, lock: true)
        let answers = try answersFor(measure)
        try await ctx.gate.require(Self.action(for: measure), of: patient, resource: "patient/\(patient.id)/measures/\(assignmentID)")
        let discharging = try await NoteService(ctx: ctx).hasDischarge(patient)
        guard try view(assignment, discharging: discharging, withResults: false).due else {
            throw DomainError.conflict("measure-not-due", "\(measure.name) is not due now.")
        }
        let score = try MeasureScoring.score(measure, values: answers)
        let response = MeasureResponseModel(assignmentID: assignmentID, patientID: patient.id, code: measure.code, answers: answers,
                                            score: score, completedAt: ctx.now, completedBy: ctx.user?.userID)
        try await response.create(on: ctx.db)
        assignment.$responses.value = assignment.responses + [response]
        return try view(assignment, discharging: discharging, withResults: patient.may(.viewClinical))
    }

    /// Questionnaires due now, for the patient's dashboard.
    func questionnairesDue(_ patient: AuthorizedPatient) async throws -> Int {
        try await views(patient).count { $0.due && $0.kind == OutcomeMeasure.Kind.questionnaire.rawValue }
    }
}

extension MeasureScore: Content {}
