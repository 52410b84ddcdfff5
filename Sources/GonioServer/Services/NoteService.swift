import Vapor
import Fluent
import GonioCore

/// Clinical notes: care-team therapists write and sign them; signed notes change only by
/// addenda; the patient and those who may see their clinical record can read them.
struct NoteService {
    let req: Request

    struct Addendum: Content {
        var id: UUID
        var text: String
        var authorId: UUID
        var authorName: String
        var createdAt: Date
    }

    struct OutcomeChange: Content {
        var code: String
        var name: String
        var first: Double
        var last: Double
        var improvement: Double
        var meaningful: Bool
    }

    struct GoalSummary: Content {
        var met: Int
        var partiallyMet: Int
        var notMet: Int
    }

    struct View: Content {
        var id: UUID
        var patientId: UUID
        var kind: String
        var status: String
        var body: SOAPNote
        var authorId: UUID
        var authorName: String
        var createdAt: Date
        var updatedAt: Date
        var signedAt: Date?
        var addenda: [Addendum]
        var cptCode: String?
        /// Discharge summaries: change from the first to the last result of each measure.
        var outcomes: [OutcomeChange]?
        var goals: GoalSummary?
    }

    func view(_ note: ClinicalNoteModel) async throws -> View {
        let body = try JSONDecoder().decode(SOAPNote.self, from: Data(note.body.utf8))
        let addenda = try await NoteAddendumModel.query(on: req.db).filter(\.$noteID == note.requireID()).sort(\.$createdAt).all()
        let userIDs = Set(addenda.map(\.authorID) + [note.authorID])
        let users = try await UserModel.query(on: req.db).filter(\.$id ~~ userIDs).all()
        func name(_ id: UUID) -> String { users.first { $0.id == id }?.name ?? "" }
        var outcomes: [OutcomeChange]?, goals: GoalSummary?
        if note.kind == NoteKind.discharge.rawValue {
            outcomes = try await MeasureService(req: req).views(note.patientID).compactMap { a in
                guard let first = a.results.first, let last = a.results.last, a.results.count > 1,
                      let measure = MeasureLibrary.measure(code: a.code) else { return nil }
                let c = MeasureScoring.change(measure, first: first.score, latest: last.score)
                return OutcomeChange(code: a.code, name: a.name, first: first.score, last: last.score, improvement: c.improvement, meaningful: c.meaningful)
            }
            let s = NoteRules.goalSummary(body.plan.goals)
            goals = GoalSummary(met: s.met, partiallyMet: s.partiallyMet, notMet: s.notMet)
        }
        return View(
            id: try note.requireID(), patientId: note.patientID, kind: note.kind, status: note.status, body: body,
            authorId: note.authorID, authorName: name(note.authorID), createdAt: note.createdAt, updatedAt: note.updatedAt,
            signedAt: note.signedAt,
            addenda: addenda.map { Addendum(id: $0.id!, text: $0.text, authorId: $0.authorID, authorName: name($0.authorID), createdAt: $0.createdAt) },
            cptCode: note.kind == NoteKind.initialEvaluation.rawValue ? body.assessment.complexity?.cptCode : nil,
            outcomes: outcomes, goals: goals)
    }

    func list(patientID: UUID) async throws -> [View] {
        try await req.patientAccess.authorize(.viewClinical, patientID: patientID, resource: "patient/\(patientID)/notes")
        var views: [View] = []
        for note in try await ClinicalNoteModel.query(on: req.db).filter(\.$patientID == patientID).sort(\.$createdAt).all() {
            views.append(try await view(note))
        }
        return views
    }

    func find(patientID: UUID, noteID: UUID, action: PatientAction) async throws -> ClinicalNoteModel {
        try await req.patientAccess.authorize(action, patientID: patientID, resource: "patient/\(patientID)/notes/\(noteID)")
        guard let note = try await ClinicalNoteModel.query(on: req.db).filter(\.$id == noteID).filter(\.$patientID == patientID).first() else {
            throw DomainError.notFound("note-not-found", "No such note for this patient.")
        }
        return note
    }

    func get(patientID: UUID, noteID: UUID) async throws -> View {
        try await view(find(patientID: patientID, noteID: noteID, action: .viewClinical))
    }

    static func kind(_ raw: String) throws -> NoteKind {
        guard let kind = NoteKind(rawValue: raw) else {
            throw DomainError.invalid("note-kind-invalid", "kind must be one of \(NoteKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return kind
    }

    /// A new note's starting content: the subjective section from the intake; a discharge
    /// summary starts with the goals of the latest signed evaluation.
    func template(patientID: UUID, kind rawKind: String) async throws -> SOAPNote {
        try await req.patientAccess.authorize(.writeClinical, patientID: patientID, resource: "patient/\(patientID)/notes/template")
        let kind = try Self.kind(rawKind)
        var note = SOAPNote()
        if let intake = try await IntakeService(req: req).find(patientID),
           let value = try? JSONDecoder().decode(Intake.self, from: Data(intake.data.utf8)) {
            note.subjective = NoteRules.subjectiveFromIntake(value)
        }
        if kind != .initialEvaluation {
            let evaluations = try await ClinicalNoteModel.query(on: req.db).filter(\.$patientID == patientID).filter(\.$status == "signed")
                .filter(\.$kind ~~ [NoteKind.initialEvaluation.rawValue, NoteKind.reEvaluation.rawValue]).sort(\.$signedAt, .descending).first()
            if let latest = evaluations, let body = try? JSONDecoder().decode(SOAPNote.self, from: Data(latest.body.utf8)) {
                note.plan.goals = body.plan.goals
                note.assessment.diagnosis = body.assessment.diagnosis
            }
        }
        return note
    }

    func create(patientID: UUID, kind rawKind: String, body: SOAPNote) async throws -> View {
        try await req.patientAccess.authorize(.writeClinical, patientID: patientID, resource: "patient/\(patientID)/notes")
        let user = try req.requireUser(.therapist)
        let kind = try Self.kind(rawKind)
        try NoteRules.validate(body, kind: kind, forSigning: false)
        let note = ClinicalNoteModel(patientID: patientID, kind: kind.rawValue, body: try encode(body), authorID: user.userID, now: req.now)
        try await note.create(on: req.db)
        return try await view(note)
    }

    func encode(_ body: SOAPNote) throws -> String { try StoredJSON.text(body) }

    /// Drafts are edited by their author only.
    func draft(patientID: UUID, noteID: UUID) async throws -> (ClinicalNoteModel, NoteKind) {
        let note = try await find(patientID: patientID, noteID: noteID, action: .writeClinical)
        let user = try req.requireUser()
        guard note.authorID == user.userID else { throw DomainError.forbidden("not-author", "Only the author can change or sign a draft.") }
        guard note.status == "draft" else {
            throw DomainError.conflict("note-signed", "The note is signed and cannot change; add an addendum instead.")
        }
        return (note, try Self.kind(note.kind))
    }

    func update(patientID: UUID, noteID: UUID, body: SOAPNote) async throws -> View {
        let (note, kind) = try await draft(patientID: patientID, noteID: noteID)
        try NoteRules.validate(body, kind: kind, forSigning: false)
        note.body = try encode(body)
        note.updatedAt = req.now
        try await note.update(on: req.db)
        return try await view(note)
    }

    func sign(patientID: UUID, noteID: UUID) async throws -> View {
        let (note, kind) = try await draft(patientID: patientID, noteID: noteID)
        let body = try JSONDecoder().decode(SOAPNote.self, from: Data(note.body.utf8))
        try NoteRules.validate(body, kind: kind, forSigning: true)
        note.status = "signed"
        note.signedAt = req.now
        note.updatedAt = req.now
        try await note.update(on: req.db)
        return try await view(note)
    }

    func addAddendum(patientID: UUID, noteID: UUID, text raw: String) async throws -> View {
        let note = try await find(patientID: patientID, noteID: noteID, action: .writeClinical)
        let user = try req.requireUser(.therapist)
        guard note.status == "signed" else { throw DomainError.conflict("note-draft", "The note is still a draft: edit it instead.") }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 10_000 else {
            throw DomainError.invalid("addendum-text", "Write the addendum (up to 10,000 characters).")
        }
        try await NoteAddendumModel(noteID: note.requireID(), text: text, authorID: user.userID, now: req.now).create(on: req.db)
        return try await view(note)
    }
}

extension SOAPNote: Content {}
