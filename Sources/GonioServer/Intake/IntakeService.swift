import Vapor
import Fluent
import GonioCore

/// The intake: saved as a draft by the patient or a caregiver, submitted once complete (which
/// runs the red-flag screen), and decided on by a care-team therapist when flagged. Reads take
/// the gate's proof; changes run inside `PatientGate.change` and lock the intake's row, so the
/// screen's result always belongs to the answers stored with it.
struct IntakeService {
    let ctx: CallContext

    struct Decision: Content {
        var decision: String
        var reason: String
        var decidedBy: UUID?
        var decidedAt: Date?
    }

    struct View: Content {
        var patientId: UUID
        var status: String
        var intake: Intake
        var missing: [String]
        var concerns: [IntakeConcern]
        var triage: TriageResult?
        var decision: Decision?
        var virtualCareAllowed: Bool
        var updatedAt: Date?
        var submittedAt: Date?
    }

    static func view(patientID: UUID, model: IntakeModel?) -> View {
        let intake = model?.data.value ?? Intake()
        let outcome = model?.triageOutcome
        return View(
            patientId: patientID, status: model?.status.rawValue ?? "not-started", intake: intake,
            missing: IntakeRules.missing(intake), concerns: IntakeRules.concerns(intake),
            triage: outcome.map { TriageResult(outcome: $0, reasons: model?.triageReasons?.value ?? []) },
            decision: model?.decision.map { Decision(decision: $0.rawValue, reason: model?.decisionReason ?? "",
                                                     decidedBy: model?.$decidedBy.id, decidedAt: model?.decidedAt) },
            virtualCareAllowed: TriageGate.mayBookVirtualVisit(submitted: model?.status == .submitted, outcome: outcome,
                                                               decision: model?.decision),
            updatedAt: model?.updatedAt, submittedAt: model?.submittedAt)
    }

    func model(_ patient: AuthorizedPatient) async throws -> IntakeModel? {
        try await IntakeModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).first()
    }

    func get(_ patient: AuthorizedPatient) async throws -> View {
        Self.view(patientID: patient.id, model: try await model(patient))
    }

    /// The intake's row, locked for the rest of the change (see `CallContext.lockRow`).
    private func lockedModel(_ patient: AuthorizedPatient) async throws -> IntakeModel? {
        guard let found = try await model(patient) else { return nil }
        try await ctx.lockRow(IntakeModel.self, id: found.requireID())
        return try await IntakeModel.find(found.requireID(), on: ctx.db)
    }

    /// Replaces the draft. A submitted intake is locked: corrections go through the therapist.
    func saveDraft(_ patient: AuthorizedPatient, intake: Intake) async throws -> View {
        try IntakeRules.validate(intake, today: ctx.today)
        if let existing = try await lockedModel(patient) {
            guard existing.status == .draft else {
                throw DomainError.conflict("intake-submitted", "The intake was already submitted; ask your therapist to update it.")
            }
            existing.data = StoredJSON(intake)
            existing.updatedAt = ctx.now
            existing.$updatedBy.id = ctx.user?.userID
            try await existing.update(on: ctx.db)
            return Self.view(patientID: patient.id, model: existing)
        }
        let model = IntakeModel(patientID: patient.id, intake: intake, now: ctx.now, by: ctx.user?.userID)
        try await insertingUniquely(or: .conflict("intake-exists", "The intake was saved from elsewhere at the same moment; reload and try again.")) {
            try await model.create(on: ctx.db)
        }
        return Self.view(patientID: patient.id, model: model)
    }

    /// Submits the stored draft and records the screen's outcome, checked against the very
    /// answers it is stored with (the row is locked from read to write).
    func submit(_ patient: AuthorizedPatient) async throws -> View {
        guard let model = try await lockedModel(patient) else {
            throw DomainError.conflict("intake-not-started", "Fill in the intake before submitting it.")
        }
        guard model.status == .draft else { throw DomainError.conflict("intake-submitted", "The intake was already submitted.") }
        let intake = model.data.value
        let missing = IntakeRules.missing(intake)
        guard missing.isEmpty else {
            throw DomainError.invalid("intake-incomplete", "Some answers are still needed: \(missing.prefix(6).joined(separator: ", "))\(missing.count > 6 ? " and \(missing.count - 6) more" : "").")
        }
        let result = IntakeRules.triage(intake)
        model.status = .submitted
        model.submittedAt = ctx.now
        model.$submittedBy.id = ctx.user?.userID
        model.triageOutcome = result.outcome
        model.triageReasons = StoredJSON(result.reasons)
        try await model.update(on: ctx.db)
        // Ids only: the outcome is health data and stays out of the logs.
        ctx.logger.info("intake submitted", metadata: ["intake-id": .string(model.id?.uuidString ?? "")])
        return Self.view(patientID: patient.id, model: model)
    }

    /// A care-team therapist records a decision on a flagged intake.
    func decide(_ patient: AuthorizedPatient, decision rawDecision: String, reason: String) async throws -> View {
        guard let decision = TriageDecision(rawValue: rawDecision) else {
            throw DomainError.invalid("decision-invalid", "decision must be one of \(TriageDecision.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let model = try await lockedModel(patient)
        let outcome = model?.status == .submitted ? model?.triageOutcome : nil
        try TriageGate.validateDecision(decision, reason: reason, outcome: outcome)
        guard let model else { throw DomainError.conflict("intake-not-submitted", "The intake has not been submitted yet.") }
        model.decision = decision
        model.decisionReason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        model.$decidedBy.id = ctx.user?.userID
        model.decidedAt = ctx.now
        try await model.update(on: ctx.db)
        return Self.view(patientID: patient.id, model: model)
    }

    // MARK: Lists

    /// One line about each intake, for dashboards: one query for a page of patients.
    func statuses(for patients: [AuthorizedPatient]) async throws -> [UUID: StatusLine] {
        guard !patients.isEmpty else { return [:] }
        let models = try await IntakeModel.query(on: ctx.db).filter(\.$patient.$id ~~ patients.map(\.id)).all()
        let byPatient = Dictionary(models.map { ($0.$patient.id, $0) }, uniquingKeysWith: { a, _ in a })
        return Dictionary(uniqueKeysWithValues: patients.map { ($0.id, StatusLine(byPatient[$0.id])) })
    }

    /// The caller's patients whose submitted intake was flagged and waits for a decision, a page
    /// at a time, each with its outcome.
    func flagged(page: ListPage) async throws -> (PatientPage, [UUID: TriageOutcome]) {
        let result = try await ctx.gate.list(.intakeStatusList, page: page, resource: "flagged-intakes") { query in
            query.join(IntakeModel.self, on: \IntakeModel.$patient.$id == \PatientModel.$id)
                .filter(IntakeModel.self, \.$status == .submitted)
                .filter(IntakeModel.self, \.$decision == nil)
                .filter(IntakeModel.self, \.$triageOutcome != .clear)
        }
        let statuses = try await self.statuses(for: result.items)
        return (result, statuses.compactMapValues(\.outcome))
    }

    /// Where an intake stands, in a few words.
    struct StatusLine: Encodable, Sendable {
        var label: String
        var needsAction: Bool
        var outcome: TriageOutcome?

        init(_ model: IntakeModel?) {
            guard let model else {
                self.init(label: "Not started", needsAction: true)
                return
            }
            guard model.status == .submitted else {
                self.init(label: "Draft saved, not submitted", needsAction: true)
                return
            }
            let outcome = model.triageOutcome ?? .clear
            if outcome == .clear {
                self.init(label: "Submitted: ready for online visits", needsAction: false, outcome: outcome)
            } else if let decision = model.decision {
                self.init(label: "Submitted: \(IntakeRoutes.decisionLabel(decision).lowercased())", needsAction: false, outcome: outcome)
            } else {
                self.init(label: outcome == .emergency ? "Submitted: emergency care advised" : "Submitted: waiting for a therapist's review",
                          needsAction: false, outcome: outcome)
            }
        }

        init(label: String, needsAction: Bool, outcome: TriageOutcome? = nil) {
            self.label = label
            self.needsAction = needsAction
            self.outcome = outcome
        }
    }
}

extension Intake: Content {}
extension IntakeConcern: Content {}
extension TriageResult: Content {}
