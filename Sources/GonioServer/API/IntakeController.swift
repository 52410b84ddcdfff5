import Vapor
import GonioCore

/// /api/v1/patients/{id}/intake: read, save a draft, submit, and the therapist's decision.
struct IntakeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let intake = routes.grouped("api", "v1", "patients", ":patientID", "intake").grouped(RequireSignIn())
        intake.get(use: get)
        intake.put(use: save)
        intake.post("submit", use: submit)
        intake.post("triage-decision", use: decide)
    }

    func get(req: Request) async throws -> IntakeService.View {
        try await IntakeService(req: req).get(patientID: req.uuidParameter("patientID"))
    }

    func save(req: Request) async throws -> IntakeService.View {
        let id = try req.uuidParameter("patientID")
        let intake = try req.content.decode(Intake.self)
        return try await IntakeService(req: req).saveDraft(patientID: id, intake: intake)
    }

    func submit(req: Request) async throws -> IntakeService.View {
        try await IntakeService(req: req).submit(patientID: req.uuidParameter("patientID"))
    }

    struct DecisionBody: Content {
        var decision: String
        var reason: String
    }

    func decide(req: Request) async throws -> IntakeService.View {
        let id = try req.uuidParameter("patientID")
        let body = try req.content.decode(DecisionBody.self)
        return try await IntakeService(req: req).decide(patientID: id, decision: body.decision, reason: body.reason)
    }
}
