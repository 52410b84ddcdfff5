import Vapor
import Fluent
import GonioCore

/// Progress between visits: the progress page (plain for the patient, dense for the therapist)
/// with charts and tables, the daily check-in, the progression engine's suggestions the
/// therapist accepts, edits or dismisses, and alerts with the data behind them.
struct ProgressRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.progress, use: progressAPI)
        routes.api.get(Paths.API.checkins, use: checkInsAPI)
        routes.api.post(Paths.API.checkins, use: checkInAPI)
        routes.api.get(Paths.API.suggestions, use: suggestionsAPI)
        routes.api.post(Paths.API.suggestionAccept, use: acceptAPI)
        routes.api.post(Paths.API.suggestionDismiss, use: dismissAPI)
        routes.api.get(Paths.API.alerts, use: alertsAPI)
        routes.api.post(Paths.API.alertAcknowledge, use: acknowledgeAPI)
        routes.api.get(Paths.API.progressionRules, use: rulesAPI)
        routes.api.get(Paths.API.rom, use: romListAPI)
        routes.api.post(Paths.API.rom, use: romRecordAPI)
        routes.web.post(Paths.romPage, use: romPage)
        routes.api.get(Paths.API.clinicProgressionRules, use: clinicRulesAPI)
        routes.api.put(Paths.API.clinicProgressionRules, use: saveClinicRulesAPI)

        routes.web.get(Paths.progressPage, use: page)
        routes.web.post(Paths.checkInPage, use: checkInPage)
        routes.web.post(Paths.suggestionAcceptPage, use: acceptPage)
        routes.web.post(Paths.suggestionDismissPage, use: dismissPage)
        routes.web.post(Paths.alertAcknowledgePage, use: acknowledgePage)
    }

    static func resource(_ id: UUID) -> String { "patient/\(id)/progress" }

    // MARK: API

    func progressAPI(req: Request) async throws -> ProgressService.Progress {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.progressRead, patientID: id, resource: Self.resource(id))
        return try await ProgressService(ctx: ctx).progress(patient)
    }

    struct CheckInInput: Content {
        var day: CalendarDay?
        var morningPain: Int
        var answers: [String: Bool]?
        var note: String?
    }

    struct CheckInView: Content {
        var id: UUID
        var day: String
        var morningPain: Int
        var answers: [String: Bool]
        var note: String?
        var triage: TriageResult
        /// What the patient should do now, when an answer is a red flag.
        var advice: String?
        var recordedAt: Date
    }

    static func view(_ row: CheckInModel) -> CheckInView {
        let triage = row.checkIn.triage
        return CheckInView(id: row.id ?? UUID(), day: row.day, morningPain: row.morningPain, answers: row.answers.value, note: row.note,
                           triage: triage, advice: advice(triage.outcome), recordedAt: row.recordedAt)
    }

    static func advice(_ outcome: TriageOutcome) -> String? {
        switch outcome {
        case .clear: nil
        case .therapistReview: "Your therapist has been told and will look at this before your next session."
        case .urgentInPerson: "Please see a doctor today (your doctor, urgent care or a walk-in clinic). Your therapist has been told."
        case .emergency: "Call emergency services (911 in the US) or go to an emergency department now. Do not wait for your therapist."
        }
    }

    func checkInAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let view = try await req.context.gate.change(.checkinSave, patientID: id, resource: Self.resource(id) + "/checkins") { patient, tx in
            let input = try req.content.decode(CheckInInput.self)
            return Self.view(try await CheckInService(ctx: tx).save(patient, CheckIn(morningPain: input.morningPain, answers: input.answers ?? [:],
                                                                                    note: input.note), day: input.day))
        }
        return try await view.encodeResponse(status: .created, for: req)
    }

    struct RomView: Content {
        var id: UUID
        var motion: JointMotion
        var motionName: String
        var side: GoniometerMeasurement.Side
        var start: Double
        var end: Double
        var active: Bool
        var measuredOn: CalendarDay
        var note: String?
        /// The AAOS normal end of range, for orientation (not a goal).
        var normalEnd: Double
        var summary: String
        var recordedAt: Date

        init(_ row: RomMeasurementModel) {
            let m = row.measurement.value
            id = row.id ?? UUID()
            motion = m.motion
            motionName = m.motion.name
            side = m.side
            start = m.start
            end = m.end
            active = m.active
            measuredOn = m.measuredOn
            note = m.note
            normalEnd = m.motion.normalEnd
            summary = m.summary
            recordedAt = row.recordedAt
        }
    }

    func romRecordAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let view = try await req.context.gate.change(.romRecord, patientID: id, resource: Self.resource(id) + "/rom") { patient, tx in
            RomView(try await RomService(ctx: tx).record(patient, try req.content.decode(GoniometerMeasurement.self)))
        }
        return try await view.encodeResponse(status: .created, for: req)
    }

    func romListAPI(req: Request) async throws -> [RomView] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.romList, patientID: id, resource: Self.resource(id) + "/rom")
        return try await RomService(ctx: ctx).list(patient).map(RomView.init)
    }

    /// The therapist's progress page records a measurement from its form.
    func romPage(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        struct Form: Content {
            var motion: String?
            var side: String?
            var start: String?
            var end: String?
            var active: String?
            var measuredOn: String?
            var note: String?
        }
        do {
            _ = try await req.context.gate.change(.romRecord, patientID: id, resource: Self.resource(id) + "/rom") { patient, tx in
                let form = try req.content.decode(Form.self)
                guard let motion = form.motion.flatMap(JointMotion.init(rawValue:)) else {
                    throw DomainError.invalid("rom-invalid", "Choose the movement measured.")
                }
                guard let side = form.side.flatMap(GoniometerMeasurement.Side.init(rawValue:)) else {
                    throw DomainError.invalid("rom-invalid", "Choose the side measured.")
                }
                func degrees(_ text: String?, _ name: String, blank: Double?) throws -> Double {
                    let t = text?.trimmingCharacters(in: .whitespaces) ?? ""
                    if t.isEmpty, let blank { return blank }
                    guard let v = Double(t) else { throw DomainError.invalid("rom-invalid", "Give the \(name) of the range in degrees.") }
                    return v
                }
                let today = patient.day(at: tx.now)
                let day = try form.measuredOn.flatMap { $0.isEmpty ? nil : $0 }.map { text in
                    do { return try CalendarDay(text) } catch { throw DomainError.invalid("rom-invalid", "Give the day as YYYY-MM-DD.") }
                } ?? today
                let measurement = GoniometerMeasurement(motion: motion, side: side, start: try degrees(form.start, "start", blank: 0),
                                                        end: try degrees(form.end, "end", blank: nil), active: form.active != "passive",
                                                        measuredOn: day, note: form.note)
                return try await RomService(ctx: tx).record(patient, measurement).id
            }
        } catch let error as DomainError where error.kind == .invalid {
            return try await ProgressPage.render(req, message: error.message, status: .unprocessableEntity)
        }
        return WebPage.seeOther(Paths.progressPage(id, query: ["notice": "rom-recorded"]))
    }

    func checkInsAPI(req: Request) async throws -> [CheckInView] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.checkinList, patientID: id, resource: Self.resource(id) + "/checkins")
        return try await CheckInService(ctx: ctx).list(patient, since: patient.day(at: ctx.now).adding(days: -ProgressService.days)).map(Self.view)
    }

    func suggestionsAPI(req: Request) async throws -> [ProgressionService.SuggestionView] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.suggestionList, patientID: id, resource: Self.resource(id) + "/suggestions")
        return try await ProgressionService(ctx: ctx).pending(patient)
    }

    /// The suggestion's patient, or 404 (an unknown id, or a malformed one).
    static func patientOf(_ req: Request) async throws -> (suggestionID: UUID, patientID: UUID) {
        let sid = try req.uuidParameter("suggestionID")
        guard let patientID = try await ProgressionService.patientID(ofSuggestion: sid, on: req.db) else {
            throw DomainError.notFound("suggestion-not-found", "No such suggestion.")
        }
        return (sid, patientID)
    }

    struct Accepted: Content {
        var suggestion: ProgressionService.SuggestionView
        var planVersion: Int
    }

    func acceptAPI(req: Request) async throws -> Accepted {
        let (sid, patientID) = try await Self.patientOf(req)
        return try await req.context.gate.change(.suggestionDecide, patientID: patientID, resource: "patient/\(patientID)/suggestions/\(sid)/accept") { patient, tx in
            let edit = req.body.data.map { $0.readableBytes > 0 } == true ? try req.content.decode(ProgressionService.Edit.self) : nil
            let (view, version) = try await ProgressionService(ctx: tx).accept(patient, suggestionID: sid, edit: edit)
            return Accepted(suggestion: view, planVersion: version)
        }
    }

    func dismissAPI(req: Request) async throws -> ProgressionService.SuggestionView {
        let (sid, patientID) = try await Self.patientOf(req)
        return try await req.context.gate.change(.suggestionDecide, patientID: patientID, resource: "patient/\(patientID)/suggestions/\(sid)/dismiss") { patient, tx in
            try await ProgressionService(ctx: tx).dismiss(patient, suggestionID: sid)
        }
    }

    func alertsAPI(req: Request) async throws -> [AlertService.AlertView] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let all: Bool
        let given = (req.url.query ?? "").split(separator: "&").contains { $0 == "all" || $0.hasPrefix("all=") }
        switch req.query[String.self, at: "all"] {
        case nil where !given, "false": all = false
        case "true": all = true
        default: throw DomainError.invalid("all-invalid", "all is true or false.")
        }
        let patient = try await ctx.gate.authorize(.alertList, patientID: id, resource: Self.resource(id) + "/alerts")
        return try await AlertService(ctx: ctx).list(patient, openOnly: !all)
    }

    func acknowledgeAPI(req: Request) async throws -> HTTPStatus {
        let id = try req.uuidParameter("patientID")
        let alertID = try req.uuidParameter("alertID")
        _ = try await req.context.gate.change(.alertAcknowledge, patientID: id, resource: Self.resource(id) + "/alerts/\(alertID)") { patient, tx in
            try await AlertService(ctx: tx).acknowledge(patient, alertID: alertID)
            return alertID
        }
        return .noContent
    }

    struct RulesView: Content {
        var progression: ProgressionRules
        var alerts: ProgressAlerts.Rules
        var sources: [String]
    }

    static let sources = [
        "Silbernagel et al., Am J Sports Med 2007;35:897 (pain-monitoring model)",
        "Ratamess et al., ACSM Position Stand, Med Sci Sports Exerc 2009;41:687 (load progression)",
        "Ostelo et al., Spine 2008;33:90 (NPRS clinically important change: 2 points)",
    ]

    /// The defaults every clinic starts from.
    func rulesAPI(req: Request) async throws -> RulesView {
        _ = try req.context.requireUser()
        return RulesView(progression: .defaults, alerts: AlertService.rules, sources: Self.sources)
    }

    struct ClinicRulesView: Content {
        var clinicId: UUID
        /// The version in force: 1 is the defaults; each save of the clinic's own adds one.
        var version: Int
        var isDefault: Bool
        var updatedAt: Date?
        var rules: ProgressionRules
        var sources: [String]

        init(_ c: ClinicRulesService.Current) {
            clinicId = c.clinicID
            version = c.rules.version
            isDefault = c.isDefault
            updatedAt = c.updatedAt
            rules = c.rules
            sources = ProgressRoutes.sources
        }
    }

    func clinicRulesAPI(req: Request) async throws -> ClinicRulesView {
        let id = try req.uuidParameter("clinicID")
        return ClinicRulesView(try await ClinicRulesService(ctx: req.context).visible(clinicID: id))
    }

    struct ClinicRulesInput: Content {
        /// The version the change was made from (409 `rules-changed` if another save came first).
        var baseVersion: Int
        /// Any threshold left out takes its default.
        var rules: ProgressionRules
    }

    func saveClinicRulesAPI(req: Request) async throws -> ClinicRulesView {
        let id = try req.uuidParameter("clinicID")
        let body = try req.content.decode(ClinicRulesInput.self)
        return ClinicRulesView(try await ClinicRulesService(ctx: req.context).save(clinicID: id, rules: body.rules, baseVersion: body.baseVersion))
    }

    // MARK: Pages

    func page(req: Request) async throws -> Response {
        try await ProgressPage.render(req, message: nil)
    }

    func checkInPage(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        struct Form: Content {
            var morningPain: Int?
            var note: String?
        }
        do {
            let outcome = try await req.context.gate.change(.checkinSave, patientID: id, resource: Self.resource(id) + "/checkins") { patient, tx in
                let form = try req.content.decode(Form.self)
                guard let pain = form.morningPain else { throw DomainError.invalid("pain-required", "Choose how much pain you had on waking, from 0 to 10.") }
                var answers: [String: Bool] = [:]
                for q in CheckIn.questionIDs { answers[q] = (try? req.content.get(String.self, at: "flag-\(q)")) == "yes" }
                return try await CheckInService(ctx: tx).save(patient, CheckIn(morningPain: pain, answers: answers, note: form.note), day: nil).checkIn.triage.outcome
            }
            return WebPage.seeOther(Paths.progressPage(id, query: ["notice": outcome == .clear ? "checked-in" : "checked-in-\(outcome.rawValue)"]))
        } catch let error as DomainError where error.kind == .invalid {
            return try await ProgressPage.render(req, message: error.message, status: .unprocessableEntity)
        }
    }

    func acceptPage(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let sid = try req.uuidParameter("suggestionID")
        struct Form: Content {
            var sets: Int?
            var reps: Int?
            var holdSeconds: Int?
            var load: String?
        }
        do {
            _ = try await req.context.gate.change(.suggestionDecide, patientID: id, resource: "patient/\(id)/suggestions/\(sid)/accept") { patient, tx in
                let form = try req.content.decode(Form.self)
                let edit = ProgressionService.Edit(sets: form.sets, reps: form.reps, holdSeconds: form.holdSeconds, load: form.load, useVariant: nil)
                return try await ProgressionService(ctx: tx).accept(patient, suggestionID: sid, edit: edit).planVersion
            }
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await ProgressPage.render(req, message: error.message, status: HTTPResponseStatus(domain: error))
        }
        return WebPage.seeOther(Paths.progressPage(id, query: ["notice": "accepted"]))
    }

    func dismissPage(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let sid = try req.uuidParameter("suggestionID")
        do {
            _ = try await req.context.gate.change(.suggestionDecide, patientID: id, resource: "patient/\(id)/suggestions/\(sid)/dismiss") { patient, tx in
                try await ProgressionService(ctx: tx).dismiss(patient, suggestionID: sid).id
            }
        } catch let error as DomainError where error.kind == .conflict {
            return try await ProgressPage.render(req, message: error.message, status: .conflict)
        }
        return WebPage.seeOther(Paths.progressPage(id, query: ["notice": "dismissed"]))
    }

    func acknowledgePage(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let alertID = try req.uuidParameter("alertID")
        _ = try await req.context.gate.change(.alertAcknowledge, patientID: id, resource: Self.resource(id) + "/alerts/\(alertID)") { patient, tx in
            try await AlertService(ctx: tx).acknowledge(patient, alertID: alertID)
            return alertID
        }
        return WebPage.seeOther(Paths.progressPage(id, query: ["notice": "acknowledged"]))
    }
}
