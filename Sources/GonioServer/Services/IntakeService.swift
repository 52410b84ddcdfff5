import Vapor
import Fluent
import GonioCore

/// The intake: saved as a draft by the patient or a caregiver, submitted once complete (which
/// runs the red-flag screen), and decided on by a care-team therapist when flagged.
struct IntakeService {
    let req: Request

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

    func view(patientID: UUID, model: IntakeModel?) throws -> View {
        let intake = try model.map { try JSONDecoder().decode(Intake.self, from: Data($0.data.utf8)) } ?? Intake()
        let outcome = model?.triageOutcome.flatMap(TriageOutcome.init(rawValue:))
        let reasons = try model?.triageReasons.map { try JSONDecoder().decode([TriageReason].self, from: Data($0.utf8)) } ?? []
        let decision = model?.decision.flatMap(TriageDecision.init(rawValue:))
        let submitted = model?.status == "submitted"
        return View(
            patientId: patientID, status: model?.status ?? "not-started", intake: intake,
            missing: IntakeRules.missing(intake), concerns: IntakeRules.concerns(intake),
            triage: outcome.map { TriageResult(outcome: $0, reasons: reasons) },
            decision: decision.map { Decision(decision: $0.rawValue, reason: model?.decisionReason ?? "", decidedBy: model?.decidedBy, decidedAt: model?.decidedAt) },
            virtualCareAllowed: TriageGate.mayBookVirtualVisit(submitted: submitted, outcome: outcome, decision: decision),
            updatedAt: model?.updatedAt, submittedAt: model?.submittedAt)
    }

    func find(_ patientID: UUID) async throws -> IntakeModel? {
        try await IntakeModel.query(on: req.db).filter(\.$patientID == patientID).first()
    }

    func get(patientID: UUID) async throws -> View {
        try await req.patientAccess.authorize(.viewClinical, patientID: patientID, resource: "patient/\(patientID)/intake")
        return try view(patientID: patientID, model: try await find(patientID))
    }

    /// Replaces the draft. A submitted intake is locked: corrections go through the therapist.
    func saveDraft(patientID: UUID, intake: Intake) async throws -> View {
        try await req.patientAccess.authorize(.completeForms, patientID: patientID, resource: "patient/\(patientID)/intake")
        try IntakeRules.validate(intake, today: req.today)
        let data = try StoredJSON.text(intake)
        let model: IntakeModel
        if let existing = try await find(patientID) {
            guard existing.status == "draft" else {
                throw DomainError.conflict("intake-submitted", "The intake was already submitted; ask your therapist to update it.")
            }
            existing.data = data
            existing.updatedAt = req.now
            existing.updatedBy = req.currentUser?.userID
            try await existing.update(on: req.db)
            model = existing
        } else {
            model = IntakeModel(patientID: patientID, data: data, now: req.now, by: req.currentUser?.userID)
            try await insertingUniquely(or: .conflict("intake-exists", "The intake was saved from elsewhere at the same moment; reload and try again.")) {
                try await model.create(on: req.db)
            }
        }
        return try view(patientID: patientID, model: model)
    }

    /// Submits a complete draft and records the screen's outcome.
    func submit(patientID: UUID) async throws -> View {
        try await req.patientAccess.authorize(.completeForms, patientID: patientID, resource: "patient/\(patientID)/intake")
        guard let model = try await find(patientID) else {
            throw DomainError.conflict("intake-not-started", "Fill in the intake before submitting it.")
        }
        guard model.status == "draft" else { throw DomainError.conflict("intake-submitted", "The intake was already submitted.") }
        let intake = try JSONDecoder().decode(Intake.self, from: Data(model.data.utf8))
        let missing = IntakeRules.missing(intake)
        guard missing.isEmpty else {
            throw DomainError.invalid("intake-incomplete", "Some answers are still needed: \(missing.prefix(6).joined(separator: ", "))\(missing.count > 6 ? " and \(missing.count - 6) more" : "").")
        }
        let result = IntakeRules.triage(intake)
        model.status = "submitted"
        model.submittedAt = req.now
        model.submittedBy = req.currentUser?.userID
        model.triageOutcome = result.outcome.rawValue
        model.triageReasons = try StoredJSON.text(result.reasons)
        try await model.update(on: req.db)
        if result.outcome != .clear {
            req.logger.notice("intake flagged", metadata: ["patient-id": .string(patientID.uuidString), "outcome": .string(result.outcome.rawValue)])
        }
        return try view(patientID: patientID, model: model)
    }

    /// A care-team therapist records a decision on a flagged intake.
    func decide(patientID: UUID, decision rawDecision: String, reason: String) async throws -> View {
        try await req.patientAccess.authorize(.writeClinical, patientID: patientID, resource: "patient/\(patientID)/intake/decision")
        guard let decision = TriageDecision(rawValue: rawDecision) else {
            throw DomainError.invalid("decision-invalid", "decision must be one of \(TriageDecision.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let model = try await find(patientID)
        let outcome = model?.status == "submitted" ? model?.triageOutcome.flatMap(TriageOutcome.init(rawValue:)) : nil
        try TriageGate.validateDecision(decision, reason: reason, outcome: outcome)
        guard let model else { throw DomainError.conflict("intake-not-submitted", "The intake has not been submitted yet.") }
        model.decision = decision.rawValue
        model.decisionReason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        model.decidedBy = req.currentUser?.userID
        model.decidedAt = req.now
        try await model.update(on: req.db)
        return try view(patientID: patientID, model: model)
    }

    /// Submitted intakes the signed-in therapist's patients have that still wait for a decision.
    func flaggedForTherapist() async throws -> [(PatientModel, IntakeModel)] {
        let patients = try await req.patientAccess.visiblePatients()
        guard !patients.isEmpty else { return [] }
        let intakes = try await IntakeModel.query(on: req.db).filter(\.$patientID ~~ patients.compactMap(\.id))
            .filter(\.$status == "submitted").filter(\.$decision == nil).all()
            .filter { $0.triageOutcome != nil && $0.triageOutcome != TriageOutcome.clear.rawValue }
        return intakes.compactMap { intake in patients.first { $0.id == intake.patientID }.map { ($0, intake) } }
    }
}

extension Intake: Content {}
extension IntakeConcern: Content {}
extension TriageResult: Content {}
