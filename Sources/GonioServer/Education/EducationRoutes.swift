import Vapor
import GonioCore

/// Condition articles: the library (anyone signed in), a patient's assigned articles with their
/// read status, and the article page, which counts as read when the patient's side opens it.
struct EducationRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.articles, use: listAPI)
        routes.api.get(Paths.API.article, use: articleAPI)
        routes.api.get(Paths.API.education, use: assignedAPI)
        routes.api.post(Paths.API.educationRead, use: markReadAPI)
        routes.web.get(Paths.article, use: libraryPage)
        routes.web.get(Paths.patientArticle, use: patientPage)
    }

    static func resource(_ id: UUID) -> String { "patient/\(id)/education" }

    struct Listed: Content {
        var id: String
        var protocolId: String
        var title: String
        var summary: String
        var readingMinutes: Int
    }

    func listAPI(req: Request) async throws -> [Listed] {
        _ = try req.context.requireUser()
        return req.context.clinicalContent.education.articles.map {
            Listed(id: $0.id, protocolId: $0.protocol, title: $0.title, summary: $0.summary, readingMinutes: $0.readingMinutes)
        }
    }

    static func find(_ req: Request) throws -> EducationArticle {
        guard let id = req.parameters.get("articleID"), let a = req.context.clinicalContent.education.article(id: id) else {
            throw DomainError.notFound("article-not-found", "No such article.")
        }
        return a
    }

    func articleAPI(req: Request) async throws -> EducationArticle {
        _ = try req.context.requireUser()
        return try Self.find(req)
    }

    func assignedAPI(req: Request) async throws -> [EducationService.Assigned] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.educationRead, patientID: id, resource: Self.resource(id))
        return try await EducationService(ctx: ctx).assigned(patient)
    }

    func markReadAPI(req: Request) async throws -> HTTPStatus {
        let id = try req.uuidParameter("patientID")
        let articleID = req.parameters.get("articleID") ?? ""
        _ = try await req.context.gate.change(.educationMarkRead, patientID: id, resource: Self.resource(id) + "/\(articleID.prefix(80))") { patient, tx in
            try await EducationService(ctx: tx).markRead(patient, articleID: articleID)
            return id
        }
        return .noContent
    }

    struct Context: Encodable {
        var article: EducationArticle
        var back: String?
        var readNote: String?
    }

    func libraryPage(req: Request) async throws -> Response {
        _ = try req.context.requireUser()
        let a = try Self.find(req)
        return try await WebPage.render(req, "article", title: a.title, Context(article: a, back: nil, readNote: nil))
    }

    /// A patient's article; opened by the patient's side, it counts as read.
    func patientPage(req: Request) async throws -> Response {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.educationRead, patientID: id, resource: Self.resource(id))
        let a = try Self.find(req)
        var note: String?
        if patient.may(.logPractice) && !patient.may(.writeClinical) {
            _ = try await ctx.gate.change(.educationMarkRead, patientID: id, resource: Self.resource(id) + "/\(a.id)") { patient, tx in
                try await EducationService(ctx: tx).markRead(patient, articleID: a.id)
                return id
            }
        } else if let read = try await EducationService(ctx: ctx).assigned(patient).first(where: { $0.id == a.id }) {
            note = read.readAt.map { "\(patient.name) read this on \(patient.day(at: $0).longName)." } ?? "\(patient.name) has not opened this yet."
        }
        return try await WebPage.render(req, "article", title: a.title, Context(article: a, back: Paths.progressPage(id), readNote: note))
    }
}
extension EducationArticle: Content {}
extension EducationArticle.Section: Content {}
