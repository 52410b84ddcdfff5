import Vapor
import GonioCore

/// The discharge summary: what the course of care achieved and what the patient keeps doing.
/// Before discharge it reads as "so far" (the therapist prepares the discharge visit with it);
/// after a signed discharge note it takes that note's goals and their final status.
struct DischargeRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.dischargeSummary, use: summaryAPI)
        routes.web.get(Paths.dischargePage, use: page)
        routes.api.post(Paths.API.maintenancePlan, use: maintenanceAPI)
        routes.web.post(Paths.maintenancePage, use: maintenancePage)
    }

    /// After the discharge note is signed, the therapist turns the plan the patient finished
    /// with into their home maintenance program (`MaintenancePlan`): a new version of the plan
    /// in force, or a new plan if it had ended. Once: a second asks gets 409. Runs inside the
    /// gate's change, on the plan's row.
    static func startMaintenance(_ ctx: CallContext, _ patient: AuthorizedPatient) async throws -> PlanService.Current {
        guard try await NoteService(ctx: ctx).signedDischarge(patient) != nil else {
            throw DomainError.conflict("not-discharged", "Sign the discharge note first; the maintenance program starts at discharge.")
        }
        let plans = PlanService(ctx: ctx)
        guard let latest = try await plans.latest(patient) else { throw DomainError.notFound("no-plan", "This patient has no plan to keep going.") }
        let planID = try latest.requireID()
        try await ctx.lockRow(PlanModel.self, id: planID)
        guard let version = try await plans.versions(of: planID).last else { throw DomainError.notFound("no-plan", "This patient has no plan to keep going.") }
        guard !MaintenancePlan.isMaintenance(version.content.value) else {
            throw DomainError.conflict("maintenance-exists", "The home maintenance program is already the plan in force.")
        }
        let content = MaintenancePlan.from(version.content.value, start: patient.day(at: ctx.now))
        let reason = "Discharged: the home maintenance program, the same exercises on up to 3 days a week"
        if try await plans.active(patient) != nil {
            return try await plans.revise(patient, content: content, reason: reason, baseVersion: nil)
        }
        return try await plans.create(patient, content: content, reason: reason)
    }

    struct MaintenanceView: Content {
        var planId: UUID
        var version: Int
        var title: String
    }

    func maintenanceAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let view = try await req.context.gate.change(.planRevise, patientID: id, resource: "patient/\(id)/plan/maintenance") { patient, tx in
            let current = try await Self.startMaintenance(tx, patient)
            return MaintenanceView(planId: try current.plan.requireID(), version: current.version.version, title: current.version.content.value.title)
        }
        return try await view.encodeResponse(status: .created, for: req)
    }

    func maintenancePage(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        do {
            _ = try await req.context.gate.change(.planRevise, patientID: id, resource: "patient/\(id)/plan/maintenance") { patient, tx in
                try await Self.startMaintenance(tx, patient).version.version
            }
        } catch let error as DomainError where error.kind == .conflict || error.code == "no-plan" {
            return try await render(req, message: error.message, status: HTTPResponseStatus(domain: error))
        }
        return WebPage.seeOther(Paths.dischargePage(id, query: ["notice": "maintenance"]))
    }

    struct GoalLine: Content {
        var text: String
        var term: String
        var status: String
    }

    struct MeasureLine: Content {
        var code: String
        var name: String
        var first: Double
        var last: Double
        var difference: Double
        var verdict: String
        var words: String
        var meaningfulChange: String?
    }

    struct KeepDoing: Content {
        var name: String
        var dose: String
        var frequency: String
    }

    struct Summary: Content {
        var patientId: UUID
        var discharged: Bool
        var dischargedOn: CalendarDay?
        var goals: [GoalLine]
        var goalsLine: String
        var measures: [MeasureLine]
        var sessionsDone: Int
        var sessionsDue: Int
        var adherenceLine: String
        var maintenance: [KeepDoing]
        var maintenanceTitle: String?
        /// The plan in force is the home maintenance program.
        var isMaintenance: Bool
    }

    static func summary(_ ctx: CallContext, _ patient: AuthorizedPatient) async throws -> Summary {
        let notes = NoteService(ctx: ctx)
        let discharge = try await notes.signedDischarge(patient)
        var goals = discharge?.body.value.plan.goals ?? []
        if goals.isEmpty { goals = try await notes.currentGoals(patient)?.goals ?? [] }
        let responses = try await MeasureService(ctx: ctx).responses(patient)
        let measures: [MeasureLine] = Dictionary(grouping: responses, by: \.code).compactMap { code, rows in
            guard let m = MeasureLibrary.measure(code: code), rows.count >= 2 else { return nil }
            let ordered = rows.sorted { $0.completedAt < $1.completedAt }
            let (first, last) = (ordered.first!.score, ordered.last!.score)
            let v = DischargeSummary.verdict(m, first: first, last: last)
            return MeasureLine(code: code, name: m.name, first: first, last: last, difference: last - first, verdict: v.rawValue, words: v.words,
                               meaningfulChange: m.meaningfulChange?.summary)
        }.sorted { $0.name < $1.name }
        let adherence = try await PracticeService(ctx: ctx).adherence(patient, weeks: 52)
        let done = adherence.weeks.reduce(0) { $0 + $1.sessionsDone }, due = adherence.weeks.reduce(0) { $0 + $1.sessions }
        // What to keep doing: the plan in force now (a maintenance plan after discharge), else the last one.
        let plans = PlanService(ctx: ctx)
        var keep: [KeepDoing] = []
        var title: String?
        var isMaintenance = false
        if let plan = try await plans.latest(patient), let version = try await plans.versions(of: plan.requireID()).last {
            let content = version.content.value
            let exercises = try await plans.exercises(for: patient, ids: content.items.map(\.exerciseID))
            title = content.title
            isMaintenance = MaintenancePlan.isMaintenance(content)
            keep = content.items.map { KeepDoing(name: exercises($0.exerciseID)?.name ?? $0.exerciseID, dose: $0.dose.summary, frequency: $0.dose.frequency) }
        }
        return Summary(patientId: patient.id, discharged: discharge != nil, dischargedOn: discharge?.signedAt.map { patient.day(at: $0) },
                       goals: goals.map { GoalLine(text: $0.text, term: $0.term.rawValue, status: $0.status.rawValue) },
                       goalsLine: DischargeSummary.goalsLine(goals), measures: measures, sessionsDone: done, sessionsDue: due,
                       adherenceLine: DischargeSummary.adherenceLine(done: done, due: due), maintenance: keep, maintenanceTitle: title,
                       isMaintenance: isMaintenance)
    }

    func summaryAPI(req: Request) async throws -> Summary {
        let id = try req.uuidParameter("patientID")
        let patient = try await req.context.gate.authorize(.dischargeSummary, patientID: id, resource: "patient/\(id)/discharge")
        return try await Self.summary(req.context, patient)
    }

    func page(req: Request) async throws -> Response {
        try await render(req, message: nil, status: .ok)
    }

    func render(_ req: Request, message: String?, status: HTTPResponseStatus) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let patient = try await req.context.gate.authorize(.dischargeSummary, patientID: id, resource: "patient/\(id)/discharge")
        struct Context: Encodable {
            var patientName: String
            var summary: Summary
            var back: String
            /// The therapist may start the home maintenance program (discharged, not yet started).
            var maintenanceAction: String?
        }
        let summary = try await Self.summary(req.context, patient)
        let canStart = patient.may(.writeClinical) && summary.discharged && !summary.isMaintenance
        return try await WebPage.render(req, "discharge", title: "Discharge summary",
                                        Context(patientName: patient.name, summary: summary, back: Paths.progressPage(id),
                                                maintenanceAction: canStart ? Paths.maintenancePage(id) : nil),
                                        notice: WebPage.notice(req, ["maintenance": "The home maintenance program is now the plan in force; the patient sees it today."]),
                                        error: message, status: status)
    }
}
