import Vapor
import Fluent
import SQLKit

func routes(_ app: Application) throws {
    app.get("health", use: health)
    app.get("metrics") { _ -> Response in
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: GonioMetrics.render()))
    }
    try app.register(collection: APIController())
    try app.register(collection: MeasuresController())
    try app.register(collection: IntakeController())
    try app.register(collection: MeasureAssignmentController())
    try app.register(collection: NotesController())
    try app.grouped(CSRFProtection()).register(collection: WebController())
    try app.grouped(CSRFProtection()).register(collection: IntakePages())
    try app.grouped(CSRFProtection()).register(collection: MeasurePages())
    try app.grouped(CSRFProtection()).register(collection: NotePages())
    try app.grouped(CSRFProtection()).register(collection: EvaluationPages())
}

struct HealthDTO: Content {
    var status: String
    var database: String
}

/// 200 once the database answers; 503 otherwise.
@Sendable func health(req: Request) async throws -> Response {
    let started = ContinuousClock.now
    do {
        if let sql = req.db as? any SQLDatabase {
            try await sql.raw("SELECT 1").run()
        }
    } catch {
        req.logger.warning("health check: database unreachable")
        let body = HealthDTO(status: "unavailable", database: req.config.database.kindName)
        return try await body.encodeResponse(status: .serviceUnavailable, for: req)
    }
    let elapsed = ContinuousClock.now - started
    GonioMetrics.dbPing.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    return try await HealthDTO(status: "ok", database: req.config.database.kindName).encodeResponse(for: req)
}
