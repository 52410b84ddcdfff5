import Vapor
import Fluent
import GonioCore

/// The exercise library and condition protocols: search and read for everyone signed in
/// (JSON and pages with drawn demonstrations); clinic exercises and media for clinic staff.
/// None of it is patient data.
struct ExerciseRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.exercises, use: searchAPI)
        routes.api.post(Paths.API.exercises, use: createAPI)
        routes.api.get(Paths.API.exercise, use: getAPI)
        routes.api.put(Paths.API.exercise, use: updateAPI)
        routes.api.delete(Paths.API.exercise, use: archiveAPI)
        routes.api.post(Paths.API.exerciseMedia, use: addMediaAPI)
        routes.api.get(Paths.API.exerciseMediaItem, use: mediaFile)
        routes.api.delete(Paths.API.exerciseMediaItem, use: removeMediaAPI)
        routes.api.get(Paths.API.protocols, use: protocolsAPI)
        routes.api.get(Paths.API.conditionProtocol, use: protocolAPI)

        routes.web.get(Paths.exercises, use: searchPage)
        routes.web.get(Paths.exercise, use: detailPage)
        routes.web.post(Paths.exerciseCopy, use: copy)
        routes.web.get(Paths.exerciseEdit, use: editPage)
        routes.web.post(Paths.exerciseEdit, use: save)
        routes.web.post(Paths.exerciseArchive, use: archive)
        routes.web.post(Paths.exerciseMedia, use: addMedia)
        routes.web.get(Paths.exerciseMediaItem, use: mediaFile)
        routes.web.post(Paths.exerciseMediaRemove, use: removeMedia)
        routes.web.get(Paths.protocols, use: protocolsPage)
        routes.web.get(Paths.conditionProtocol, use: protocolPage)
    }

    /// The library is held in memory: a client may read all of it in one page.
    static let maxPer = 1000

    // MARK: Query

    /// `?q=&region=&category=&equipment=&position=&difficulty=&tag=`; an unknown value is a 422
    /// naming the values there are.
    static func query(_ req: Request) throws -> ExerciseLibrary.Query {
        func text(_ name: String) -> String? {
            let raw = (try? req.query.get(String.self, at: name))?.trimmingWhitespace() ?? ""
            return raw.isEmpty ? nil : raw
        }
        func choice<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) throws -> T? where T.RawValue == String {
            guard let raw = text(name) else { return nil }
            guard let value = T(rawValue: raw) else {
                throw DomainError.invalid("\(name)-invalid", "\(name) is one of: \(T.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            return value
        }
        var difficulty: Int?
        if let raw = text("difficulty") {
            guard let n = Int(raw), (1...5).contains(n) else {
                throw DomainError.invalid("difficulty-invalid", "difficulty is the hardest to show, 1 to 5.")
            }
            difficulty = n
        }
        let q = text("q")
        if let q, q.count > 100 { throw DomainError.invalid("q-too-long", "Search for at most 100 characters.") }
        let tag = text("tag")
        if let tag, tag.count > 60 { throw DomainError.invalid("tag-invalid", "A tag is at most 60 characters.") }
        return .init(text: q, region: try choice("region", ExerciseRegion.self), category: try choice("category", ExerciseCategory.self),
                     equipment: try choice("equipment", Equipment.self), position: try choice("position", ExercisePosition.self),
                     maxDifficulty: difficulty, tag: tag)
    }

    static func page(_ req: Request, maxPer: Int = ExerciseRoutes.maxPer) throws -> ListPage {
        try ListPage(pageText: try? req.query.get(String.self, at: "page"), perText: try? req.query.get(String.self, at: "per"), maxPer: maxPer)
    }

    // MARK: DTOs

    struct ExerciseSummary: Content {
        var id: String
        var name: String
        var summary: String
        var regions: [ExerciseRegion]
        var category: ExerciseCategory
        var equipment: [Equipment]
        var position: ExercisePosition
        var difficulty: Int
        var dose: Dose
        var doseSummary: String
        /// `library` or `clinic`.
        var source: String

        init(_ e: Exercise) {
            id = e.id
            name = e.name
            summary = e.summary
            regions = e.regions
            category = e.category
            equipment = e.equipment
            position = e.position
            difficulty = e.difficulty
            dose = e.dose
            doseSummary = e.dose.summary
            source = ExerciseService.isCustom(e.id) ? "clinic" : "library"
        }
    }

    /// An exercise with where it comes from and its media; flat, as the files write it.
    struct ExerciseDetail: Content {
        var exercise: Exercise
        var source: String
        var clinicId: UUID?
        var basedOn: String?
        var media: [MediaService.MediaDTO]
        /// A clinic exercise taken out of search: plans that use it still show it.
        var archived: Bool

        enum Extra: String, CodingKey { case source, clinicId, basedOn, media, doseSummary, archived }

        func encode(to encoder: any Encoder) throws {
            try exercise.encode(to: encoder)
            var c = encoder.container(keyedBy: Extra.self)
            try c.encode(source, forKey: .source)
            try c.encodeIfPresent(clinicId, forKey: .clinicId)
            try c.encodeIfPresent(basedOn, forKey: .basedOn)
            try c.encode(media, forKey: .media)
            try c.encode(exercise.dose.summary, forKey: .doseSummary)
            try c.encode(archived, forKey: .archived)
        }

        init(from decoder: any Decoder) throws {
            exercise = try Exercise(from: decoder)
            let c = try decoder.container(keyedBy: Extra.self)
            source = try c.decode(String.self, forKey: .source)
            clinicId = try c.decodeIfPresent(UUID.self, forKey: .clinicId)
            basedOn = try c.decodeIfPresent(String.self, forKey: .basedOn)
            media = try c.decode([MediaService.MediaDTO].self, forKey: .media)
            archived = try c.decodeIfPresent(Bool.self, forKey: .archived) ?? false
        }

        init(_ exercise: Exercise, row: ClinicExerciseModel?, media: [MediaService.MediaDTO]) {
            self.exercise = exercise
            source = row == nil ? "library" : "clinic"
            clinicId = row?.$clinic.id
            basedOn = row?.basedOn
            self.media = media
            archived = row?.archivedAt != nil
        }
    }

    struct NewExercise: Content {
        /// A library or clinic exercise to start from.
        var copyOf: String?
        var clinicId: UUID?
        var exercise: ExerciseDraft?
    }

    struct LinkBody: Content {
        var url: String?
        var title: String?
        var clinicId: UUID?
    }

    struct ProtocolSummary: Content {
        var id: String
        var name: String
        var condition: String
        var summary: String
        var regions: [ExerciseRegion]
        var phases: [String]
    }

    // MARK: API

    func searchAPI(req: Request) async throws -> Paginated<ExerciseSummary> {
        let query = try Self.query(req)
        let page = try Self.page(req)
        let hits = try await ExerciseService(ctx: req.context).search(query)
        return Paginated(items: hits.dropFirst(page.offset).prefix(page.per).map(ExerciseSummary.init), page: page, total: hits.count)
    }

    func detail(_ ctx: CallContext, _ id: String, api: Bool) async throws -> ExerciseDetail {
        let (exercise, row) = try await ExerciseService(ctx: ctx).exercise(id: id)
        let media = MediaService(ctx: ctx)
        return ExerciseDetail(exercise, row: row, media: try await media.list(exercise.id).map { media.dto($0, api: api) })
    }

    func getAPI(req: Request) async throws -> ExerciseDetail {
        try await detail(req.context, req.parameters.get("exerciseID") ?? "", api: true)
    }

    func createAPI(req: Request) async throws -> Response {
        let ctx = req.context
        _ = try ExerciseService(ctx: ctx).writableClinics()
        let body = try req.content.decode(NewExercise.self)
        let (exercise, row) = try await ExerciseService(ctx: ctx).create(copyOf: body.copyOf, draft: body.exercise ?? ExerciseDraft(),
                                                                         clinicID: body.clinicId)
        return try await ExerciseDetail(exercise, row: row, media: []).encodeResponse(status: .created, for: req)
    }

    func updateAPI(req: Request) async throws -> ExerciseDetail {
        let ctx = req.context
        let id = req.parameters.get("exerciseID") ?? ""
        _ = try await ExerciseService(ctx: ctx).editable(id)
        let (exercise, row) = try await ExerciseService(ctx: ctx).update(id, draft: try req.content.decode(ExerciseDraft.self))
        let media = MediaService(ctx: ctx)
        return ExerciseDetail(exercise, row: row, media: try await media.list(id).map { media.dto($0, api: true) })
    }

    func archiveAPI(req: Request) async throws -> HTTPStatus {
        try await ExerciseService(ctx: req.context).archive(req.parameters.get("exerciseID") ?? "")
        return .noContent
    }

    /// A file (multipart/form-data: `file`, `title`, `clinicId`) or a link (JSON: `url`, `title`).
    func addMediaAPI(req: Request) async throws -> Response {
        let dto = try await addMedia(req.context, req)
        return try await dto.encodeResponse(status: .created, for: req)
    }

    struct MediaForm: Content {
        var file: File?
        var title: String?
        var url: String?
        var clinicId: String?
    }

    func addMedia(_ ctx: CallContext, _ req: Request) async throws -> MediaService.MediaDTO {
        let id = req.parameters.get("exerciseID") ?? ""
        let media = MediaService(ctx: ctx)
        // Who may add media, and to what, before anything the body carries is read.
        _ = try ExerciseService(ctx: ctx).writableClinics()
        _ = try await ExerciseService(ctx: ctx).exercise(id: id)
        if req.headers.contentType == .json {
            let body = try req.content.decode(LinkBody.self)
            return try await media.link(id, url: body.url, title: body.title, clinicID: body.clinicId)
        }
        guard req.headers.contentType?.type == "multipart" else {
            throw DomainError.invalid("media-body", "Send a file as multipart/form-data (file, title) or a link as JSON (url, title).")
        }
        let form: MediaForm
        do {
            form = try req.content.decode(MediaForm.self)
        } catch let error as DecodingError {
            throw error
        } catch {
            throw DomainError.invalid("malformed-body", "The upload could not be read as multipart/form-data.")
        }
        let clinic = try form.clinicId.flatMap { $0.isEmpty ? nil : $0 }.map { raw -> UUID in
            guard let id = UUID(uuidString: raw) else { throw DomainError.invalid("clinic-invalid", "clinicId is not a clinic id.") }
            return id
        }
        if let file = form.file, file.data.readableBytes > 0 {
            return try await media.upload(id, data: file.data, title: form.title, clinicID: clinic)
        }
        if let url = form.url, !url.isEmpty { return try await media.link(id, url: url, title: form.title, clinicID: clinic) }
        throw DomainError.invalid("file-missing", "Choose a picture or video to upload, or give a link.")
    }

    func mediaFile(req: Request) async throws -> Response {
        try await MediaService(ctx: req.context).file(req.parameters.get("exerciseID") ?? "", try req.uuidParameter("mediaID"), for: req)
    }

    func removeMediaAPI(req: Request) async throws -> HTTPStatus {
        try await MediaService(ctx: req.context).remove(req.parameters.get("exerciseID") ?? "", try req.uuidParameter("mediaID"))
        return .noContent
    }

    func protocolsAPI(req: Request) async throws -> [ProtocolSummary] {
        _ = try req.context.requireUser()
        return req.context.content.protocols.protocols.map {
            ProtocolSummary(id: $0.id, name: $0.name, condition: $0.condition, summary: $0.summary, regions: $0.regions,
                            phases: $0.phases.map { "\($0.name) (\($0.weeks))" })
        }
    }

    func protocolAPI(req: Request) async throws -> Response {
        _ = try req.context.requireUser()
        guard let found = req.context.content.protocols.protocol(id: req.parameters.get("protocolID") ?? "") else {
            throw DomainError.notFound("protocol-not-found", "No protocol with that id; GET /api/v1/protocols lists them.")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: try encoder.encode(found)))
    }

    // MARK: Pages

    struct Card: Encodable {
        var id: String
        var name: String
        var summary: String
        var link: String
        var meta: String
        var dose: String
        var picture: String
        var clinic: Bool
    }

    static func card(_ e: Exercise) -> Card {
        Card(id: e.id, name: e.name, summary: e.summary, link: Paths.exercise(e.id),
             meta: "\(e.regions.map(\.displayName).joined(separator: ", ")) · \(e.category.displayName) · \(e.position.displayName) · level \(e.difficulty)",
             dose: e.dose.summary, picture: FigureDrawing(e).map { $0.svg(pose: $0.poses.count - 1, title: e.name) } ?? "",
             clinic: ExerciseService.isCustom(e.id))
    }

    struct SearchContext: Encodable {
        var action: String
        var q: String
        var regions: [Choice]
        var categories: [Choice]
        var equipment: [Choice]
        var positions: [Choice]
        var difficulties: [Choice]
        var cards: [Card]
        var total: Int
        var pager: Pager
        var protocolsLink: String
    }

    static func choices<T: RawRepresentable & Equatable>(_ all: [T], selected: T?, label: (T) -> String) -> [Choice] where T.RawValue == String {
        all.map { Choice(value: $0.rawValue, label: label($0), selected: $0 == selected) }
    }

    func searchPage(req: Request) async throws -> Response {
        let ctx = req.context
        _ = try ctx.requireUser()
        let query = try Self.query(req)
        let page = try Self.page(req, maxPer: 100)
        let hits = try await ExerciseService(ctx: ctx).search(query)
        var items: [(String, String)] = []
        for (name, value) in [("q", query.text), ("region", query.region?.rawValue), ("category", query.category?.rawValue),
                              ("equipment", query.equipment?.rawValue), ("position", query.position?.rawValue),
                              ("difficulty", query.maxDifficulty.map(String.init))] {
            if let value { items.append((name, value)) }
        }
        let context = SearchContext(
            action: Paths.exercises(), q: query.text ?? "",
            regions: Self.choices(Array(ExerciseRegion.allCases), selected: query.region, label: \.displayName),
            categories: Self.choices(Array(ExerciseCategory.allCases), selected: query.category, label: \.displayName),
            equipment: Self.choices(Equipment.allCases.filter { $0 != .none }, selected: query.equipment, label: \.displayName),
            positions: Self.choices(Array(ExercisePosition.allCases), selected: query.position, label: \.displayName),
            difficulties: (1...5).map { Choice(value: String($0), label: $0 == 5 ? "Any" : "Up to level \($0)", selected: query.maxDifficulty == $0) },
            cards: hits.dropFirst(page.offset).prefix(page.per).map(Self.card), total: hits.count,
            pager: Pager(page, total: hits.count, query: nil) { n in
                Paths.exercises(items: items + [("page", String(n))] + (page.per == ListPage.defaultPer ? [] : [("per", String(page.per))]))
            },
            protocolsLink: Paths.protocols())
        return try await WebPage.render(req, "exercises", title: "Exercise library", context)
    }

    struct Still: Encodable {
        var label: String
        var svg: String
    }

    struct MediaRow: Encodable {
        var title: String
        var url: String
        var image: Bool
        var video: Bool
        var link: Bool
        var removeAction: String
        var mayRemove: Bool
    }

    struct DetailContext: Encodable {
        var id: String
        var name: String
        var summary: String
        var meta: String
        var equipment: String
        var dose: String
        var frequency: String
        var instructions: [String]
        var cues: [String]
        var mistakes: [String]
        var safety: [String]
        var sources: [String]
        var easier: [Card]
        var harder: [Card]
        var stills: [Still]
        var animation: String
        var media: [MediaRow]
        var clinic: Bool
        var basedOn: String?
        var mayCopy: Bool
        var mayEdit: Bool
        var copyAction: String
        var editLink: String
        var archiveAction: String
        var mediaAction: String
        var clinics: [Choice]
        var maxMB: Int
        var demoScript: String
        var back: String
    }

    func renderDetail(_ req: Request, id: String, error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = req.context
        let user = try ctx.requireUser()
        let service = ExerciseService(ctx: ctx)
        let (e, row) = try await service.exercise(id: id)
        let drawing = FigureDrawing(e)
        let writable = (try? service.writableClinics()) ?? []
        let mayEdit = row.map { writable.contains($0.$clinic.id) } ?? false
        let media = try await MediaService(ctx: ctx).list(e.id).map { m in
            let dto = MediaService(ctx: ctx).dto(m, api: false)
            return MediaRow(title: m.title, url: dto.url, image: m.kind == .image, video: m.kind == .video, link: m.kind == .link,
                            removeAction: Paths.exerciseMediaRemove(e.id, m.id!), mayRemove: writable.contains(m.$clinic.id))
        }
        func cards(_ ids: [String]) async throws -> [Card] {
            var out: [Card] = []
            for id in ids { if let (x, _) = try? await service.exercise(id: id) { out.append(Self.card(x)) } }
            return out
        }
        let clinics = writable.isEmpty ? [] : try await ClinicModel.query(on: ctx.db).filter(\.$id ~~ writable).sort(\.$name).all()
        let context = DetailContext(
            id: e.id, name: e.name, summary: e.summary,
            meta: "\(e.regions.map(\.displayName).joined(separator: ", ")) · \(e.category.displayName) · \(e.position.displayName) · level \(e.difficulty) of 5",
            equipment: e.equipment.map(\.displayName).joined(separator: ", "), dose: e.dose.summary, frequency: e.dose.frequency,
            instructions: e.instructions, cues: e.cues, mistakes: e.mistakes, safety: e.safety, sources: e.sources,
            easier: try await cards(e.easier), harder: try await cards(e.harder),
            stills: drawing.map { d in d.poses.indices.map { Still(label: d.poses[$0].label, svg: d.svg(pose: $0, title: e.name)) } } ?? [],
            animation: drawing?.json ?? "", media: media, clinic: row != nil,
            basedOn: row?.basedOn.flatMap { service.library.exercise(id: $0)?.name },
            mayCopy: !writable.isEmpty && [.therapist, .clinicAdmin].contains(user.role), mayEdit: mayEdit,
            copyAction: Paths.exerciseCopy(e.id), editLink: Paths.exerciseEdit(e.id), archiveAction: Paths.exerciseArchive(e.id),
            mediaAction: Paths.exerciseMedia(e.id),
            clinics: clinics.map { Choice(value: $0.id!.uuidString, label: $0.name, selected: $0.id == row?.$clinic.id) },
            maxMB: ctx.config.mediaMaxBytes / 1024 / 1024, demoScript: Paths.demoScript, back: Paths.exercises())
        return try await WebPage.render(req, "exercise", title: e.name, context, notice: WebPage.notice(req, [
            "copied": "This is your clinic's copy. Change it below; the library's version stays as it was.",
            "saved": "The exercise was saved.", "media-added": "The media was added.", "media-removed": "The media was removed.",
        ]), error: error, status: status)
    }

    func detailPage(req: Request) async throws -> Response {
        try await renderDetail(req, id: req.parameters.get("exerciseID") ?? "")
    }

    struct CopyForm: Content {
        var clinicId: String?
    }

    func copy(req: Request) async throws -> Response {
        let ctx = req.context
        let id = req.parameters.get("exerciseID") ?? ""
        _ = try ExerciseService(ctx: ctx).writableClinics()
        return try await WebPage.submitting({
            let form = try req.form(CopyForm.self)
            let clinic = form.clinicId.flatMap { UUID(uuidString: $0) }
            let (copy, _) = try await ExerciseService(ctx: ctx).create(copyOf: id, draft: ExerciseDraft(), clinicID: clinic)
            return WebPage.seeOther(Paths.exerciseEdit(copy.id, query: ["notice": "copied"]))
        }, orShow: { message, status in try await renderDetail(req, id: id, error: message, status: status) })
    }

    struct EditContext: Encodable {
        var id: String
        var action: String
        var back: String
        var name: String
        var summary: String
        var instructions: String
        var cues: String
        var mistakes: String
        var safety: String
        var regions: [Choice]
        var categories: [Choice]
        var positions: [Choice]
        var equipment: [Choice]
        var difficulty: Int
        var sets: Int
        var reps: Int
        var holdSeconds: Int
        var restSeconds: Int
        var perDay: Int
        var daysPerWeek: Int
        var sides: [Choice]
    }

    func renderEdit(_ req: Request, id: String, draft: Exercise? = nil, error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let row = try await ExerciseService(ctx: req.context).editable(id)
        let e = draft ?? row.body.value
        let context = EditContext(
            id: e.id, action: Paths.exerciseEdit(e.id), back: Paths.exercise(e.id), name: e.name, summary: e.summary,
            instructions: e.instructions.joined(separator: "\n"), cues: e.cues.joined(separator: "\n"),
            mistakes: e.mistakes.joined(separator: "\n"), safety: e.safety.joined(separator: "\n"),
            regions: ExerciseRegion.allCases.map { Choice(value: $0.rawValue, label: $0.displayName, selected: e.regions.contains($0)) },
            categories: Self.choices(Array(ExerciseCategory.allCases), selected: e.category, label: \.displayName),
            positions: Self.choices(Array(ExercisePosition.allCases), selected: e.position, label: \.displayName),
            equipment: Equipment.allCases.map { Choice(value: $0.rawValue, label: $0.displayName, selected: e.equipment.contains($0)) },
            difficulty: e.difficulty, sets: e.dose.sets, reps: e.dose.reps, holdSeconds: e.dose.holdSeconds, restSeconds: e.dose.restSeconds,
            perDay: e.dose.perDay, daysPerWeek: e.dose.daysPerWeek,
            sides: Self.choices(Array(Dose.Side.allCases), selected: e.dose.side, label: \.displayName))
        return try await WebPage.render(req, "exercise-edit", title: "Edit \(e.name)", context,
                                        notice: WebPage.notice(req, ["copied": "This is your clinic's copy. Change it here; the library's version stays as it was."]),
                                        error: error, status: status)
    }

    func editPage(req: Request) async throws -> Response {
        try await renderEdit(req, id: req.parameters.get("exerciseID") ?? "")
    }

    /// The edit form: lists one item per line; checkboxes arrive as repeated fields.
    struct EditForm: Content {
        var name: String?
        var summary: String?
        var instructions: String?
        var cues: String?
        var mistakes: String?
        var safety: String?
        var regions: [String]?
        var category: String?
        var position: String?
        var equipment: [String]?
        var difficulty: String?
        var sets: String?
        var reps: String?
        var holdSeconds: String?
        var restSeconds: String?
        var perDay: String?
        var daysPerWeek: String?
        var side: String?

        func draft() throws -> ExerciseDraft {
            func lines(_ text: String?) -> [String]? { text.map { $0.split(whereSeparator: \.isNewline).map(String.init) } }
            func number(_ text: String?, _ name: String) throws -> Int? {
                guard let text = text?.trimmingWhitespace(), !text.isEmpty else { return nil }
                guard let n = Int(text) else { throw DomainError.invalid("number-invalid", "\(name) must be a whole number.") }
                return n
            }
            func choice<T: RawRepresentable>(_ raw: String?, _: T.Type, _ name: String) throws -> T? where T.RawValue == String {
                guard let raw, !raw.isEmpty else { return nil }
                guard let value = T(rawValue: raw) else { throw DomainError.invalid("choice-invalid", "Choose a \(name) from the list.") }
                return value
            }
            return ExerciseDraft(
                name: name, summary: summary,
                regions: try (regions ?? []).map { try choice($0, ExerciseRegion.self, "region")! },
                category: try choice(category, ExerciseCategory.self, "category"),
                equipment: try (equipment ?? []).map { try choice($0, Equipment.self, "piece of equipment")! }.nilIfEmpty ?? [.none],
                position: try choice(position, ExercisePosition.self, "position"), difficulty: try number(difficulty, "Difficulty"),
                instructions: lines(instructions), cues: lines(cues), mistakes: lines(mistakes), safety: lines(safety),
                dose: DoseChange(sets: try number(sets, "Sets"), reps: try number(reps, "Repetitions"), holdSeconds: try number(holdSeconds, "Hold"),
                                 restSeconds: try number(restSeconds, "Rest"), perDay: try number(perDay, "Times a day"),
                                 daysPerWeek: try number(daysPerWeek, "Days a week"), side: try choice(side, Dose.Side.self, "side")))
        }
    }

    func save(req: Request) async throws -> Response {
        let ctx = req.context
        let id = req.parameters.get("exerciseID") ?? ""
        let row = try await ExerciseService(ctx: ctx).editable(id)
        var typed: Exercise?
        return try await WebPage.submitting({
            let draft = try req.form(EditForm.self).draft()
            typed = draft.applied(to: row.body.value, id: id)
            _ = try await ExerciseService(ctx: ctx).update(id, draft: draft)
            return WebPage.seeOther(Paths.exercise(id, query: ["notice": "saved"]))
        }, orShow: { message, status in try await renderEdit(req, id: id, draft: typed, error: message, status: status) })
    }

    func archive(req: Request) async throws -> Response {
        try await ExerciseService(ctx: req.context).archive(req.parameters.get("exerciseID") ?? "")
        return WebPage.seeOther(Paths.exercises())
    }

    func addMedia(req: Request) async throws -> Response {
        let id = req.parameters.get("exerciseID") ?? ""
        return try await WebPage.submitting({
            _ = try await addMedia(req.context, req)
            return WebPage.seeOther(Paths.exercise(id, query: ["notice": "media-added"]))
        }, orShow: { message, status in try await renderDetail(req, id: id, error: message, status: status) })
    }

    func removeMedia(req: Request) async throws -> Response {
        let id = req.parameters.get("exerciseID") ?? ""
        try await MediaService(ctx: req.context).remove(id, try req.uuidParameter("mediaID"))
        return WebPage.seeOther(Paths.exercise(id, query: ["notice": "media-removed"]))
    }

    // MARK: Protocol pages

    struct ProtocolRow: Encodable {
        var name: String
        var condition: String
        var summary: String
        var link: String
        var phases: Int
    }

    func protocolsPage(req: Request) async throws -> Response {
        _ = try req.context.requireUser()
        struct Context: Encodable {
            var protocols: [ProtocolRow]
            var library: String
        }
        let rows = req.context.content.protocols.protocols.map {
            ProtocolRow(name: $0.name, condition: $0.condition, summary: $0.summary, link: Paths.conditionProtocol($0.id), phases: $0.phases.count)
        }
        return try await WebPage.render(req, "protocols", title: "Condition protocols", Context(protocols: rows, library: Paths.exercises()))
    }

    struct PhaseView: Encodable {
        var number: Int
        var name: String
        var weeks: String
        var goals: [String]
        var precautions: [String]
        var criteria: [String]
        var blocks: [BlockView]
    }

    struct BlockView: Encodable {
        var name: String
        var items: [ItemView]
    }

    struct ItemView: Encodable {
        var name: String
        var link: String
        var dose: String
        var note: String
    }

    func protocolPage(req: Request) async throws -> Response {
        let ctx = req.context
        _ = try ctx.requireUser()
        guard let p = ctx.content.protocols.protocol(id: req.parameters.get("protocolID") ?? "") else {
            throw DomainError.notFound("protocol-not-found", "No protocol with that id.")
        }
        struct Context: Encodable {
            var name: String
            var condition: String
            var summary: String
            var sources: [String]
            var cautions: [String]
            var phases: [PhaseView]
            var back: String
        }
        let library = ctx.content.exercises
        let phases = p.phases.enumerated().map { index, phase in
            PhaseView(number: index + 1, name: phase.name, weeks: phase.weeks, goals: phase.goals, precautions: phase.precautions,
                      criteria: phase.progressionCriteria, blocks: phase.blocks.filter { !$0.1.isEmpty }.map { block, items in
                          BlockView(name: block.displayName, items: items.compactMap { item in
                              library.exercise(id: item.exercise).map { e in
                                  ItemView(name: e.name, link: Paths.exercise(e.id), dose: (item.dose ?? DoseChange()).applied(to: e.dose).summary,
                                           note: item.note ?? "")
                              }
                          })
                      })
        }
        return try await WebPage.render(req, "protocol", title: p.name, Context(
            name: p.name, condition: p.condition, summary: p.summary, sources: p.sources, cautions: p.cautions, phases: phases,
            back: Paths.protocols()))
    }
}

extension Array {
    var nilIfEmpty: Self? { isEmpty ? nil : self }
}
