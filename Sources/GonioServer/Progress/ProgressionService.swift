import Vapor
import Fluent
import GonioCore

/// The progression engine at work on a patient's plan: after each log and check-in, every
/// exercise's logs since its dose last changed are weighed (`Progression`); a progress or
/// regress becomes a suggestion that waits for the therapist, who accepts it (a new plan
/// version, its reason in words the patient reads), edits it, or dismisses it. Holds wait
/// silently: nothing to decide. Runs inside the caller's change, on the plan's row.
struct ProgressionService {
    let ctx: CallContext

    /// Brings the pending suggestions up to date with the logs: for one exercise after its log,
    /// for all of them after a check-in. Reads only the logs since each dose last changed.
    func refresh(_ patient: AuthorizedPatient, itemID: String? = nil) async throws {
        let plans = PlanService(ctx: ctx)
        guard let current = try await plans.active(patient) else { return }
        let planID = try current.plan.requireID()
        // One refresh at a time per plan: two logs at once must not both add a suggestion.
        try await ctx.lockRow(PlanModel.self, id: planID)
        let items = current.content.items.filter { itemID == nil || $0.id == itemID }
        guard !items.isEmpty else { return }
        let versions = try await plans.versions(of: planID).compactMap { v in (try? CalendarDay(v.effectiveDay)).map { (day: $0, content: v.content.value) } }
        let today = patient.day(at: ctx.now)
        let since = Dictionary(uniqueKeysWithValues: items.map { ($0.id, PlanProgression.lastChange(itemID: $0.id, versions: versions) ?? today) })
        let earliest = since.values.min() ?? today
        let logs = try await PracticeService(ctx: ctx).history(patient, since: earliest, planID: planID, itemID: itemID).compactMap(Self.logged)
        // Mornings from a little before, for the baseline on the day the dose changed.
        let checkIns = try await CheckInService(ctx: ctx).mornings(patient, since: earliest.adding(days: -14))
        // A red flag in a check-in of the last week holds every progression until the therapist
        // has marked it seen (CLINICAL.md §5: close the loop before loading more).
        let seen = try await AlertService(ctx: ctx).acknowledgedKeys(patient)
        let flagged = try await CheckInService(ctx: ctx).list(patient, since: today.adding(days: -7)).contains { row in
            TriageOutcome(rawValue: row.triage).map { $0 != .clear } == true && !seen.contains(AlertService.redFlagKey(row))
        }
        var pendingQuery = SuggestionModel.query(on: ctx.db).filter(\.$plan.$id == planID).filter(\.$status == .pending)
        if let itemID { pendingQuery = pendingQuery.filter(\.$itemID == itemID) }
        let pending = try await pendingQuery.all()
        let rules = try await ClinicRulesService(ctx: ctx).rules(clinicID: patient.clinicID).rules
        for item in items {
            let since = since[item.id] ?? today
            let baseline = checkIns.filter { $0.key <= since }.max { $0.key < $1.key }?.value
            let input = PlanProgression.input(dose: item.dose, itemID: item.id, since: since, logs: logs, mornings: checkIns, baseline: baseline)
            let s = Progression.suggest(input, rules: rules)
            let existing = pending.first { $0.itemID == item.id }
            var doseTo = PlanProgression.apply(s.change, to: item.dose)
            var variant: String?
            // At the dose's limit: the library's easier or harder exercise (looked up only then).
            if s.decision != .hold, doseTo == item.dose, let exercise = try await plans.exercises(for: patient, ids: [item.exerciseID])(item.exerciseID) {
                variant = (s.decision == .progress ? exercise.harder : exercise.easier).first
                doseTo = item.dose
            }
            guard s.decision != .hold, !(flagged && s.decision == .progress), doseTo != item.dose || variant != nil, doseTo.problems.isEmpty else {
                if let existing { try await supersede(existing) }
                continue
            }
            if let existing, existing.decision == s.decision.rawValue, existing.doseFrom.value == item.dose, existing.doseTo.value == doseTo,
               existing.variant == variant {
                // The same advice for the same dose (another exercise's change made a new plan
                // version): it keeps its id, its reasons follow the latest numbers.
                existing.rule = s.rule
                existing.reasons = StoredJSON(s.reasons)
                existing.planVersion = current.version.version
                try await existing.update(on: ctx.db)
                continue
            }
            if let existing { try await supersede(existing) }
            let row = SuggestionModel()
            row.id = UUID()
            row.$patient.id = patient.id
            row.$plan.id = planID
            row.planVersion = current.version.version
            row.itemID = item.id
            row.exerciseID = item.exerciseID
            row.decision = s.decision.rawValue
            row.rule = s.rule
            row.reasons = StoredJSON(s.reasons)
            row.doseFrom = StoredJSON(item.dose)
            row.doseTo = StoredJSON(doseTo)
            row.variant = variant
            row.rulesVersion = s.rulesVersion
            row.status = .pending
            row.createdAt = ctx.now
            try await row.create(on: ctx.db)
        }
        // Suggestions for exercises no longer in the plan are out of date.
        for stale in pending where !current.content.items.contains(where: { $0.id == stale.itemID }) { try await supersede(stale) }
    }

    private func supersede(_ row: SuggestionModel) async throws {
        row.status = .superseded
        row.decidedAt = ctx.now
        try await row.update(on: ctx.db)
    }

    static func logged(_ log: PracticeLogModel) -> PlanProgression.Logged? {
        guard let day = try? CalendarDay(log.day) else { return nil }
        return PlanProgression.Logged(itemID: log.itemID, day: day, skipped: log.outcome == .skipped, setsDone: log.setsDone, repsDone: log.repsDone,
                                      painDuring: log.painDuring, painAfter: log.painAfter, effort: log.effort,
                                      formScore: log.report.motion?.formScore)
    }

    // MARK: The therapist's side

    struct SuggestionView: Content {
        var id: UUID
        var patientId: UUID
        var itemId: String
        var exerciseId: String
        var exerciseName: String
        var decision: String
        var rule: String
        var reasons: [String]
        var doseFrom: String
        var doseTo: String
        var change: DoseChange
        /// The whole dose as suggested.
        var proposed: Dose
        var variant: String?
        var variantName: String?
        var status: String
        var createdAt: Date
        var rulesVersion: Int
    }

    func view(_ row: SuggestionModel, exercises: (String) -> Exercise?) -> SuggestionView {
        let from = row.doseFrom.value, to = row.doseTo.value
        return SuggestionView(
            id: row.id ?? UUID(), patientId: row.$patient.id, itemId: row.itemID, exerciseId: row.exerciseID,
            exerciseName: exercises(row.exerciseID)?.name ?? row.exerciseID, decision: row.decision, rule: row.rule, reasons: row.reasons.value,
            doseFrom: from.summary, doseTo: to.summary,
            change: DoseChange(sets: to.sets != from.sets ? to.sets : nil, reps: to.reps != from.reps ? to.reps : nil,
                               holdSeconds: to.holdSeconds != from.holdSeconds ? to.holdSeconds : nil, load: to.load != from.load ? to.load : nil),
            proposed: to, variant: row.variant, variantName: row.variant.flatMap { exercises($0)?.name }, status: row.status.rawValue, createdAt: row.createdAt,
            rulesVersion: row.rulesVersion)
    }

    func pending(_ patient: AuthorizedPatient) async throws -> [SuggestionView] {
        let rows = try await SuggestionModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$status == .pending)
            .sort(\.$createdAt).all()
        let exercises = try await PlanService(ctx: ctx).exercises(for: patient, ids: rows.flatMap { [$0.exerciseID] + ($0.variant.map { [$0] } ?? []) })
        return rows.map { view($0, exercises: exercises) }
    }

    /// How many suggestions wait for each patient of a list: one query.
    func pendingCounts(for patients: [AuthorizedPatient]) async throws -> [UUID: Int] {
        guard !patients.isEmpty else { return [:] }
        var out: [UUID: Int] = [:]
        for row in try await SuggestionModel.query(on: ctx.db).filter(\.$patient.$id ~~ patients.map(\.id)).filter(\.$status == .pending)
            .field(\.$patient.$id).all() {
            out[row.$patient.id, default: 0] += 1
        }
        return out
    }

    /// The patient a suggestion belongs to (nil: no such suggestion), before the gate.
    static func patientID(ofSuggestion id: UUID, on db: any Database) async throws -> UUID? {
        try await SuggestionModel.find(id, on: db)?.$patient.id
    }

    /// What the therapist changes when accepting: the dose as suggested, or as they edit it.
    struct Edit: Content {
        var sets: Int?
        var reps: Int?
        var holdSeconds: Int?
        var load: String?
        /// Swap to the suggested easier or harder exercise (when there is one).
        var useVariant: Bool?
    }

    /// Accepts a pending suggestion: the plan gets a new version with the dose (or exercise)
    /// changed and the reason in the patient's words. Checked and written on the suggestion's
    /// and the plan's rows: two accepts at once make one version.
    func accept(_ patient: AuthorizedPatient, suggestionID: UUID, edit: Edit?) async throws -> (SuggestionView, planVersion: Int) {
        try await ctx.lockRow(SuggestionModel.self, id: suggestionID)
        let row = try await decidable(patient, suggestionID)
        let plans = PlanService(ctx: ctx)
        let current = try await plans.requireActive(patient)
        var content = current.content
        guard current.plan.id == row.$plan.id, let index = content.items.firstIndex(where: { $0.id == row.itemID }),
              content.items[index].dose == row.doseFrom.value, content.items[index].exerciseID == row.exerciseID else {
            try await supersede(row)
            throw DomainError.conflict("suggestion-stale", "The plan changed since this suggestion was made; it no longer applies.")
        }
        var dose = row.doseTo.value
        if let edit {
            if let v = edit.sets { dose.sets = v }
            if let v = edit.reps { dose.reps = v }
            if let v = edit.holdSeconds { dose.holdSeconds = v }
            if let v = edit.load { dose.load = v.trimmingWhitespace().isEmpty ? nil : v.trimmingWhitespace() }
        }
        if let problem = dose.problems.first { throw DomainError.invalid("dose-invalid", "The dose is not possible: \(problem).") }
        let exercises = try await plans.exercises(for: patient, ids: [row.exerciseID] + (row.variant.map { [$0] } ?? []))
        let swap = (edit?.useVariant ?? (dose == content.items[index].dose)) ? row.variant : nil
        if let swap { content.items[index].exerciseID = swap }
        content.items[index].dose = dose
        let name = exercises(row.exerciseID)?.name ?? row.exerciseID
        let what = swap.map { "\(name) → \(exercises($0)?.name ?? $0)" } ?? "\(name): \(row.doseFrom.value.summary) → \(dose.summary)"
        let why = row.reasons.value.first ?? "your logs since the last change"
        let reason = String("\(what). Why: \(why)".prefix(500))
        let revised = try await plans.revise(patient, content: content, reason: reason, baseVersion: current.plan.version)
        row.status = .accepted
        row.decidedAt = ctx.now
        row.$decidedBy.id = ctx.user?.userID
        row.appliedVersion = revised.version.version
        row.doseTo = StoredJSON(dose)
        try await row.update(on: ctx.db)
        try await refresh(patient)
        return (view(row, exercises: exercises), revised.version.version)
    }

    func dismiss(_ patient: AuthorizedPatient, suggestionID: UUID) async throws -> SuggestionView {
        try await ctx.lockRow(SuggestionModel.self, id: suggestionID)
        let row = try await decidable(patient, suggestionID)
        row.status = .dismissed
        row.decidedAt = ctx.now
        row.$decidedBy.id = ctx.user?.userID
        try await row.update(on: ctx.db)
        let exercises = try await PlanService(ctx: ctx).exercises(for: patient, ids: [row.exerciseID])
        return view(row, exercises: exercises)
    }

    private func decidable(_ patient: AuthorizedPatient, _ id: UUID) async throws -> SuggestionModel {
        guard let row = try await SuggestionModel.query(on: ctx.db).filter(\.$id == id).filter(\.$patient.$id == patient.id).first() else {
            throw DomainError.notFound("suggestion-not-found", "No such suggestion for this patient.")
        }
        guard row.status == .pending else {
            throw DomainError.conflict("suggestion-decided", "This suggestion was already \(row.status == .superseded ? "replaced by a newer one" : row.status.rawValue).")
        }
        return row
    }

    /// What changed in the plan and why, for the patient: the latest versions made from suggestions.
    func recentChanges(_ patient: AuthorizedPatient, limit: Int = 5) async throws -> [SuggestionModel] {
        try await SuggestionModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$status == .accepted)
            .sort(\.$decidedAt, .descending).limit(limit).all()
    }
}
