import Vapor
import GonioCore

/// The discharge summary: what the course of care achieved and what the patient keeps doing.
/// Before discharge it reads as "so far" (the therapist prepares the discharge visit with it);
/// after a signed discharge note it takes that note's goals and their final status.
struct DischargeRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.dischargeSummary, use: summaryAPI)
        routes.web.get(Paths.dischargePage, use: page)
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
        if let plan = try await plans.latest(patient), let version = try await plans.versions(of: plan.requireID()).last {
            let content = version.content.value
            let exercises = try await plans.exercises(for: patient, ids: content.items.map(\.exerciseID))
            title = content.title
            keep = content.items.map { KeepDoing(name: exercises($0.exerciseID)?.name ?? $0.exerciseID, dose: $0.dose.summary, frequency: $0.dose.frequency) }
        }
        return Summary(patientId: patient.id, discharged: discharge != nil, dischargedOn: discharge?.signedAt.map { patient.day(at: $0) },
                       goals: goals.map { GoalLine(text: $0.text, term: $0.term.rawValue, status: $0.status.rawValue) },
                       goalsLine: DischargeSummary.goalsLine(goals), measures: measures, sessionsDone: done, sessionsDue: due,
                       adherenceLine: DischargeSummary.adherenceLine(done: done, due: due), maintenance: keep, maintenanceTitle: title)
    }

    func summaryAPI(req: Request) async throws -> Summary {
        let id = try req.uuidParameter("patientID")
        let patient = try await req.context.gate.authorize(.dischargeSummary, patientID: id, resource: "patient/\(id)/discharge")
        return try await Self.summary(req.context, patient)
    }

    func page(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let patient = try await req.context.gate.authorize(.dischargeSummary, patientID: id, resource: "patient/\(id)/discharge")
        struct Context: Encodable {
            var patientName: String
            var summary: Summary
            var back: String
        }
        return try await WebPage.render(req, "discharge", title: "Discharge summary",
                                        Context(patientName: patient.name, summary: try await Self.summary(req.context, patient), back: Paths.progressPage(id)))
    }
}
