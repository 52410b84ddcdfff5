import Vapor
import GonioCore

extension MeasureScore: Content {}

/// Outcome-measure definitions and scoring. Pure computation on the caller's numbers: no
/// patient data is read or stored here, so no sign-in is needed.
struct MeasuresController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let measures = routes.grouped("api", "v1", "measures")
        measures.get(use: list)
        measures.post(":code", "score", use: score)
    }

    func list(req: Request) async throws -> Response {
        let body = try ClinicalCommands.json(MeasureLibrary.all.map(ClinicalCommands.MeasureOut.init))
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(string: body))
    }

    struct ScoreRequest: Content {
        /// One value per item in item order; null = unanswered. PSFS takes 1 to 5 activity ratings.
        var answers: [Double?]
    }

    func score(req: Request) async throws -> MeasureScore {
        let code = req.parameters.get("code") ?? ""
        guard let measure = MeasureLibrary.measure(code: code) else {
            throw DomainError.notFound("measure-not-found", "No measure with that code; GET /api/v1/measures lists them.")
        }
        let body = try req.content.decode(ScoreRequest.self)
        return try MeasureScoring.score(measure, values: body.answers)
    }
}
