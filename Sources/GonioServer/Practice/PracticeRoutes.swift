import Vapor
import Fluent
import GonioCore
import GonioMotion

/// Home practice: today's session (JSON, the practice page and the guided player), logs sent
/// by the player or a native client (idempotent on the client's id), adherence, and pain alerts
/// the therapist marks seen.
struct PracticeRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.today, use: todayAPI)
        routes.api.post(Paths.API.logs, use: logAPI)
        routes.api.get(Paths.API.logs, use: logsAPI)
        routes.api.get(Paths.API.adherence, use: adherenceAPI)
        routes.api.get(Paths.API.practiceAlerts, use: alertsAPI)
        routes.api.post(Paths.API.practiceAlertAcknowledge, use: acknowledgeAPI)

        routes.web.get(Paths.practice, use: page)
        routes.web.get(Paths.player, use: player)
        // The player sends its logs here as JSON with the page's CSRF token in a header.
        routes.web.post(Paths.practiceLogs, use: logAPI)
        routes.web.post(Paths.practiceAlertAcknowledge, use: acknowledge)
    }

    static func resource(_ id: UUID) -> String { "patient/\(id)/practice" }

    // MARK: API

    func todayAPI(req: Request) async throws -> PracticeService.Today {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.practiceToday, patientID: id, resource: Self.resource(id) + "/today")
        return try await PracticeService(ctx: ctx).today(patient)
    }

    /// 201 for a new log, 200 with the same log for a retry. Two identical requests at once
    /// take effect once: SQLite's immediate transaction lets the second see the first; on
    /// PostgreSQL the second insert meets the primary key, and trying again finds the log.
    func logAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        func attempt() async throws -> (PracticeService.Log, Bool) {
            let result = try await req.context.gate.change(.practiceLog, patientID: id, resource: Self.resource(id) + "/logs") { patient, tx in
                let input = try req.content.decode(PracticeService.LogInput.self)
                let (log, created) = try await PracticeService(ctx: tx).record(patient, input)
                return Recorded(log: log, created: created)
            }
            return (result.log, result.created)
        }
        let (log, created): (PracticeService.Log, Bool)
        do {
            (log, created) = try await attempt()
        } catch let error as any DatabaseError where error.isConstraintFailure {
            (log, created) = try await attempt()
        }
        return try await log.encodeResponse(status: created ? .created : .ok, for: req)
    }

    struct Recorded: Sendable {
        var log: PracticeService.Log
        var created: Bool
    }

    func logsAPI(req: Request) async throws -> Paginated<PracticeService.Log> {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.practiceHistory, patientID: id, resource: Self.resource(id) + "/logs")
        let page = try ExerciseRoutes.page(req, maxPer: ListPage.maxPer)
        let (items, total) = try await PracticeService(ctx: ctx).logs(patient, page: page)
        return Paginated(items: items, page: page, total: total)
    }

    static func weeks(_ req: Request) throws -> Int {
        // Given at all (even twice, or empty), it must be one whole number of weeks.
        let given = req.url.query?.split(separator: "&").count { $0 == "weeks" || $0.hasPrefix("weeks=") } ?? 0
        guard given > 0 else { return 4 }
        guard given == 1, let raw = try? req.query.get(String.self, at: "weeks"), let n = Int(raw), (1...52).contains(n) else {
            throw DomainError.invalid("weeks-invalid", "weeks is 1 to 52.")
        }
        return n
    }

    func adherenceAPI(req: Request) async throws -> PracticeService.Adherence {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.practiceHistory, patientID: id, resource: Self.resource(id) + "/adherence")
        let weeks = try Self.weeks(req)
        return try await PracticeService(ctx: ctx).adherence(patient, weeks: weeks)
    }

    func alertsAPI(req: Request) async throws -> [PracticeService.Alert] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.practiceHistory, patientID: id, resource: Self.resource(id) + "/alerts",
                                                   also: [.practiceAlertAcknowledge])
        try await ctx.gate.require(.viewClinical, of: patient, resource: Self.resource(id) + "/alerts")
        let open = (try? req.query.get(String.self, at: "open")) != "false"
        return try await PracticeService(ctx: ctx).alerts(patient, openOnly: open)
    }

    func acknowledgeAPI(req: Request) async throws -> HTTPStatus {
        let id = try req.uuidParameter("patientID")
        let alertID = try req.uuidParameter("alertID")
        _ = try await req.context.gate.change(.practiceAlertAcknowledge, patientID: id, resource: Self.resource(id) + "/alerts/\(alertID)") { patient, tx in
            try await PracticeService(ctx: tx).acknowledge(patient, alertID: alertID)
            return alertID
        }
        return .noContent
    }

    // MARK: The practice page: today, adherence, recent logs, alerts

    struct TodayRow: Encodable {
        var name: String
        var dose: String
        var status: String
        var done: Bool
        var rounds: String
    }

    struct WeekRow: Encodable {
        var label: String
        var done: Int
        var due: Int
        var percent: String
        var width: Int
    }

    struct LogRow: Encodable {
        var when: String
        var name: String
        var outcome: String
        var pain: String
        var effort: String
        var note: String
        var alert: Bool
    }

    struct AlertRow: Encodable {
        var name: String
        var pain: Int
        var day: String
        var note: String
        var action: String
    }

    struct PageContext: Encodable {
        var patientId: String
        var patientName: String
        var hasPlan: Bool
        var today: String
        var status: String
        var sessions: Int
        var sessionsDone: Int
        var items: [TodayRow]
        var weeks: [WeekRow]
        var streak: Int
        var lastPractised: String
        var logs: [LogRow]
        var alerts: [AlertRow]
        var mayPractise: Bool
        var mayAcknowledge: Bool
        var playerLink: String
        var planLink: String
    }

    static func pain(_ log: PracticeService.Log) -> String {
        let parts = [("before", log.painBefore), ("during", log.painDuring), ("after", log.painAfter)].compactMap { name, v in
            v.map { "\(name) \($0)" }
        }
        return parts.isEmpty ? "" : parts.joined(separator: ", ") + " /10"
    }

    /// What motion tracking said about one log, in words: "Camera counted 10 (2 partial), form 80/100, form tired".
    static func tracked(_ m: PracticeService.MotionOut?) -> String? {
        guard let m else { return nil }
        var parts = ["\(m.source == .camera ? "Camera" : "Sensor") counted \(m.repsCounted)" + (m.partialReps > 0 ? " (\(m.partialReps) partial)" : "")]
        if let score = m.formScore { parts.append("form \(score)/100") }
        if m.formDeclined { parts.append("form tired towards the end") }
        if m.fellShort { parts.append("fewer than planned, with hard effort") }
        return parts.joined(separator: ", ") + "."
    }

    func page(req: Request) async throws -> Response {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.practiceToday, patientID: id, resource: Self.resource(id),
                                                   also: [.practiceHistory, .practiceAlertAcknowledge])
        let service = PracticeService(ctx: ctx)
        let today = try await service.today(patient)
        let adherence = try await service.adherence(patient, weeks: 4)
        let logs = try await service.logs(patient, page: try ListPage(per: 20)).items
        let alerts = patient.may(.viewClinical) ? try await service.alerts(patient, openOnly: true) : []
        let time = DateFormatter()
        time.locale = Locale(identifier: "en_US_POSIX")
        time.timeZone = patient.timeZone.timeZone
        time.dateFormat = "EEE d MMM, HH:mm"
        let context = PageContext(
            patientId: id.uuidString, patientName: patient.name, hasPlan: today.planId != nil, today: today.day.longName,
            status: today.status.displayName, sessions: today.sessions, sessionsDone: today.sessionsDone,
            items: today.items.map { TodayRow(name: $0.name, dose: $0.doseSummary, status: $0.status.displayName, done: $0.status == .done,
                                              rounds: $0.rounds > 1 ? "\($0.logged) of \($0.rounds) times" : "") },
            weeks: adherence.weeks.reversed().map { w in
                let rate = w.rate.map { Int(($0 * 100).rounded()) }
                return WeekRow(label: w.start == today.day.weekStart ? "This week" : "Week of \(w.start.longName)", done: w.sessionsDone,
                               due: w.sessions, percent: rate.map { "\($0)%" } ?? "Nothing due", width: rate ?? 0)
            },
            streak: adherence.streak,
            lastPractised: adherence.lastPractised.map { $0 == today.day ? "today" : $0.longName } ?? "not yet",
            logs: logs.map { LogRow(when: time.string(from: $0.performedAt), name: $0.exerciseName, outcome: $0.outcome.displayName,
                                    pain: Self.pain($0), effort: $0.effort.map { "\($0)/10" } ?? "",
                                    note: [Self.tracked($0.motion), $0.note].compactMap { $0 }.joined(separator: " "), alert: $0.alert) },
            alerts: alerts.map { AlertRow(name: $0.exerciseName, pain: $0.pain, day: (try? CalendarDay($0.day).longName) ?? $0.day,
                                          note: $0.note ?? "", action: Paths.practiceAlertAcknowledge(id, $0.id)) },
            mayPractise: patient.may(.logPractice), mayAcknowledge: patient.may(.writeClinical),
            playerLink: Paths.player(id), planLink: Paths.plan(id))
        return try await WebPage.render(req, "practice", title: "Practice", context, notice: WebPage.notice(req, [
            "acknowledged": "The alert was marked as seen.",
        ]))
    }

    func acknowledge(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let alertID = try req.uuidParameter("alertID")
        _ = try await req.context.gate.change(.practiceAlertAcknowledge, patientID: id, resource: Self.resource(id) + "/alerts/\(alertID)") { patient, tx in
            try await PracticeService(ctx: tx).acknowledge(patient, alertID: alertID)
            return alertID
        }
        return WebPage.seeOther(Paths.practice(id, query: ["notice": "acknowledged"]))
    }

    // MARK: The player

    /// Everything the player needs to run today's session offline, once the page has loaded.
    struct PlayerData: Encodable {
        struct Step: Encodable {
            var itemId: String
            var exerciseId: String
            var name: String
            var block: String
            var dose: Dose
            var doseSummary: String
            var instructions: [String]
            var cues: [String]
            var safety: [String]
            var notes: String?
            var logged: Int
            var rounds: Int
            var drawing: FigureDrawing?
            /// The tracked exercise the camera can count, when there is one.
            var motionSpec: String?
        }

        var patientId: String
        var day: String
        var session: Int
        var sessions: Int
        var logURL: String
        var csrf: String
        var steps: [Step]
        var practiceURL: String
        /// Pain during above this stops the exercise (the clinic's rules, `InSession.afterPain`).
        var painLimit: Double
        /// Camera counting: where the pose model is (nil: not set up) and the counting socket.
        var poseModel: String?
        var motionSocket: String
    }

    func player(req: Request) async throws -> Response {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.practiceToday, patientID: id, resource: Self.resource(id) + "/player", also: [.planRead])
        try await ctx.gate.require(.logPractice, of: patient, resource: Self.resource(id) + "/player")
        let service = PracticeService(ctx: ctx)
        let today = try await service.today(patient)
        let plans = PlanService(ctx: ctx)
        let exercises = try await plans.exercises(for: patient)
        let notes = try await plans.active(patient).map { Dictionary(uniqueKeysWithValues: $0.content.items.map { ($0.id, $0.notes) }) } ?? [:]
        let session = today.nextSession ?? max(today.sessions, 1)
        // The session's exercises not yet done in it (a session left half-way resumes).
        let steps = today.items.filter { $0.rounds >= session && $0.logged < session }.compactMap { t -> PlayerData.Step? in
            guard let e = exercises(t.exerciseId) else { return nil }
            return PlayerData.Step(itemId: t.itemId, exerciseId: e.id, name: e.name, block: t.block.displayName, dose: t.dose,
                                   doseSummary: t.doseSummary, instructions: e.instructions, cues: e.cues, safety: e.safety,
                                   notes: notes[t.itemId] ?? nil, logged: t.logged, rounds: t.rounds, drawing: FigureDrawing(e),
                                   motionSpec: e.motionSpec.flatMap { MotionSpecs.spec($0) }.flatMap { $0.kind == .repetitions ? $0.id : nil })
        }
        let data = PlayerData(patientId: id.uuidString, day: today.day.description, session: session, sessions: today.sessions,
                              logURL: Paths.practiceLogs(id), csrf: req.csrfToken, steps: steps, practiceURL: Paths.practice(id),
                              painLimit: try await ClinicRulesService(ctx: ctx).rules(clinicID: patient.clinicID).rules.painDuringMax,
                              poseModel: ctx.config.poseModelURL, motionSocket: Paths.motionLive(query: ["patient": id.uuidString]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(data), as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
        struct Context: Encodable {
            var patientName: String
            var isSelf: Bool
            var today: String
            var hasSteps: Bool
            var allDone: Bool
            var count: Int
            var data: String
            var script: String
            var back: String
            var demoScript: String
        }
        let page = try await WebPage.render(req, "player", title: "Today's exercises", Context(
            patientName: patient.name, isSelf: ctx.user?.patientID == id, today: today.day.longName, hasSteps: !steps.isEmpty,
            allDone: today.sessions > 0 && today.nextSession == nil, count: steps.count, data: json, script: Paths.playerScript,
            back: Paths.practice(id), demoScript: Paths.demoScript))
        WebPage.allowPoseModel(page, from: ctx.config.poseModelURL)
        return page
    }
}
