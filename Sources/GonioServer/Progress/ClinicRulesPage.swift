import Vapor
import GonioCore

/// `/clinic/progression-rules`: the rules the progression engine and the player follow in a
/// clinic, each in plain words with its value. The clinic's admins change them here (the same
/// service as `PUT /api/v1/clinics/{id}/progression-rules`); its therapists read them.
struct ClinicRulesPage: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.web.get(Paths.clinicRules, use: page)
        routes.web.post(Paths.clinicRules, use: save)
    }

    struct Row: Encodable {
        var key: String
        var label: String
        var value: String
        var step: String
        var changed: Bool
    }

    struct Context: Encodable {
        var clinicId: String
        var clinicName: String
        var version: Int
        var isDefault: Bool
        var updatedOn: String?
        var editable: Bool
        var rows: [Row]
        var sources: [String]
        var message: String?
        var action: String
    }

    /// The clinic asked for, else the first the user administers, else the first they work in.
    private func clinicID(_ req: Request, form: String? = nil) throws -> UUID {
        let user = try req.context.requireUser()
        let asked = form ?? (try? req.query.get(String.self, at: "clinic"))
        if let asked {
            guard let id = UUID(uuidString: asked) else { throw DomainError.notFound() }
            return id
        }
        guard let id = user.adminClinicIDs.first ?? user.clinicIDs.first else { throw DomainError.notFound() }
        return id
    }

    func page(req: Request) async throws -> Response {
        let id = try clinicID(req)
        return try await render(req, try await ClinicRulesService(ctx: req.context).visible(clinicID: id), fields: nil, message: nil, status: .ok)
    }

    func render(_ req: Request, _ current: ClinicRulesService.Current, fields: [String: String]?, message: String?,
                status: HTTPResponseStatus) async throws -> Response {
        let ctx = req.context
        let user = try ctx.requireUser()
        let clinic = try await ClinicModel.find(current.clinicID, on: ctx.db)
        let defaults = ProgressionRules.defaults.described
        let rows = zip(current.rules.described, defaults).map { rule, standard in
            Row(key: rule.key, label: rule.label, value: fields?[rule.key] ?? Progression.n(rule.value),
                step: rule.wholeNumber ? "1" : "any", changed: rule.value != standard.value)
        }
        let context = Context(
            clinicId: current.clinicID.uuidString, clinicName: clinic?.name ?? "Your clinic", version: current.rules.version,
            isDefault: current.isDefault, updatedOn: current.updatedAt.map { CalendarDay(utc: $0).longName },
            editable: user.role == .clinicAdmin && user.adminClinicIDs.contains(current.clinicID),
            rows: rows, sources: ProgressRoutes.sources, message: message, action: Paths.clinicRules())
        return try await WebPage.render(req, "clinic-rules", title: "Progression rules", context,
                                        notice: WebPage.notice(req, ["saved": "The rules are saved. New suggestions follow them; those waiting stay as they are until the next log."]),
                                        status: status)
    }

    func save(req: Request) async throws -> Response {
        let fields = (try? req.content.decode([String: String].self)) ?? [:]
        let id = try clinicID(req, form: fields["clinic"])
        let service = ClinicRulesService(ctx: req.context)
        let current = try await service.visible(clinicID: id)
        return try await WebPage.submitting({
            let rules = try Self.rules(from: fields)
            let base = Int(fields["baseVersion"] ?? "") ?? current.rules.version
            _ = try await service.save(clinicID: id, rules: rules, baseVersion: base)
            return WebPage.seeOther(Paths.clinicRules(query: ["clinic": id.uuidString, "notice": "saved"]))
        }, orShow: { message, status in
            // The API names a field by its key; the page by the words beside its box.
            let rule = ProgressionRules.defaults.described.first { message.hasPrefix($0.key + " ") }
            let shown = rule.map { "\"\($0.label)\"" + message.dropFirst($0.key.count) } ?? message
            return try await render(req, current, fields: fields, message: shown, status: status)
        })
    }

    /// The form's numbers as rules: each field by its key; a blank one takes the default.
    static func rules(from fields: [String: String]) throws -> ProgressionRules {
        var members: [String] = []
        for rule in ProgressionRules.defaults.described {
            let text = fields[rule.key]?.trimmingCharacters(in: .whitespaces) ?? ""
            guard !text.isEmpty else { continue }
            guard let value = Double(text), value.isFinite, abs(value) < 1e6 else {
                throw DomainError.invalid("rules-invalid", "\"\(rule.label)\" needs a number.")
            }
            guard !rule.wholeNumber || value == value.rounded() else {
                throw DomainError.invalid("rules-invalid", "\"\(rule.label)\" is a whole number.")
            }
            // Whole numbers are written as integers, so the rules read them as Int.
            members.append("\"\(rule.key)\":\(rule.wholeNumber ? String(Int(value)) : String(value))")
        }
        let json = "{" + members.joined(separator: ",") + "}"
        return try JSONDecoder().decode(ProgressionRules.self, from: Data(json.utf8))
    }
}
