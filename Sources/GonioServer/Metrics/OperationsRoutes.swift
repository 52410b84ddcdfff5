import Vapor
import SQLKit

/// `/health` (200 once the database answers, 503 otherwise) and `/metrics` (Prometheus).
struct OperationsRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.openAPI.get(Paths.health, use: health)
        routes.openAPI.get(Paths.metrics, use: metrics)
    }

    struct HealthDTO: Content {
        var status: String
        var database: String
    }

    func health(req: Request) async throws -> Response {
        let started = ContinuousClock.now
        do {
            if let sql = req.database as? any SQLDatabase {
                try await sql.raw("SELECT 1").run()
            }
        } catch {
            req.logger.warning("health check: database unreachable")
            return try await HealthDTO(status: "unavailable", database: req.config.database.kindName)
                .encodeResponse(status: .serviceUnavailable, for: req)
        }
        let elapsed = ContinuousClock.now - started
        GonioMetrics.dbPing.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        return try await HealthDTO(status: "ok", database: req.config.database.kindName).encodeResponse(for: req)
    }

    func metrics(req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: GonioMetrics.render()))
    }
}
