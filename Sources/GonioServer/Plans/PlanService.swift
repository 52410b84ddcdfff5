import Vapor
import Fluent
import GonioCore

/// Plans of care: a therapist builds one from the library or a protocol phase, changes it in
/// versions (each with who, when and why), and ends it; the patient and those who help them
/// always read the current version. Every change checks and writes in one transaction on the
/// plan's row.
struct PlanService {
    let ctx: CallContext

    /// The active plan with its current version, or nil.
    struct Current: Sendable {
        var plan: PlanModel
        var version: PlanVersionModel
        var content: PlanContent { version.content.value }
    }

    /// One query: the active plan joined with its current version.
    func active(_ patient: AuthorizedPatient) async throws -> Current? {
        guard let version = try await PlanVersionModel.query(on: ctx.db)
            .join(PlanModel.self, on: \PlanVersionModel.$plan.$id == \PlanModel.$id)
            .filter(PlanModel.self, \.$patient.$id == patient.id).filter(PlanModel.self, \.$status == .active)
            .filter(\PlanVersionModel.$version == \PlanModel.$version).first()
        else { return nil }
        return Current(plan: try version.joined(PlanModel.self), version: version)
    }

    func requireActive(_ patient: AuthorizedPatient) async throws -> Current {
        guard let current = try await active(patient) else {
            throw DomainError.notFound("no-active-plan", "There is no active plan of care for this patient yet.")
        }
        return current
    }

    /// The plan whose practice is shown: the active one, else the one that ended last.
    func latest(_ patient: AuthorizedPatient) async throws -> PlanModel? {
        if let active = try await PlanModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$status == .active).first() {
            return active
        }
        return try await PlanModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).sort(\.$createdAt, .descending).first()
    }

    func versions(of planID: UUID) async throws -> [PlanVersionModel] {
        try await PlanVersionModel.query(on: ctx.db).filter(\.$plan.$id == planID).sort(\.$version).with(\.$createdBy).all()
    }

    /// The exercises a plan for this patient may use: the library and their clinic's. With the
    /// ids to be looked up (a plan's), the clinic's are read only if the plan uses one.
    func exercises(for patient: AuthorizedPatient, ids: [String]? = nil) async throws -> @Sendable (String) -> Exercise? {
        try await ExerciseService(ctx: ctx).lookup(forClinic: patient.clinicID, ids: ids)
    }

    /// A new plan (version 1). Refused while the patient has an active plan: change that one,
    /// or end it first. The partial unique index settles two creations racing.
    func create(_ patient: AuthorizedPatient, content: PlanContent, reason: String?) async throws -> Current {
        let content = try content.validated(exercise: try await exercises(for: patient, ids: content.items.map(\.exerciseID)))
        let conflict = DomainError.conflict("plan-exists", "This patient already has an active plan; change it or end it first.")
        if try await active(patient) != nil { throw conflict }
        let plan = PlanModel(patientID: patient.id, createdBy: ctx.user?.userID, at: ctx.now)
        try await insertingUniquely(or: conflict) { try await plan.create(on: ctx.db) }
        let version = PlanVersionModel(planID: try plan.requireID(), patientID: patient.id, version: 1, content: content,
                                       reason: try reason.flatMap { $0.trimmingWhitespace().isEmpty ? nil : try PlanChange.reason($0) } ?? "First plan",
                                       createdBy: ctx.user?.userID, at: ctx.now, day: patient.day(at: ctx.now))
        try await version.create(on: ctx.db)
        return Current(plan: plan, version: version)
    }

    /// A new version of the active plan. `baseVersion` is the version the therapist changed:
    /// when someone else changed the plan meanwhile, the change is refused rather than lost.
    func revise(_ patient: AuthorizedPatient, content: PlanContent, reason rawReason: String?, baseVersion: Int?) async throws -> Current {
        let reason = try PlanChange.reason(rawReason)
        let content = try content.validated(exercise: try await exercises(for: patient, ids: content.items.map(\.exerciseID)))
        let current = try await requireActive(patient)
        try await ctx.lockRow(PlanModel.self, id: current.plan.requireID())
        guard let plan = try await PlanModel.find(current.plan.requireID(), on: ctx.db), plan.status == .active else {
            throw DomainError.conflict("plan-ended", "The plan has ended; start a new one.")
        }
        if let baseVersion, baseVersion != plan.version {
            throw DomainError.conflict("plan-changed", "The plan changed since you opened it (now version \(plan.version)); reload it and make your change again.")
        }
        if content == current.content {
            throw DomainError.invalid("plan-unchanged", "Nothing in the plan changed.")
        }
        plan.version += 1
        try await plan.update(on: ctx.db)
        let version = PlanVersionModel(planID: try plan.requireID(), patientID: patient.id, version: plan.version, content: content,
                                       reason: reason, createdBy: ctx.user?.userID, at: ctx.now, day: patient.day(at: ctx.now))
        // The (plan, version) unique key settles two changes made from the same version.
        try await insertingUniquely(or: .conflict("plan-changed", "The plan changed at the same moment; reload it and make your change again.")) {
            try await version.create(on: ctx.db)
        }
        return Current(plan: plan, version: version)
    }

    func end(_ patient: AuthorizedPatient, reason rawReason: String?) async throws -> PlanModel {
        let reason = try PlanChange.reason(rawReason)
        let current = try await requireActive(patient)
        try await ctx.lockRow(PlanModel.self, id: current.plan.requireID())
        guard let plan = try await PlanModel.find(current.plan.requireID(), on: ctx.db), plan.status == .active else {
            throw DomainError.conflict("plan-ended", "The plan has already ended.")
        }
        plan.status = .ended
        plan.endedAt = ctx.now
        plan.$endedBy.id = ctx.user?.userID
        plan.endReason = reason
        try await plan.update(on: ctx.db)
        return plan
    }

    /// Which version was in force on each day: the latest that took effect by then, and the
    /// first before it took effect (a plan may start before it was written down).
    static func inForce(_ versions: [PlanVersionModel]) -> @Sendable (CalendarDay) -> PlanContent? {
        let ordered = versions.sorted { $0.version < $1.version }.compactMap { v in
            (try? CalendarDay(v.effectiveDay)).map { ($0, v.content.value) }
        }
        return { day in
            guard let first = ordered.first else { return nil }
            let content = ordered.last { $0.0 <= day }?.1 ?? first.1
            return content.isActive(on: day) ? content : nil
        }
    }
}
