import Vapor
import Fluent
import GonioCore

/// The exercises a caller may use: the shipped library for everyone signed in, and the
/// exercises of the clinics they belong to (staff) or are cared for by (patients). Clinic staff
/// add exercises, copy library ones to change them, and attach media; the library itself is
/// read-only.
struct ExerciseService {
    let ctx: CallContext
    var library: ExerciseLibrary { ctx.content.exercises }

    static let customPrefix = "custom-"
    static func isCustom(_ id: String) -> Bool { id.hasPrefix(customPrefix) }

    /// The clinics whose exercises the caller sees.
    func visibleClinics() async throws -> [UUID] {
        let user = try ctx.requireUser()
        switch user.role {
        case .therapist, .clinicAdmin: return user.clinicIDs
        case .patient:
            guard let id = user.patientID, let patient = try await PatientModel.find(id, on: ctx.db) else { return [] }
            return [patient.$clinic.id]
        case .caregiver: return user.helpedClinicIDs
        case .platformAdmin: return []
        }
    }

    /// The clinics the caller may add exercises and media to: verified therapists and admins,
    /// in their own clinics.
    func writableClinics() throws -> [UUID] {
        let user = try ctx.requireUser(.therapist, .clinicAdmin)
        if user.role == .therapist, !user.therapistVerified {
            throw DomainError.forbidden("therapist-unverified", "A clinic must verify your credentials before you add exercises.")
        }
        return user.clinicIDs
    }

    func customs(of clinics: [UUID], includingArchived: Bool = false) async throws -> [ClinicExerciseModel] {
        guard !clinics.isEmpty else { return [] }
        var query = ClinicExerciseModel.query(on: ctx.db).filter(\.$clinic.$id ~~ clinics)
        if !includingArchived { query = query.filter(\.$archivedAt == nil) }
        return try await query.all()
    }

    /// Library and clinic exercises matching `query`.
    func search(_ query: ExerciseLibrary.Query) async throws -> [Exercise] {
        let extra = try await customs(of: visibleClinics()).map(\.body.value)
        return library.search(query, adding: extra)
    }

    /// An exercise the caller may see, or 404; with its clinic row when it is a clinic's.
    func exercise(id: String) async throws -> (Exercise, ClinicExerciseModel?) {
        if let shipped = library.exercise(id: id) { return (shipped, nil) }
        let notFound = DomainError.notFound("exercise-not-found", "No exercise with that id.")
        guard Self.isCustom(id), id.utf8.count <= 60 else { throw notFound }
        let clinics = try await visibleClinics()
        guard let row = try await ClinicExerciseModel.query(on: ctx.db).filter(\.$exerciseID == id).first(),
              clinics.contains(row.$clinic.id)
        else { throw notFound }
        return (row.body.value, row)
    }

    /// Exercises by id for plans of a patient of `clinicID`: the library and that clinic's
    /// (archived ones too, so an old plan still shows what was prescribed). Given the `ids` a
    /// caller will look up, the clinic's are read only when one of them is the clinic's.
    func lookup(forClinic clinicID: UUID, ids: [String]? = nil) async throws -> @Sendable (String) -> Exercise? {
        let library = self.library
        if let ids, !ids.contains(where: Self.isCustom) { return { library.exercise(id: $0) } }
        let rows = try await customs(of: [clinicID], includingArchived: true)
        let custom = Dictionary(uniqueKeysWithValues: rows.map { ($0.exerciseID, $0.body.value) })
        return { id in library.exercise(id: id) ?? custom[id] }
    }

    /// The rules a clinic's exercise keeps: the library's, with links to the library or the
    /// clinic's own, and key poses optional.
    func checked(_ exercise: Exercise, clinicID: UUID) async throws -> Exercise {
        let known = Set(library.exercises.map(\.id)).union(try await customs(of: [clinicID]).map(\.exerciseID))
        let problems = ExerciseLibrary.problems(in: [exercise], alsoKnown: known, posesRequired: false)
        if let first = problems.first {
            throw DomainError.invalid("exercise-invalid", "The exercise is not complete: \(problems.count > 1 ? problems.map(\.message).joined(separator: "; ") : first.message).")
        }
        return exercise
    }

    func clinic(_ requested: UUID?) throws -> UUID {
        let clinics = try writableClinics()
        if let requested {
            guard clinics.contains(requested) else { throw DomainError.forbidden("not-clinic-member", "You can add exercises only to your own clinic.") }
            return requested
        }
        guard clinics.count == 1, let only = clinics.first else {
            throw DomainError.invalid("clinic-required", "Say which of your clinics the exercise belongs to (clinicId).")
        }
        return only
    }

    /// A new clinic exercise: a copy of `copyOf` (library or the clinic's own) with the draft's
    /// changes, or a new one from the draft alone.
    func create(copyOf: String?, draft: ExerciseDraft, clinicID requested: UUID?) async throws -> (Exercise, ClinicExerciseModel) {
        let clinicID = try clinic(requested)
        let id = Self.customPrefix + UUID().uuidString.lowercased()
        var base = ExerciseDraft.blank(id: id)
        if let copyOf { base = try await exercise(id: copyOf).0 }
        var exercise = draft.applied(to: base, id: id)
        if copyOf != nil, draft.name == nil { exercise.name = String("\(base.name) (clinic copy)".prefix(60)) }
        exercise = try await checked(exercise, clinicID: clinicID)
        let row = ClinicExerciseModel(clinicID: clinicID, exercise: exercise, basedOn: copyOf, createdBy: ctx.user?.userID, at: ctx.now)
        try await row.create(on: ctx.db)
        return (exercise, row)
    }

    /// The clinic's exercise, for a change by its staff; library exercises are read-only.
    func editable(_ id: String) async throws -> ClinicExerciseModel {
        let clinics = try writableClinics()
        if library.exercise(id: id) != nil {
            throw DomainError.forbidden("library-read-only", "The shipped library cannot be changed; make a clinic copy and change that.")
        }
        guard let row = try await ClinicExerciseModel.query(on: ctx.db).filter(\.$exerciseID == id).first(),
              clinics.contains(row.$clinic.id)
        else { throw DomainError.notFound("exercise-not-found", "No exercise with that id.") }
        return row
    }

    func update(_ id: String, draft: ExerciseDraft) async throws -> (Exercise, ClinicExerciseModel) {
        try await ctx.transaction { tx in
            let service = ExerciseService(ctx: tx)
            let row = try await service.editable(id)
            try await tx.lockRow(ClinicExerciseModel.self, id: row.requireID())
            let exercise = try await service.checked(draft.applied(to: row.body.value, id: id), clinicID: row.$clinic.id)
            row.body = StoredJSON(exercise)
            row.name = exercise.name
            row.updatedAt = tx.now
            try await row.update(on: tx.db)
            return (exercise, row)
        }
    }

    /// Takes the exercise out of search; plans that use it keep it.
    func archive(_ id: String) async throws {
        let row = try await editable(id)
        row.archivedAt = ctx.now
        try await row.update(on: ctx.db)
    }
}

extension CallContext {
    var content: ClinicalContent { clinicalContent }
}
