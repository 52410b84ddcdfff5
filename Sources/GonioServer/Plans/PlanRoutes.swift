import Vapor
import Fluent
import GonioCore

/// A patient's plan of care: the current version as JSON and as a page, the therapist's
/// editor (from the library or a protocol phase), the version history, ending a plan, and a
/// printable handout.
struct PlanRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.plan, use: getAPI)
        routes.api.post(Paths.API.plan, use: createAPI)
        routes.api.put(Paths.API.plan, use: reviseAPI)
        routes.api.get(Paths.API.planVersions, use: versionsAPI)
        routes.api.post(Paths.API.planEnd, use: endAPI)

        routes.web.get(Paths.plan, use: page)
        routes.web.get(Paths.planEdit, use: editor)
        routes.web.post(Paths.planEdit, use: save)
        routes.web.post(Paths.planEnd, use: end)
        routes.web.get(Paths.planHandout, use: handout)
    }

    static func resource(_ id: UUID) -> String { "patient/\(id)/plan" }

    // MARK: API

    func getAPI(req: Request) async throws -> PlanDTO {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.planRead, patientID: id, resource: Self.resource(id))
        let service = PlanService(ctx: ctx)
        return try PlanDTO(try await service.requireActive(patient), patient: patient, exercise: try await service.exercises(for: patient))
    }

    func createAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let dto = try await req.context.gate.change(.planCreate, patientID: id, resource: Self.resource(id)) { patient, tx in
            let input = try req.content.decode(PlanInput.self)
            let service = PlanService(ctx: tx)
            let exercises = try await service.exercises(for: patient)
            let content = try input.content(base: nil, today: patient.day(at: tx.now), library: tx.content, exercise: exercises)
            return try PlanDTO(try await service.create(patient, content: content, reason: input.reason), patient: patient, exercise: exercises)
        }
        return try await dto.encodeResponse(status: .created, for: req)
    }

    func reviseAPI(req: Request) async throws -> PlanDTO {
        let id = try req.uuidParameter("patientID")
        return try await req.context.gate.change(.planRevise, patientID: id, resource: Self.resource(id)) { patient, tx in
            let input = try req.content.decode(PlanInput.self)
            let service = PlanService(ctx: tx)
            let exercises = try await service.exercises(for: patient)
            let current = try await service.requireActive(patient)
            let content = try input.content(base: current.content, today: patient.day(at: tx.now), library: tx.content, exercise: exercises)
            return try PlanDTO(try await service.revise(patient, content: content, reason: input.reason, baseVersion: input.baseVersion),
                               patient: patient, exercise: exercises)
        }
    }

    func versionsAPI(req: Request) async throws -> [PlanVersionDTO] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.planRead, patientID: id, resource: Self.resource(id) + "/versions")
        // The history (who changed what, and why) is part of the clinical record.
        try await ctx.gate.require(.viewClinical, of: patient, resource: Self.resource(id) + "/versions")
        return try await versions(ctx, patient)
    }

    func versions(_ ctx: CallContext, _ patient: AuthorizedPatient) async throws -> [PlanVersionDTO] {
        let service = PlanService(ctx: ctx)
        guard let plan = try await service.latest(patient) else { return [] }
        return try await service.versions(of: plan.requireID()).reversed().map {
            PlanVersionDTO(version: $0.version, reason: $0.reason, createdAt: $0.createdAt, createdBy: $0.createdBy?.name,
                           effectiveDay: $0.effectiveDay, title: $0.content.value.title, exercises: $0.content.value.items.count)
        }
    }

    struct EndBody: Content {
        var reason: String?
    }

    func endAPI(req: Request) async throws -> HTTPStatus {
        let id = try req.uuidParameter("patientID")
        _ = try await req.context.gate.change(.planEnd, patientID: id, resource: Self.resource(id)) { patient, tx in
            try await PlanService(ctx: tx).end(patient, reason: try req.content.decode(EndBody.self).reason).requireID()
        }
        return .noContent
    }

    // MARK: The plan page

    struct ItemView: Encodable {
        var id: String
        var name: String
        var link: String
        var dose: String
        var frequency: String
        var notes: String
        var picture: String
        var summary: String
    }

    struct BlockView: Encodable {
        var name: String
        var items: [ItemView]
    }

    static func blocks(_ content: PlanContent, exercise: (String) -> Exercise?) -> [BlockView] {
        PlanItem.Block.allCases.compactMap { block in
            let items = content.items.filter { $0.block == block }.compactMap { item -> ItemView? in
                guard let e = exercise(item.exerciseID) else { return nil }
                let drawing = FigureDrawing(e)
                var frequency = item.dose.frequency
                if item.weekdays != nil || item.dose.daysPerWeek < 7 {
                    frequency += " (" + item.days.sorted().map { String(CalendarDay.weekdayNames[$0 - 1].prefix(3)) }.joined(separator: ", ") + ")"
                }
                return ItemView(id: item.id, name: e.name, link: Paths.exercise(e.id), dose: item.dose.summary, frequency: frequency,
                                notes: item.notes ?? "", picture: drawing.map { $0.svg(pose: $0.poses.count - 1, title: e.name) } ?? "",
                                summary: e.summary)
            }
            return items.isEmpty ? nil : BlockView(name: block.displayName, items: items)
        }
    }

    struct VersionRow: Encodable {
        var version: Int
        var when: String
        var by: String
        var reason: String
    }

    struct PageContext: Encodable {
        var patientId: String
        var patientName: String
        var hasPlan: Bool
        var title: String
        var dates: String
        var phase: String
        var notes: String
        var version: Int
        var blocks: [BlockView]
        var versions: [VersionRow]
        var mayEdit: Bool
        var mayPractise: Bool
        var editLink: String
        var endAction: String
        var handoutLink: String
        var playerLink: String
        var practiceLink: String
        var protocolsLink: String
    }

    static func dates(_ c: PlanContent) -> String {
        "From \(c.startDate.longName) \(c.startDate.year)" + (c.endDate.map { " to \($0.longName) \($0.year)" } ?? "")
    }

    func page(req: Request) async throws -> Response {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.planRead, patientID: id, resource: Self.resource(id))
        let service = PlanService(ctx: ctx)
        let current = try await service.active(patient)
        let exercises = try await service.exercises(for: patient)
        let versions = patient.may(.viewClinical) ? try await self.versions(ctx, patient) : []
        let c = current?.content
        let context = PageContext(
            patientId: id.uuidString, patientName: patient.name, hasPlan: current != nil, title: c?.title ?? "",
            dates: c.map(Self.dates) ?? "", phase: c?.phase ?? "", notes: c?.notes ?? "", version: current?.version.version ?? 0,
            blocks: c.map { Self.blocks($0, exercise: exercises) } ?? [],
            versions: versions.map { VersionRow(version: $0.version, when: DashboardRoutes.dayFormat.string(from: $0.createdAt),
                                                by: $0.createdBy ?? "", reason: $0.reason) },
            mayEdit: patient.may(.writeClinical), mayPractise: patient.may(.logPractice), editLink: Paths.planEdit(id),
            endAction: Paths.planEnd(id), handoutLink: Paths.planHandout(id), playerLink: Paths.player(id), practiceLink: Paths.practice(id),
            protocolsLink: Paths.protocols())
        return try await WebPage.render(req, "plan", title: "Plan of care", context, notice: WebPage.notice(req, [
            "saved": "The plan was saved. The patient sees this version now.", "ended": "The plan was ended.",
        ]))
    }

    // MARK: The editor

    struct Row: Encodable {
        var index: Int
        var id: String
        var exerciseId: String
        var name: String
        var link: String
        var picture: String
        var blocks: [Choice]
        var sets: Int
        var reps: Int
        var holdSeconds: Int
        var restSeconds: Int
        var perDay: Int
        var daysPerWeek: Int
        var sides: [Choice]
        var load: String
        var notes: String
    }

    struct OptionGroup: Encodable {
        var label: String
        var options: [Choice]
    }

    struct EditorContext: Encodable {
        var patientId: String
        var patientName: String
        var action: String
        var back: String
        var isNew: Bool
        var baseVersion: Int
        var title: String
        var startDate: String
        var endDate: String
        var phase: String
        var protocolId: String
        var notes: String
        var reason: String
        var rows: [Row]
        var library: [OptionGroup]
        var protocols: [OptionGroup]
        var chosenProtocol: String
        var today: String
    }

    /// What the editor shows and posts back: the content being edited and the change's reason.
    struct Draft {
        var content: PlanContent
        var reason: String = ""
        var baseVersion: Int = 0
    }

    func renderEditor(_ req: Request, patientID: UUID, draft given: Draft? = nil, error: String? = nil,
                      status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = req.context
        let patient = try await ctx.gate.authorize(.planRead, patientID: patientID, resource: Self.resource(patientID) + "/edit")
        try await ctx.gate.require(.writeClinical, of: patient, resource: Self.resource(patientID) + "/edit")
        let service = PlanService(ctx: ctx)
        let current = try await service.active(patient)
        let exercises = try await service.exercises(for: patient)
        let today = patient.day(at: ctx.now)
        var draft = given ?? Draft(content: current?.content ?? PlanContent(title: "Home exercise plan", startDate: today, items: []),
                                   baseVersion: current?.version.version ?? 0)
        var chosen = ""
        // Starting from a protocol phase fills the editor; nothing is saved until the therapist saves.
        if given == nil, let pick = try? req.query.get(String.self, at: "protocol"), !pick.isEmpty {
            let parts = pick.split(separator: ":")
            guard parts.count == 2, let phase = Int(parts[1]), let found = ctx.content.protocols.protocol(id: String(parts[0])) else {
                throw DomainError.invalid("protocol-unknown", "Choose a protocol and phase from the list.")
            }
            let built = try PlanContent.from(found, phase: phase - 1, start: today, exercises: ctx.content.exercises) { UUID().uuidString.lowercased() }
            draft.content = built
            draft.reason = current == nil ? "" : "Moved to \(found.name): \(built.phase ?? "")"
            chosen = pick
        }
        let library = try await ExerciseService(ctx: ctx).search(.init())
        let groups = ExerciseRegion.allCases.map { region in
            OptionGroup(label: region.displayName, options: library.filter { $0.regions.first == region }
                .sorted { $0.name < $1.name }.map { Choice(value: $0.id, label: "\($0.name) (\($0.position.displayName.lowercased()), level \($0.difficulty))", selected: false) })
        }
        let protocolGroups = ctx.content.protocols.protocols.map { p in
            OptionGroup(label: p.name, options: p.phases.enumerated().map { i, phase in
                Choice(value: "\(p.id):\(i + 1)", label: "\(p.name): phase \(i + 1), \(phase.name) (\(phase.weeks.lowercased()))", selected: chosen == "\(p.id):\(i + 1)")
            })
        }
        let c = draft.content
        let rows = c.items.enumerated().map { index, item in
            let e = exercises(item.exerciseID)
            return Row(index: index, id: item.id, exerciseId: item.exerciseID, name: e?.name ?? item.exerciseID, link: Paths.exercise(item.exerciseID),
                       picture: e.flatMap(FigureDrawing.init).map { $0.svg(pose: $0.poses.count - 1, title: e?.name ?? "") } ?? "",
                       blocks: PlanItem.Block.allCases.map { Choice(value: $0.rawValue, label: $0.displayName, selected: $0 == item.block) },
                       sets: item.dose.sets, reps: item.dose.reps, holdSeconds: item.dose.holdSeconds, restSeconds: item.dose.restSeconds,
                       perDay: item.dose.perDay, daysPerWeek: item.dose.daysPerWeek,
                       sides: Dose.Side.allCases.map { Choice(value: $0.rawValue, label: $0.displayName, selected: $0 == item.dose.side) },
                       load: item.dose.load ?? "", notes: item.notes ?? "")
        }
        let context = EditorContext(
            patientId: patientID.uuidString, patientName: patient.name, action: Paths.planEdit(patientID), back: Paths.plan(patientID),
            isNew: current == nil, baseVersion: draft.baseVersion, title: c.title, startDate: c.startDate.description,
            endDate: c.endDate?.description ?? "", phase: c.phase ?? "", protocolId: c.protocolID ?? "", notes: c.notes ?? "",
            reason: draft.reason, rows: rows, library: groups.filter { !$0.options.isEmpty }, protocols: protocolGroups,
            chosenProtocol: chosen, today: today.description)
        return try await WebPage.render(req, "plan-edit", title: current == nil ? "New plan of care" : "Change the plan", context,
                                        error: error, status: status)
    }

    func editor(req: Request) async throws -> Response {
        try await renderEditor(req, patientID: req.uuidParameter("patientID"))
    }

    /// The editor's fields: `title`, dates, `notes`, `reason`, `baseVersion`, and one group per
    /// exercise row, `item-<n>-<field>`; `action` is `add` (add the exercise named in `add`,
    /// save nothing), `remove-<n>`, or `save`.
    static func draft(from fields: [String: String], exercise: (String) -> Exercise?) throws -> (Draft, action: String) {
        func text(_ key: String) -> String { fields[key]?.trimmingWhitespace() ?? "" }
        func number(_ key: String, _ name: String) throws -> Int? {
            let raw = text(key)
            if raw.isEmpty { return nil }
            guard raw.count <= 6, let n = Int(raw) else { throw DomainError.invalid("number-invalid", "\(name) must be a whole number.") }
            return n
        }
        let start = try CalendarDay(text("startDate"))
        let end = text("endDate").isEmpty ? nil : try CalendarDay(text("endDate"))
        let indices = Set(fields.keys.compactMap { key -> Int? in
            guard key.hasPrefix("item-") else { return nil }
            return key.dropFirst(5).split(separator: "-").first.flatMap { Int($0) }
        }).filter { $0 < 100 }.sorted()
        var items: [PlanItem] = []
        for i in indices {
            let key = "item-\(i)-"
            guard let e = exercise(text(key + "exercise")) else { continue }
            let label = "\(e.name)"
            var dose = e.dose
            dose.sets = try number(key + "sets", "\(label): sets") ?? dose.sets
            dose.reps = try number(key + "reps", "\(label): repetitions") ?? dose.reps
            dose.holdSeconds = try number(key + "hold", "\(label): hold") ?? dose.holdSeconds
            dose.restSeconds = try number(key + "rest", "\(label): rest") ?? dose.restSeconds
            dose.perDay = try number(key + "perDay", "\(label): times a day") ?? dose.perDay
            dose.daysPerWeek = try number(key + "days", "\(label): days a week") ?? dose.daysPerWeek
            dose.side = Dose.Side(rawValue: text(key + "side")) ?? dose.side
            dose.load = text(key + "load").isEmpty ? nil : text(key + "load")
            items.append(PlanItem(id: text(key + "id").isEmpty ? UUID().uuidString.lowercased() : text(key + "id"), exerciseID: e.id,
                                  block: PlanItem.Block(rawValue: text(key + "block")) ?? .main, dose: dose,
                                  notes: text(key + "notes").isEmpty ? nil : text(key + "notes")))
        }
        let content = PlanContent(title: text("title"), startDate: start, endDate: end,
                                  protocolID: text("protocolId").isEmpty ? nil : text("protocolId"),
                                  phase: text("phase").isEmpty ? nil : text("phase"), notes: text("notes").isEmpty ? nil : text("notes"),
                                  items: items)
        return (Draft(content: content, reason: text("reason"), baseVersion: try number("baseVersion", "The version") ?? 0), text("action"))
    }

    func save(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let ctx = req.context
        return try await WebPage.submitting({
            let fields = try req.form([String: String].self)
            // Adding or removing a row only redraws the editor: nothing is saved yet.
            let action = fields["action"] ?? "save"
            if action == "add" || action.hasPrefix("remove-") {
                let patient = try await ctx.gate.authorize(.planRead, patientID: id, resource: Self.resource(id) + "/edit")
                let exercises = try await PlanService(ctx: ctx).exercises(for: patient)
                var (draft, _) = try Self.draft(from: fields, exercise: exercises)
                if action == "add" {
                    guard let e = exercises(fields["add"] ?? "") else { throw DomainError.invalid("exercise-unknown", "Choose an exercise to add.") }
                    draft.content.items.append(PlanItem(id: UUID().uuidString.lowercased(), exerciseID: e.id, dose: e.dose))
                } else if let n = Int(action.dropFirst(7)), draft.content.items.indices.contains(n) {
                    draft.content.items.remove(at: n)
                }
                return try await renderEditor(req, patientID: id, draft: draft)
            }
            let isNew = (fields["baseVersion"] ?? "0") == "0"
            _ = try await ctx.gate.change(isNew ? .planCreate : .planRevise, patientID: id, resource: Self.resource(id)) { patient, tx in
                let service = PlanService(ctx: tx)
                let (draft, _) = try Self.draft(from: fields, exercise: try await service.exercises(for: patient))
                return isNew ? try await service.create(patient, content: draft.content, reason: draft.reason.isEmpty ? nil : draft.reason).plan.requireID()
                    : try await service.revise(patient, content: draft.content, reason: draft.reason, baseVersion: draft.baseVersion).plan.requireID()
            }
            return WebPage.seeOther(Paths.plan(id, query: ["notice": "saved"]))
        }, orShow: { message, status in
            // The editor again with what the therapist typed, when it can be read back.
            let patient = try await ctx.gate.authorize(.planRead, patientID: id, resource: Self.resource(id) + "/edit")
            let exercises = try await PlanService(ctx: ctx).exercises(for: patient)
            let fields = try? req.form([String: String].self)
            let typed = fields.flatMap { try? Self.draft(from: $0, exercise: exercises).0 }
            return try await renderEditor(req, patientID: id, draft: typed, error: message, status: status)
        })
    }

    func end(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        return try await WebPage.submitting({
            _ = try await req.context.gate.change(.planEnd, patientID: id, resource: Self.resource(id)) { patient, tx in
                try await PlanService(ctx: tx).end(patient, reason: try req.form(EndBody.self).reason).requireID()
            }
            return WebPage.seeOther(Paths.plan(id, query: ["notice": "ended"]))
        }, orShow: { message, status in
            try await WebPage.errorPage(req, status: status, message: message)
        })
    }

    // MARK: Handout

    struct HandoutItem: Encodable {
        var number: Int
        var name: String
        var block: String
        var dose: String
        var frequency: String
        var notes: String
        var instructions: [String]
        var cues: [String]
        var safety: [String]
        var stills: [ExerciseRoutes.Still]
    }

    func handout(req: Request) async throws -> Response {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.planRead, patientID: id, resource: Self.resource(id) + "/handout")
        let service = PlanService(ctx: ctx)
        let current = try await service.requireActive(patient)
        let exercises = try await service.exercises(for: patient)
        let c = current.content
        let items = c.items.enumerated().compactMap { index, item -> HandoutItem? in
            guard let e = exercises(item.exerciseID) else { return nil }
            let drawing = FigureDrawing(e)
            return HandoutItem(number: index + 1, name: e.name, block: item.block.displayName, dose: item.dose.summary,
                               frequency: item.dose.frequency, notes: item.notes ?? "", instructions: e.instructions, cues: e.cues,
                               safety: e.safety,
                               stills: drawing.map { d in d.poses.indices.map { ExerciseRoutes.Still(label: d.poses[$0].label, svg: d.svg(pose: $0, title: e.name)) } } ?? [])
        }
        struct Context: Encodable {
            var patientName: String
            var title: String
            var dates: String
            var notes: String
            var version: Int
            var printed: String
            var items: [HandoutItem]
            var back: String
        }
        return try await WebPage.render(req, "plan-handout", title: "Exercise handout", Context(
            patientName: patient.name, title: c.title, dates: Self.dates(c), notes: c.notes ?? "", version: current.version.version,
            printed: patient.day(at: ctx.now).longName, items: items, back: Paths.plan(id)))
    }
}
