import Vapor
import Fluent
import GonioCore

/// Outcome measures: the library and scoring (no patient data), and one patient's assigned
/// measures as JSON and as pages (the list with results and change, the therapist's assign form,
/// and one page per administration that works on a phone).
struct MeasureRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.openAPI.get(Paths.API.measureLibrary, use: library)
        routes.openAPI.post(Paths.API.measureScore, use: score)
        routes.api.get(Paths.API.measures, use: listAPI)
        routes.api.post(Paths.API.measures, use: assignAPI)
        routes.api.post(Paths.API.measureResponses, use: completeAPI)

        routes.web.get(Paths.measures, use: list)
        routes.web.post(Paths.measures, use: assign)
        routes.web.get(Paths.measure, use: form)
        routes.web.post(Paths.measure, use: complete)
    }

    static func resource(_ id: UUID) -> String { "patient/\(id)/measures" }

    // MARK: Library and scoring (pure computation on the caller's numbers)

    func library(req: Request) async throws -> Response {
        let body = try ClinicalOutput.json(MeasureLibrary.all.map(ClinicalOutput.MeasureOut.init))
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(string: body))
    }

    struct ScoreRequest: Content {
        /// One value per item in item order; null = unanswered. PSFS takes 1 to 5 activity ratings.
        var answers: [Double?]
    }

    func score(req: Request) async throws -> MeasureScore {
        let code = req.parameters.get("code") ?? ""
        guard let measure = MeasureLibrary.measure(code: code) else {
            throw DomainError.notFound("measure-not-found", "No measure with that code; GET /api/v1/measures lists them.")
        }
        return try MeasureScoring.score(measure, values: try req.content.decode(ScoreRequest.self).answers)
    }

    // MARK: A patient's measures (API)

    func listAPI(req: Request) async throws -> [MeasureService.AssignmentView] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.measureList, patientID: id, resource: Self.resource(id))
        return try await MeasureService(ctx: ctx).views(patient)
    }

    struct Assignment: Content {
        var code: String
        var schedule: String
        var intervalWeeks: Int?
    }

    func assignAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let view = try await req.context.gate.change(.measureAssign, patientID: id, resource: Self.resource(id)) { patient, tx in
            let body = try req.content.decode(Assignment.self)
            return try await MeasureService(ctx: tx).assign(patient, code: body.code, schedule: body.schedule, intervalWeeks: body.intervalWeeks)
        }
        return try await view.encodeResponse(status: .created, for: req)
    }

    func completeAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let assignmentID = try req.uuidParameter("assignmentID")
        let view = try await req.context.gate.change(.measureComplete, patientID: id, resource: Self.resource(id) + "/\(assignmentID)") { patient, tx in
            let body = try req.content.decode(ScoreRequest.self)
            return try await MeasureService(ctx: tx).complete(patient, assignmentID: assignmentID, answers: body.answers)
        }
        return try await view.encodeResponse(status: .created, for: req)
    }

    // MARK: Pages

    struct Row: Encodable {
        var id: String
        var name: String
        var schedule: String
        var due: Bool
        var canComplete: Bool
        var formLink: String
        var latest: String
        var interpretation: String
        var count: Int
        var change: String
        var meaningful: Bool
    }

    struct ListContext: Encodable {
        var patientId: String
        var patientName: String
        var rows: [Row]
        var canAssign: Bool
        var assignAction: String
        var library: [Choice]
    }

    static func format(_ v: Double) -> String {
        let rounded = (v * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    func renderList(_ req: Request, patientID: UUID, notice: String? = nil, error: String? = nil,
                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = req.context
        let patient = try await ctx.gate.authorize(.measureList, patientID: patientID, resource: Self.resource(patientID))
        let views = try await MeasureService(ctx: ctx).views(patient)
        let rows = views.map { v in
            let latest = v.results.last
            let schedule = (try? MeasureSchedule(kind: v.schedule, weeks: v.intervalWeeks))?.displayName ?? v.schedule
            let action = MeasureLibrary.measure(code: v.code).map(MeasureService.action(for:)) ?? .writeClinical
            var change = ""
            if let c = v.changeSinceFirst {
                change = "\(c.improvement >= 0 ? "Better" : "Worse") by \(Self.format(abs(c.difference))) since the first (\(v.results.count) results)"
            }
            return Row(id: v.id.uuidString, name: v.name, schedule: schedule, due: v.due, canComplete: v.due && patient.may(action),
                       formLink: Paths.measure(patientID, v.id),
                       latest: latest.map { Self.format($0.score) } ?? "", interpretation: latest?.interpretation ?? "",
                       count: v.results.count, change: change, meaningful: v.changeSinceFirst?.meaningful ?? false)
        }
        let context = ListContext(
            patientId: patientID.uuidString, patientName: patient.name, rows: rows, canAssign: patient.may(.writeClinical),
            assignAction: Paths.measures(patientID),
            library: MeasureLibrary.all.map { Choice(value: $0.code, label: $0.name, selected: false) })
        return try await WebPage.render(req, "measures", title: "Outcome measures", context, notice: notice, error: error, status: status)
    }

    func list(req: Request) async throws -> Response {
        try await renderList(req, patientID: req.uuidParameter("patientID"), notice: WebPage.notice(req, [
            "assigned": "The measure was assigned.", "completed": "Thank you. Your answers were saved.",
        ]))
    }

    struct AssignForm: Content {
        var code: String?
        var schedule: String?
        var intervalWeeks: String?
    }

    func assign(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        return try await WebPage.submitting({
            _ = try await req.context.gate.change(.measureAssign, patientID: id, resource: Self.resource(id)) { patient, tx in
                let form = try req.form(AssignForm.self)
                let weeks = form.intervalWeeks.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                return try await MeasureService(ctx: tx).assign(patient, code: form.code ?? "", schedule: form.schedule ?? "", intervalWeeks: weeks).id
            }
            return WebPage.seeOther(Paths.measures(id, query: ["notice": "assigned"]))
        }, orShow: { message, status in try await renderList(req, patientID: id, error: message, status: status) })
    }

    struct ItemRow: Encodable {
        var index: Int
        var text: String
        var options: [Choice]
    }

    struct FormContext: Encodable {
        var patientId: String
        var assignmentId: String
        var action: String
        var back: String
        var name: String
        var performance: Bool
        var activities: Bool
        var unit: String
        var items: [ItemRow]
        var note: String
    }

    /// The form for one administration: shown to whoever may complete it (a caregiver who logs
    /// practice included), exactly as the API lets them complete it.
    func renderForm(_ req: Request, patientID: UUID, assignmentID: UUID, answers: [Double?] = [], error: String? = nil,
                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = req.context
        let resource = Self.resource(patientID) + "/\(assignmentID)"
        let patient = try await ctx.gate.authorize(.measureList, patientID: patientID, resource: resource)
        let (_, measure) = try await MeasureService(ctx: ctx).assignment(patient, id: assignmentID)
        try await ctx.gate.require(MeasureService.action(for: measure), of: patient, resource: resource)
        let items = measure.items.enumerated().map { index, item in
            ItemRow(index: index, text: item.text, options: item.options.map { o in
                Choice(value: String(o.value), label: o.label,
                       selected: answers.indices.contains(index) && answers[index].map { Int($0) == o.value } == true)
            })
        }
        let context = FormContext(
            patientId: patientID.uuidString, assignmentId: assignmentID.uuidString, action: Paths.measure(patientID, assignmentID),
            back: Paths.measures(patientID), name: measure.name,
            performance: measure.kind == .performance, activities: measure.code == "psfs", unit: measure.items.first?.text ?? "",
            items: items, note: measure.scaleNote)
        return try await WebPage.render(req, "measure-form", title: measure.name, context, error: error, status: status)
    }

    func form(req: Request) async throws -> Response {
        try await renderForm(req, patientID: req.uuidParameter("patientID"), assignmentID: req.uuidParameter("assignmentID"))
    }

    /// Answers arrive as item-0, item-1, ...; a missing key is an unanswered item.
    static func answers(_ fields: [String: String], for measure: OutcomeMeasure) throws -> [Double?] {
        let count = fields.keys.compactMap { $0.hasPrefix("item-") ? Int($0.dropFirst(5)) : nil }.filter { $0 < 100 }.max().map { $0 + 1 } ?? 0
        let slots = measure.code == "psfs" ? max(count, 1) : measure.items.count
        var answers = try (0..<slots).map { i -> Double? in
            let raw = fields["item-\(i)"]?.trimmingCharacters(in: .whitespaces) ?? ""
            if raw.isEmpty { return nil }
            guard let v = Double(raw) else { throw DomainError.invalid("answer-invalid", "Answer \(i + 1) must be a number.") }
            return v
        }
        if measure.code == "psfs" { answers = answers.filter { $0 != nil } }
        return answers
    }

    func complete(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let assignmentID = try req.uuidParameter("assignmentID")
        let ctx = req.context
        do {
            _ = try await ctx.gate.change(.measureComplete, patientID: id, resource: Self.resource(id) + "/\(assignmentID)") { patient, tx in
                let fields = try req.form([String: String].self)
                return try await MeasureService(ctx: tx).complete(patient, assignmentID: assignmentID) { try Self.answers(fields, for: $0) }.id
            }
            return WebPage.seeOther(Paths.measures(id, query: ["notice": "completed"]))
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            var typed: [Double?] = []
            if let fields = try? req.form([String: String].self) {
                typed = (0..<100).map { i in fields["item-\(i)"].flatMap { Double($0) } }
            }
            return try await renderForm(req, patientID: id, assignmentID: assignmentID, answers: typed, error: error.message,
                                        status: HTTPResponseStatus(domain: error))
        }
    }
}
