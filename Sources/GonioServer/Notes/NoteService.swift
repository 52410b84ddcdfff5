import Vapor
import Fluent
import GonioCore

/// Clinical notes: care-team therapists write and sign them; signed notes change only by
/// addenda; the patient and those who may see the clinical record can read them. Changes run
/// inside `PatientGate.change` and lock the note's row, so a note is signed with exactly the
/// content that was checked.
struct NoteService {
    let ctx: CallContext

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
        /// The visit the note records, if any.
        var visitId: UUID?
        var addenda: [Addendum]
        var cptCode: String?
        /// Discharge summaries: change from the first to the last result of each measure.
        var outcomes: [OutcomeChange]?
        var goals: GoalSummary?
    }

    /// Notes with their authors and addenda (and addenda's authors) loaded: four queries for a
    /// page of any length.
    private func loaded(_ query: QueryBuilder<ClinicalNoteModel>) -> QueryBuilder<ClinicalNoteModel> {
        query.with(\.$author).with(\.$addenda) { $0.with(\.$author) }
    }

    /// Views of loaded notes; a discharge summary's outcome changes come from one read of the
    /// patient's measures, shared by every note on the page.
    func views(_ notes: [ClinicalNoteModel], of patient: AuthorizedPatient) async throws -> [View] {
        var outcomes: [OutcomeChange]?
        if notes.contains(where: { $0.kind == .discharge }) {
            outcomes = try await MeasureService(ctx: ctx).views(patient).compactMap { a in
                guard let first = a.results.first, let last = a.results.last, a.results.count > 1,
                      let measure = MeasureLibrary.measure(code: a.code) else { return nil }
                let c = MeasureScoring.change(measure, first: first.score, latest: last.score)
                return OutcomeChange(code: a.code, name: a.name, first: first.score, last: last.score, improvement: c.improvement, meaningful: c.meaningful)
            }
        }
        return try notes.map { note in
            let body = note.body.value
            var goals: GoalSummary?
            if note.kind == .discharge {
                let s = NoteRules.goalSummary(body.plan.goals)
                goals = GoalSummary(met: s.met, partiallyMet: s.partiallyMet, notMet: s.notMet)
            }
            return View(
                id: try note.requireID(), patientId: note.$patient.id, kind: note.kind.rawValue, status: note.status.rawValue, body: body,
                authorId: note.$author.id, authorName: note.author.name, createdAt: note.createdAt, updatedAt: note.updatedAt,
                signedAt: note.signedAt, visitId: note.visitID,
                addenda: note.addenda.sorted { $0.createdAt < $1.createdAt }.map {
                    Addendum(id: $0.id!, text: $0.text, authorId: $0.$author.id, authorName: $0.author.name, createdAt: $0.createdAt)
                },
                cptCode: note.kind == .initialEvaluation ? body.assessment.complexity?.cptCode : nil,
                outcomes: note.kind == .discharge ? outcomes ?? [] : nil, goals: goals)
        }
    }

    /// One page of the patient's notes, newest first, and how many there are.
    func page(_ patient: AuthorizedPatient, _ page: ListPage) async throws -> ([View], Int) {
        let query = ClinicalNoteModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
        let total = try await query.copy().count()
        let notes = try await loaded(query).sort(\.$createdAt, .descending).sort(\.$id, .descending)
            .range(page.offset..<(page.offset + page.per)).all()
        return (try await views(notes, of: patient), total)
    }

    func get(_ patient: AuthorizedPatient, noteID: UUID) async throws -> View {
        try await views([find(patient, noteID: noteID)], of: patient)[0]
    }

    func find(_ patient: AuthorizedPatient, noteID: UUID, lock: Bool = false) async throws -> ClinicalNoteModel {
        if lock { try await ctx.lockRow(ClinicalNoteModel.self, id: noteID) }
        guard let note = try await loaded(ClinicalNoteModel.query(on: ctx.db).filter(\.$id == noteID)
            .filter(\.$patient.$id == patient.id)).first() else {
            throw DomainError.notFound("note-not-found", "No such note for this patient.")
        }
        return note
    }

    /// A discharge has started once a discharge note exists (draft or signed): measures assigned
    /// "at discharge" become due then.
    func hasDischarge(_ patient: AuthorizedPatient) async throws -> Bool {
        try await ClinicalNoteModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$kind == .discharge).count() > 0
    }

    static func kind(_ raw: String) throws -> NoteKind {
        guard let kind = NoteKind(rawValue: raw) else {
            throw DomainError.invalid("note-kind-invalid", "kind must be one of \(NoteKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return kind
    }

    /// A new note's starting content: the subjective section from the intake; later notes start
    /// with the goals and diagnosis of the latest signed evaluation.
    func template(_ patient: AuthorizedPatient, kind: NoteKind) async throws -> SOAPNote {
        var note = SOAPNote()
        if let intake = try await IntakeService(ctx: ctx).model(patient) {
            note.subjective = NoteRules.subjectiveFromIntake(intake.data.value)
        }
        if kind != .initialEvaluation,
           let latest = try await ClinicalNoteModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$status == .signed)
            .filter(\.$kind ~~ [.initialEvaluation, .reEvaluation]).sort(\.$signedAt, .descending).first() {
            note.plan.goals = latest.body.value.plan.goals
            note.assessment.diagnosis = latest.body.value.assessment.diagnosis
        }
        return note
    }

    func create(_ patient: AuthorizedPatient, kind: NoteKind, body: SOAPNote, visitID: UUID? = nil) async throws -> View {
        let user = try ctx.requireUser(.therapist)
        try NoteRules.validate(body, kind: kind, forSigning: false)
        if let visitID {
            // A note records one of the author's own visits with this patient.
            let visit = try await VisitModel.query(on: ctx.db).filter(\.$id == visitID).filter(\.$patient.$id == patient.id).first()
            guard let visit, visit.$therapist.id == user.therapistID else {
                throw DomainError.invalid("visit-not-yours", "Link the note to one of your own visits with this patient.")
            }
        }
        let note = ClinicalNoteModel(patientID: patient.id, kind: kind, body: body, authorID: user.userID, now: ctx.now)
        note.visitID = visitID
        try await note.create(on: ctx.db)
        return try await get(patient, noteID: note.requireID())
    }

    /// Which of `visitIDs` already have a note by the signed-in therapist (the visits page links
    /// to the note, or offers to write one).
    /// When the current episode of care began: the latest signed initial evaluation.
    func episodeStart(_ patient: AuthorizedPatient) async throws -> Date? {
        try await ClinicalNoteModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$kind == .initialEvaluation)
            .filter(\.$status == .signed).sort(\.$signedAt, .descending).first()?.signedAt
    }

    /// The latest signed discharge summary note, if any.
    func signedDischarge(_ patient: AuthorizedPatient) async throws -> ClinicalNoteModel? {
        try await ClinicalNoteModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$kind == .discharge)
            .filter(\.$status == .signed).sort(\.$signedAt, .descending).first()
    }

    /// The goals of the latest signed note that sets any, with when it was signed.
    func currentGoals(_ patient: AuthorizedPatient) async throws -> (goals: [Goal], signedAt: Date)? {
        let signed = try await ClinicalNoteModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$status == .signed)
            .sort(\.$signedAt, .descending).limit(20).all()
        return signed.first { !$0.body.value.plan.goals.isEmpty }.map { ($0.body.value.plan.goals, $0.signedAt ?? $0.updatedAt) }
    }

    func notedVisits(_ visitIDs: [UUID]) async throws -> Set<UUID> {
        guard let user = ctx.user, !visitIDs.isEmpty else { return [] }
        let notes = try await ClinicalNoteModel.query(on: ctx.db).filter(\.$visitID ~~ visitIDs).filter(\.$author.$id == user.userID).all()
        return Set(notes.compactMap(\.visitID))
    }

    /// A draft its author may change, locked for the rest of the change when `lock` is set.
    func draft(_ patient: AuthorizedPatient, noteID: UUID, lock: Bool = false) async throws -> ClinicalNoteModel {
        let note = try await find(patient, noteID: noteID, lock: lock)
        guard note.$author.id == ctx.user?.userID else { throw DomainError.forbidden("not-author", "Only the author can change or sign a draft.") }
        guard note.status == .draft else {
            throw DomainError.conflict("note-signed", "The note is signed and cannot change; add an addendum instead.")
        }
        return note
    }

    func update(_ patient: AuthorizedPatient, noteID: UUID, body: SOAPNote) async throws -> View {
        let note = try await draft(patient, noteID: noteID, lock: true)
        try NoteRules.validate(body, kind: note.kind, forSigning: false)
        note.body = StoredJSON(body)
        note.updatedAt = ctx.now
        try await note.update(on: ctx.db)
        return try await views([note], of: patient)[0]
    }

    /// Signs the draft with the content checked here: the row stays locked from the check to
    /// the write, so an edit racing the signature waits and then finds the note signed.
    func sign(_ patient: AuthorizedPatient, noteID: UUID) async throws -> View {
        let note = try await draft(patient, noteID: noteID, lock: true)
        try NoteRules.validate(note.body.value, kind: note.kind, forSigning: true)
        note.status = .signed
        note.signedAt = ctx.now
        note.updatedAt = ctx.now
        try await note.update(on: ctx.db)
        return try await views([note], of: patient)[0]
    }

    func addAddendum(_ patient: AuthorizedPatient, noteID: UUID, text raw: String) async throws -> View {
        let user = try ctx.requireUser(.therapist)
        let note = try await find(patient, noteID: noteID)
        guard note.status == .signed else { throw DomainError.conflict("note-draft", "The note is still a draft: edit it instead.") }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 10_000 else {
            throw DomainError.invalid("addendum-text", "Write the addendum (up to 10,000 characters).")
        }
        try await NoteAddendumModel(noteID: note.requireID(), text: text, authorID: user.userID, now: ctx.now).create(on: ctx.db)
        return try await get(patient, noteID: noteID)
    }
}

extension SOAPNote: Content {}
