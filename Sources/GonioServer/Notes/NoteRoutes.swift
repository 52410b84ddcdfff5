import Vapor
import Fluent
import GonioCore

/// Clinical notes as JSON (`/api/v1/patients/{id}/notes`, a page at a time) and as pages: the
/// notes list, the follow-up form, signing and addenda, and the structured editor for
/// evaluations and discharge summaries. Every handler asks the gate before it reads a form.
struct NoteRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.notes, use: listAPI)
        routes.api.get(Paths.API.noteTemplate, use: templateAPI)
        routes.api.post(Paths.API.notes, use: createAPI)
        routes.api.get(Paths.API.note, use: getAPI)
        routes.api.put(Paths.API.note, use: updateAPI)
        routes.api.post(Paths.API.noteSign, use: signAPI)
        routes.api.post(Paths.API.noteAddenda, use: addendumAPI)

        routes.web.get(Paths.notes, use: list)
        routes.web.post(Paths.notes, use: create)
        routes.web.post(Paths.noteSign, use: sign)
        routes.web.post(Paths.noteAddenda, use: addendum)
        routes.web.get(Paths.noteNew, use: newEvaluation)
        routes.web.post(Paths.noteNew, use: createEvaluation)
        routes.web.get(Paths.noteEdit, use: editEvaluation)
        routes.web.post(Paths.noteEdit, use: updateEvaluation)
    }

    static func resource(_ id: UUID, _ rest: String = "") -> String { "patient/\(id)/notes" + rest }

    // MARK: API

    func listAPI(req: Request) async throws -> Paginated<NoteService.View> {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let (page, _) = try req.listRequest()
        let patient = try await ctx.gate.authorize(.noteList, patientID: id, resource: Self.resource(id))
        let (views, total) = try await NoteService(ctx: ctx).page(patient, page)
        return Paginated(items: views, page: page, total: total)
    }

    struct KindQuery: Content { var kind: String? }

    func templateAPI(req: Request) async throws -> SOAPNote {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.noteTemplate, patientID: id, resource: Self.resource(id, "/template"))
        let kind = try NoteService.kind(try req.query.decode(KindQuery.self).kind ?? NoteKind.initialEvaluation.rawValue)
        return try await NoteService(ctx: ctx).template(patient, kind: kind)
    }

    struct NewNote: Content {
        var kind: String
        var body: SOAPNote
        /// The visit the note records (one of the author's visits with this patient).
        var visitId: UUID?
    }

    func createAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let view = try await req.context.gate.change(.noteCreate, patientID: id, resource: Self.resource(id)) { patient, tx in
            let input = try req.content.decode(NewNote.self)
            return try await NoteService(ctx: tx).create(patient, kind: try NoteService.kind(input.kind), body: input.body, visitID: input.visitId)
        }
        return try await view.encodeResponse(status: .created, for: req)
    }

    func getAPI(req: Request) async throws -> NoteService.View {
        let ctx = req.context
        let id = try req.uuidParameter("patientID"), noteID = try req.uuidParameter("noteID")
        let patient = try await ctx.gate.authorize(.noteRead, patientID: id, resource: Self.resource(id, "/\(noteID)"))
        return try await NoteService(ctx: ctx).get(patient, noteID: noteID)
    }

    struct Update: Content { var body: SOAPNote }

    func updateAPI(req: Request) async throws -> NoteService.View {
        let id = try req.uuidParameter("patientID"), noteID = try req.uuidParameter("noteID")
        return try await req.context.gate.change(.noteUpdate, patientID: id, resource: Self.resource(id, "/\(noteID)")) { patient, tx in
            try await NoteService(ctx: tx).update(patient, noteID: noteID, body: try req.content.decode(Update.self).body)
        }
    }

    func signAPI(req: Request) async throws -> NoteService.View {
        let id = try req.uuidParameter("patientID"), noteID = try req.uuidParameter("noteID")
        return try await req.context.gate.change(.noteSign, patientID: id, resource: Self.resource(id, "/\(noteID)")) { patient, tx in
            try await NoteService(ctx: tx).sign(patient, noteID: noteID)
        }
    }

    struct NewAddendum: Content { var text: String }

    func addendumAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID"), noteID = try req.uuidParameter("noteID")
        let view = try await req.context.gate.change(.noteAddendum, patientID: id, resource: Self.resource(id, "/\(noteID)/addenda")) { patient, tx in
            try await NoteService(ctx: tx).addAddendum(patient, noteID: noteID, text: try req.content.decode(NewAddendum.self).text)
        }
        return try await view.encodeResponse(status: .created, for: req)
    }

    // MARK: Pages

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
        var editLink: String
        var signAction: String
        var addendumAction: String
    }

    struct Context: Encodable {
        var patientId: String
        var patientName: String
        var notes: [NoteRow]
        var canWrite: Bool
        var subjective: String
        var createAction: String
        var newInitial: String
        var newReEvaluation: String
        var newDischarge: String
        var pager: Pager
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
            return "\(m.joint) \(m.motion)\(m.side == .notApplicable ? "" : " \(m.side.rawValue)"): \(MeasureRoutes.format(m.degrees))°\(normal)"
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
            add("Outcome change", outcomes.map { "\($0.name): \(MeasureRoutes.format($0.first)) → \(MeasureRoutes.format($0.last))\($0.meaningful ? " (meaningful change)" : "")" }.joined(separator: "; "))
        }
        if let g = v.goals { add("Goals met", "\(g.met) met, \(g.partiallyMet) partly met, \(g.notMet) not met") }
        return out
    }

    func render(_ req: Request, patientID: UUID, notice: String? = nil, error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = req.context
        let (page, _) = try req.listRequest()
        let patient = try await ctx.gate.authorize(.noteList, patientID: patientID, resource: Self.resource(patientID), also: [.noteTemplate])
        let service = NoteService(ctx: ctx)
        let (views, total) = try await service.page(patient, page)
        let user = try ctx.requireUser()
        let day = DashboardRoutes.dayFormat
        let rows = views.map { v in
            NoteRow(id: v.id.uuidString, title: NoteKind(rawValue: v.kind)?.displayName ?? v.kind, status: v.status,
                    signed: v.status == NoteStatus.signed.rawValue, canSign: v.status == NoteStatus.draft.rawValue && v.authorId == user.userID,
                    author: v.authorName, date: day.string(from: v.signedAt ?? v.updatedAt), sections: Self.lines(v),
                    addenda: v.addenda.map { Line(label: "\($0.authorName), \(day.string(from: $0.createdAt))", value: $0.text) },
                    editLink: Paths.noteEdit(patientID, v.id), signAction: Paths.noteSign(patientID, v.id),
                    addendumAction: Paths.noteAddenda(patientID, v.id))
        }
        var subjective = ""
        if patient.may(.writeClinical) {
            subjective = try await service.template(patient, kind: .followUp).subjective ?? ""
        }
        let context = Context(
            patientId: patientID.uuidString, patientName: patient.name, notes: rows, canWrite: patient.may(.writeClinical),
            subjective: subjective, createAction: Paths.notes(patientID),
            newInitial: Paths.noteNew(patientID, query: ["kind": NoteKind.initialEvaluation.rawValue]),
            newReEvaluation: Paths.noteNew(patientID, query: ["kind": NoteKind.reEvaluation.rawValue]),
            newDischarge: Paths.noteNew(patientID, query: ["kind": NoteKind.discharge.rawValue]),
            pager: Pager(page, total: total, query: nil) { Paths.notes(patientID, items: Pager.items(page, page: $0)) })
        return try await WebPage.render(req, "notes", title: "Clinical notes", context, notice: notice, error: error, status: status)
    }

    /// Runs a change that answers with a notice code, then shows the notes; a refusal shows them with the message.
    func submitting(_ req: Request, patientID: UUID, _ action: () async throws -> String) async throws -> Response {
        try await WebPage.submitting({
            let notice = try await action()
            return WebPage.seeOther(Paths.notes(patientID, query: ["notice": notice]))
        }, orShow: { message, status in try await render(req, patientID: patientID, error: message, status: status) })
    }

    func list(req: Request) async throws -> Response {
        try await render(req, patientID: req.uuidParameter("patientID"), notice: WebPage.notice(req, [
            "saved": "The note was saved as a draft.", "signed": "The note was signed.", "addendum": "The addendum was added.",
        ]))
    }

    struct NoteForm: Content {
        var subjective: String?
        var findings: String?
        var assessment: String?
        var plan: String?
        var action: String?
    }

    /// A free-text follow-up, saved as a draft or signed at once (two steps, each audited).
    func create(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let gate = req.context.gate
        return try await submitting(req, patientID: id) {
            let (noteID, signing) = try await gate.change(.noteCreate, patientID: id, resource: Self.resource(id)) { patient, tx in
                let form = try req.form(NoteForm.self)
                var body = SOAPNote()
                body.subjective = form.subjective
                body.objective.findings = form.findings
                body.assessment.diagnosis = form.assessment
                body.plan.interventions = form.plan
                return (try await NoteService(ctx: tx).create(patient, kind: .followUp, body: body).id, form.action == "sign")
            }
            guard signing else { return "saved" }
            _ = try await gate.change(.noteSign, patientID: id, resource: Self.resource(id, "/\(noteID)")) { patient, tx in
                try await NoteService(ctx: tx).sign(patient, noteID: noteID).id
            }
            return "signed"
        }
    }

    func sign(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID"), noteID = try req.uuidParameter("noteID")
        return try await submitting(req, patientID: id) {
            _ = try await req.context.gate.change(.noteSign, patientID: id, resource: Self.resource(id, "/\(noteID)")) { patient, tx in
                try await NoteService(ctx: tx).sign(patient, noteID: noteID).id
            }
            return "signed"
        }
    }

    struct AddendumForm: Content { var text: String? }

    func addendum(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID"), noteID = try req.uuidParameter("noteID")
        return try await submitting(req, patientID: id) {
            _ = try await req.context.gate.change(.noteAddendum, patientID: id, resource: Self.resource(id, "/\(noteID)/addenda")) { patient, tx in
                try await NoteService(ctx: tx).addAddendum(patient, noteID: noteID, text: try req.form(AddendumForm.self).text ?? "").id
            }
            return "addendum"
        }
    }

    // MARK: Structured editor

    func renderEditor(_ req: Request, patientID: UUID, kind: NoteKind, note: SOAPNote, action: String, error: String? = nil,
                      status: HTTPResponseStatus = .ok) async throws -> Response {
        try await WebPage.render(req, "evaluation", title: kind.displayName,
                                 EvaluationForm.context(patientID: patientID, kind: kind, note: note, action: action),
                                 error: error, status: status)
    }

    /// The visit a new note is written for (`?visit=`), kept in the form's address.
    static func requestedVisit(_ req: Request) -> UUID? { try? req.query.get(UUID.self, at: "visit") }

    static func newNoteAction(_ req: Request, _ patientID: UUID, _ kind: NoteKind) -> String {
        var items = [("kind", kind.rawValue)]
        if let visit = requestedVisit(req) { items.append(("visit", visit.uuidString)) }
        return Paths.noteNew(patientID, items: items)
    }

    static func requestedKind(_ req: Request) throws -> NoteKind {
        try NoteService.kind((try? req.query.get(String.self, at: "kind")) ?? NoteKind.initialEvaluation.rawValue)
    }

    func newEvaluation(req: Request) async throws -> Response {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.noteTemplate, patientID: id, resource: Self.resource(id, "/template"))
        let kind = try Self.requestedKind(req)
        let note = try await NoteService(ctx: ctx).template(patient, kind: kind)
        return try await renderEditor(req, patientID: id, kind: kind, note: note, action: Self.newNoteAction(req, id, kind))
    }

    func editEvaluation(req: Request) async throws -> Response {
        let ctx = req.context
        let id = try req.uuidParameter("patientID"), noteID = try req.uuidParameter("noteID")
        let patient = try await ctx.gate.authorize(.noteRead, patientID: id, resource: Self.resource(id, "/\(noteID)"))
        let model = try await NoteService(ctx: ctx).draft(patient, noteID: noteID)
        return try await renderEditor(req, patientID: id, kind: model.kind, note: model.body.value, action: Paths.noteEdit(id, noteID))
    }

    /// Saves the editor's note (a new one, or the draft `noteID`) and signs it when asked. If it
    /// cannot be signed yet, it stays saved as a draft and its page says why.
    func save(_ req: Request, patientID: UUID, noteID: UUID?) async throws -> Response {
        let gate = req.context.gate
        var typed = SOAPNote()
        // A new note's kind comes from the address; it is read once the gate has let the caller in.
        var shownKind = (try? Self.requestedKind(req)) ?? .initialEvaluation
        let retry = noteID.map { Paths.noteEdit(patientID, $0) } ?? Self.newNoteAction(req, patientID, shownKind)
        return try await WebPage.submitting({
            let operation: PatientOperation = noteID == nil ? .noteCreate : .noteUpdate
            let resource = Self.resource(patientID, noteID.map { "/\($0)" } ?? "")
            let (savedID, savedKind, body, signing) = try await gate.change(operation, patientID: patientID, resource: resource) { patient, tx in
                let fields = try req.form([String: String].self)
                let service = NoteService(ctx: tx)
                if let noteID {
                    let draft = try await service.draft(patient, noteID: noteID)
                    let body = try EvaluationForm.note(from: fields, kind: draft.kind)
                    return (try await service.update(patient, noteID: noteID, body: body).id, draft.kind, body, fields["action"] == "sign")
                }
                let kind = try Self.requestedKind(req)
                let body = try EvaluationForm.note(from: fields, kind: kind)
                return (try await service.create(patient, kind: kind, body: body, visitID: Self.requestedVisit(req)).id, kind, body, fields["action"] == "sign")
            }
            typed = body
            shownKind = savedKind
            guard signing else { return WebPage.seeOther(Paths.notes(patientID, query: ["notice": "saved"])) }
            do {
                _ = try await gate.change(.noteSign, patientID: patientID, resource: Self.resource(patientID, "/\(savedID)")) { patient, tx in
                    try await NoteService(ctx: tx).sign(patient, noteID: savedID).id
                }
            } catch let error as DomainError {
                // Saved as a draft; say why it cannot be signed yet, on the draft's own page.
                return try await renderEditor(req, patientID: patientID, kind: savedKind, note: body, action: Paths.noteEdit(patientID, savedID),
                                              error: "Saved as a draft. \(error.message)", status: HTTPResponseStatus(domain: error))
            }
            return WebPage.seeOther(Paths.notes(patientID, query: ["notice": "signed"]))
        }, orShow: { message, status in
            if let fields = try? req.form([String: String].self), let note = try? EvaluationForm.note(from: fields, kind: shownKind) { typed = note }
            return try await renderEditor(req, patientID: patientID, kind: shownKind, note: typed, action: retry, error: message, status: status)
        })
    }

    func createEvaluation(req: Request) async throws -> Response {
        try await save(req, patientID: req.uuidParameter("patientID"), noteID: nil)
    }

    func updateEvaluation(req: Request) async throws -> Response {
        try await save(req, patientID: req.uuidParameter("patientID"), noteID: req.uuidParameter("noteID"))
    }
}
