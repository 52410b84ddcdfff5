import Vapor
import GonioCore

/// /api/v1/patients/{id}/measures: assigned outcome measures, their completion and results.
struct MeasureAssignmentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let measures = routes.grouped("api", "v1", "patients", ":patientID", "measures").grouped(RequireSignIn())
        measures.get(use: list)
        measures.post(use: assign)
        measures.post(":assignmentID", "responses", use: complete)
    }

    func list(req: Request) async throws -> [MeasureService.AssignmentView] {
        try await MeasureService(req: req).list(patientID: req.uuidParameter("patientID"))
    }

    struct Assignment: Content {
        var code: String
        var schedule: String
        var intervalWeeks: Int?
    }

    func assign(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let body = try req.content.decode(Assignment.self)
        let view = try await MeasureService(req: req).assign(patientID: id, code: body.code, schedule: body.schedule, intervalWeeks: body.intervalWeeks)
        return try await view.encodeResponse(status: .created, for: req)
    }

    func complete(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let assignmentID = try req.uuidParameter("assignmentID")
        let body = try req.content.decode(MeasuresController.ScoreRequest.self)
        let view = try await MeasureService(req: req).complete(patientID: id, assignmentID: assignmentID, answers: body.answers)
        return try await view.encodeResponse(status: .created, for: req)
    }
}
