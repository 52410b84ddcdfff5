import Vapor
import GonioCore

/// /api/v1/patients/{id}/notes: SOAP notes, signing and addenda.
struct NotesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let notes = routes.grouped("api", "v1", "patients", ":patientID", "notes").grouped(RequireSignIn())
        notes.get(use: list)
        notes.get("template", use: template)
        notes.post(use: create)
        notes.get(":noteID", use: get)
        notes.put(":noteID", use: update)
        notes.post(":noteID", "sign", use: sign)
        notes.post(":noteID", "addenda", use: addendum)
    }

    func list(req: Request) async throws -> [NoteService.View] {
        try await NoteService(req: req).list(patientID: req.uuidParameter("patientID"))
    }

    struct KindQuery: Content { var kind: String? }

    func template(req: Request) async throws -> SOAPNote {
        let id = try req.uuidParameter("patientID")
        let kind = try req.query.decode(KindQuery.self).kind ?? NoteKind.initialEvaluation.rawValue
        return try await NoteService(req: req).template(patientID: id, kind: kind)
    }

    struct NewNote: Content {
        var kind: String
        var body: SOAPNote
    }

    func create(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let input = try req.content.decode(NewNote.self)
        return try await NoteService(req: req).create(patientID: id, kind: input.kind, body: input.body).encodeResponse(status: .created, for: req)
    }

    func get(req: Request) async throws -> NoteService.View {
        try await NoteService(req: req).get(patientID: req.uuidParameter("patientID"), noteID: req.uuidParameter("noteID"))
    }

    struct Update: Content { var body: SOAPNote }

    func update(req: Request) async throws -> NoteService.View {
        let id = try req.uuidParameter("patientID"), noteID = try req.uuidParameter("noteID")
        let input = try req.content.decode(Update.self)
        return try await NoteService(req: req).update(patientID: id, noteID: noteID, body: input.body)
    }

    func sign(req: Request) async throws -> NoteService.View {
        try await NoteService(req: req).sign(patientID: req.uuidParameter("patientID"), noteID: req.uuidParameter("noteID"))
    }

    struct NewAddendum: Content { var text: String }

    func addendum(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID"), noteID = try req.uuidParameter("noteID")
        let input = try req.content.decode(NewAddendum.self)
        return try await NoteService(req: req).addAddendum(patientID: id, noteID: noteID, text: input.text).encodeResponse(status: .created, for: req)
    }
}
