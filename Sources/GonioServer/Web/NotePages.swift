import Vapor
import Fluent
import GonioCore

/// Clinical notes on the web: everyone who may see the clinical record reads them; care-team
/// therapists write follow-up notes in free text, sign them, and add addenda. Structured
/// evaluations and discharge summaries have their own editor (EvaluationPages).
struct NotePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let notes = routes.grouped("patients", ":patientID", "notes")
        notes.get(use: list)
        notes.post(use: create)
        notes.post(":noteID", "sign", use: sign)
        notes.post(":noteID", "addenda", use: addendum)
    }

    struct Line: Encodable {
        var label: String
        var value: String
    }

    struct NoteRow: Encodable {
        var id: String
        var title: String
        var status: String
        var signed: Bool
        var canSign: Bool
        var author: String
        var date: String
        var sections: [Line]
        var addenda: [Line]
    }

    struct Context: Encodable {
        var patientId: String
        var patientName: String
        var notes: [NoteRow]
        var canWrite: Bool
        var subjective: String
    }

    static func lines(_ v: NoteService.View) -> [Line] {
        let b = v.body
        var out: [Line] = []
        func add(_ label: String, _ value: String?) {
            if let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.append(Line(label: label, value: value)) }
        }
        add("Subjective", b.subjective)
        add("Range of motion", b.objective.rom.map { m in
            let normal = NormalRanges.normal(joint: m.joint, motion: m.motion).map { " (normal \(Int($0.lowerBound))–\(Int($0.upperBound))°)" } ?? ""
            return "\(m.joint) \(m.motion)\(m.side == .notApplicable ? "" : " \(m.side.rawValue)"): \(MeasurePages.format(m.degrees))°\(normal)"
        }.joined(separator: "; "))
        add("Strength (MMT)", b.objective.strength.map { "\($0.muscleGroup)\($0.side == .notApplicable ? "" : " \($0.side.rawValue)"): \($0.grade)/5" }.joined(separator: "; "))
        add("Special tests", b.objective.specialTests.map { "\($0.name): \($0.result.rawValue)" }.joined(separator: "; "))
        add("Measures administered", b.objective.measures.compactMap { MeasureLibrary.measure(code: $0)?.name }.joined(separator: ", "))
        add("Objective findings", b.objective.findings)
        add("Diagnosis", b.assessment.diagnosis)
        add("Impairments", b.assessment.impairments.joined(separator: "; "))
        if let c = b.assessment.complexity { add("Evaluation complexity", "\(c.rawValue.capitalized) (CPT \(c.cptCode)). \(b.assessment.reasoning ?? "")") }
        if let f = b.plan.frequencyPerWeek, let d = b.plan.durationWeeks { add("Plan", "\(f) visits a week for \(d) weeks. \(b.plan.interventions ?? "")") }
        else { add("Plan", b.plan.interventions) }
        add("Goals", b.plan.goals.map { "\($0.term == .short ? "Short-term" : "Long-term"): \($0.text) by \($0.targetDate) (\($0.status.rawValue.replacingOccurrences(of: "-", with: " ")))" }.joined(separator: "; "))
        if let outcomes = v.outcomes, !outcomes.isEmpty {
            add("Outcome change", outcomes.map { "\($0.name): \(MeasurePages.format($0.first)) → \(MeasurePages.format($0.last))\($0.meaningful ? " (meaningful change)" : "")" }.joined(separator: "; "))
        }
        if let g = v.goals { add("Goals met", "\(g.met) met, \(g.partiallyMet) partly met, \(g.notMet) not met") }
        return out
    }

    func render(_ req: Request, patientID: UUID, notice: String? = nil, error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let views = try await NoteService(req: req).list(patientID: patientID)
        let user = try req.requireUser()
        let may = try await req.patientAccess.capabilities(patientID: patientID)
        let day = Dashboards.dayFormat
        let rows = views.reversed().map { v in
            NoteRow(id: v.id.uuidString, title: NoteKind(rawValue: v.kind)?.displayName ?? v.kind, status: v.status,
                    signed: v.status == "signed", canSign: v.status == "draft" && v.authorId == user.userID,
                    author: v.authorName, date: day.string(from: v.signedAt ?? v.updatedAt), sections: Self.lines(v),
                    addenda: v.addenda.map { Line(label: "\($0.authorName), \(day.string(from: $0.createdAt))", value: $0.text) })
        }
        var subjective = ""
        if may.writeClinical { subjective = (try? await NoteService(req: req).template(patientID: patientID, kind: NoteKind.followUp.rawValue))?.subjective ?? "" }
        let context = Context(patientId: patientID.uuidString, patientName: may.patientName, notes: Array(rows), canWrite: may.writeClinical, subjective: subjective)
        return try await WebPage.render(req, "notes", title: "Clinical notes", context, notice: notice, error: error, status: status)
    }

    /// Runs an action that answers with a notice code, then shows the notes; a refusal shows them with the message.
    func submitting(_ req: Request, patientID: UUID, _ action: () async throws -> String) async throws -> Response {
        try await WebPage.submitting({
            let notice = try await action()
            return Response(status: .seeOther, headers: ["Location": "/patients/\(patientID)/notes?notice=\(notice)"])
        }, orShow: { message, status in try await render(req, patientID: patientID, error: message, status: status) })
    }

    func list(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let notice = (try? req.query.get(String.self, at: "notice")).flatMap {
            ["saved": "The note was saved as a draft.", "signed": "The note was signed.", "addendum": "The addendum was added."][$0]
        }
        return try await render(req, patientID: id, notice: notice)
    }

    struct NoteForm: Content {
        var subjective: String?
        var findings: String?
        var assessment: String?
        var plan: String?
        var action: String?
    }

    func create(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        _ = try req.requireUser()
        let form = try req.content.decode(NoteForm.self)
        var body = SOAPNote()
        body.subjective = form.subjective
        body.objective.findings = form.findings
        body.assessment.diagnosis = form.assessment
        body.plan.interventions = form.plan
        return try await submitting(req, patientID: id) {
            let service = NoteService(req: req)
            let note = try await service.create(patientID: id, kind: NoteKind.followUp.rawValue, body: body)
            guard form.action == "sign" else { return "saved" }
            _ = try await service.sign(patientID: id, noteID: note.id)
            return "signed"
        }
    }

    func sign(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID"), noteID = try req.uuidParameter("noteID")
        _ = try req.requireUser()
        return try await submitting(req, patientID: id) {
            _ = try await NoteService(req: req).sign(patientID: id, noteID: noteID)
            return "signed"
        }
    }

    struct AddendumForm: Content { var text: String? }

    func addendum(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID"), noteID = try req.uuidParameter("noteID")
        _ = try req.requireUser()
        let form = try req.content.decode(AddendumForm.self)
        return try await submitting(req, patientID: id) {
            _ = try await NoteService(req: req).addAddendum(patientID: id, noteID: noteID, text: form.text ?? "")
            return "addendum"
        }
    }
}
