import Vapor
import Fluent
import GonioCore

/// Outcome measures on the web: the list with results and change, the therapist's assign form,
/// and one page per administration that works on a phone.
struct MeasurePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let measures = routes.grouped("patients", ":patientID", "measures")
        measures.get(use: list)
        measures.post(use: assign)
        measures.get(":assignmentID", use: form)
        measures.post(":assignmentID", use: complete)
    }

    typealias Option = WebController.Option

    struct Row: Encodable {
        var id: String
        var name: String
        var schedule: String
        var due: Bool
        var canComplete: Bool
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
        var library: [Option]
    }

    static func format(_ v: Double) -> String {
        let rounded = (v * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    func renderList(_ req: Request, patientID: UUID, notice: String? = nil, error: String? = nil,
                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let views = try await MeasureService(req: req).list(patientID: patientID)
        let may = try await req.patientAccess.capabilities(patientID: patientID)
        let rows = views.map { v in
            let latest = v.results.last
            let schedule = v.schedule == "every-weeks" ? "Every \(v.intervalWeeks ?? 0) weeks" : (v.schedule == "once" ? "Once" : "At discharge")
            let mayDo = v.kind == "performance" ? may.writeClinical : may.completeForms
            var change = ""
            if let c = v.changeSinceFirst {
                change = "\(c.improvement >= 0 ? "Better" : "Worse") by \(Self.format(abs(c.difference))) since the first (\(v.results.count) results)"
            }
            return Row(id: v.id.uuidString, name: v.name, schedule: schedule, due: v.due, canComplete: v.due && mayDo,
                       latest: latest.map { Self.format($0.score) } ?? "", interpretation: latest?.interpretation ?? "",
                       count: v.results.count, change: change, meaningful: v.changeSinceFirst?.meaningful ?? false)
        }
        let context = ListContext(
            patientId: patientID.uuidString, patientName: may.patientName, rows: rows, canAssign: may.writeClinical,
            library: MeasureLibrary.all.map { Option(value: $0.code, label: $0.name, selected: false) })
        return try await WebPage.render(req, "measures", title: "Outcome measures", context, notice: notice, error: error, status: status)
    }

    func list(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let notice = (try? req.query.get(String.self, at: "notice")).flatMap {
            ["assigned": "The measure was assigned.", "completed": "Thank you. Your answers were saved."][$0]
        }
        return try await renderList(req, patientID: id, notice: notice)
    }

    struct AssignForm: Content {
        var code: String?
        var schedule: String?
        var intervalWeeks: String?
    }

    func assign(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        _ = try req.requireUser()
        let form = try req.content.decode(AssignForm.self)
        return try await WebPage.submitting({
            let weeks = form.intervalWeeks.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            _ = try await MeasureService(req: req).assign(patientID: id, code: form.code ?? "", schedule: form.schedule ?? "", intervalWeeks: weeks)
            return Response(status: .seeOther, headers: ["Location": "/patients/\(id)/measures?notice=assigned"])
        }, orShow: { message, status in try await renderList(req, patientID: id, error: message, status: status) })
    }

    struct ItemRow: Encodable {
        var index: Int
        var text: String
        var options: [Option]
    }

    struct FormContext: Encodable {
        var patientId: String
        var assignmentId: String
        var name: String
        var performance: Bool
        var activities: Bool
        var unit: String
        var items: [ItemRow]
        var note: String
    }

    func renderForm(_ req: Request, patientID: UUID, assignmentID: UUID, answers: [Double?] = [], error: String? = nil,
                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let views = try await MeasureService(req: req).list(patientID: patientID)
        guard let view = views.first(where: { $0.id == assignmentID }), let measure = MeasureLibrary.measure(code: view.code) else {
            throw DomainError.notFound("measure-not-found", "No such measure for this patient.")
        }
        let items = measure.items.enumerated().map { index, item in
            ItemRow(index: index, text: item.text, options: item.options.map { o in
                Option(value: String(o.value), label: o.label,
                       selected: answers.indices.contains(index) && answers[index].map { Int($0) == o.value } == true)
            })
        }
        let context = FormContext(
            patientId: patientID.uuidString, assignmentId: assignmentID.uuidString, name: measure.name,
            performance: measure.kind == .performance, activities: measure.code == "psfs", unit: measure.items.first?.text ?? "",
            items: items, note: measure.scaleNote)
        return try await WebPage.render(req, "measure-form", title: measure.name, context, error: error, status: status)
    }

    func form(req: Request) async throws -> Response {
        try await renderForm(req, patientID: req.uuidParameter("patientID"), assignmentID: req.uuidParameter("assignmentID"))
    }

    func complete(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let assignmentID = try req.uuidParameter("assignmentID")
        _ = try req.requireUser()
        // Answers arrive as item-0, item-1, ...; a missing key is an unanswered item.
        let fields = (try? req.content.decode([String: String].self)) ?? [:]
        let count = fields.keys.compactMap { $0.hasPrefix("item-") ? Int($0.dropFirst(5)) : nil }.max().map { $0 + 1 } ?? 0
        var answers: [Double?] = []
        do {
            let views = try await MeasureService(req: req).list(patientID: id)
            guard let view = views.first(where: { $0.id == assignmentID }), let measure = MeasureLibrary.measure(code: view.code) else {
                throw DomainError.notFound("measure-not-found", "No such measure for this patient.")
            }
            let slots = measure.code == "psfs" ? max(count, 1) : measure.items.count
            answers = try (0..<slots).map { i -> Double? in
                let raw = fields["item-\(i)"]?.trimmingCharacters(in: .whitespaces) ?? ""
                if raw.isEmpty { return nil }
                guard let v = Double(raw) else { throw DomainError.invalid("answer-invalid", "Answer \(i + 1) must be a number.") }
                return v
            }
            if measure.code == "psfs" { answers = answers.filter { $0 != nil } }
            _ = try await MeasureService(req: req).complete(patientID: id, assignmentID: assignmentID, answers: answers)
            return Response(status: .seeOther, headers: ["Location": "/patients/\(id)/measures?notice=completed"])
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await renderForm(req, patientID: id, assignmentID: assignmentID, answers: answers, error: error.message,
                                        status: HTTPResponseStatus(domain: error))
        }
    }
}
