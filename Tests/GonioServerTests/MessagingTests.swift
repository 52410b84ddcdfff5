import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// Secure messaging: who may read and write a patient's conversations, unread counts, photos
/// checked by type and size, and notices that never carry the message.
@Suite struct MessagingTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]

    @Test func aConversationBetweenThePatientAndTheCareTeam() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            let patient = try await app.token(Demo.patient), therapist = try await app.token(Demo.therapist)
            // Demo: Maria's conversation about the flare, with her latest question unread by Dana.
            let threads = try await app.send(.GET, "/api/v1/patients/\(maria)/threads", token: therapist).array
            let demo = try #require(threads.first)
            #expect(demo["subject"] as? String == "Sharp pain during sit to stand" && demo["unread"] as? Int == 1)
            #expect(try await app.send(.GET, "/api/v1/messages/unread", token: therapist).object["total"] as? Int == 1)

            // Who may: the patient, her care team, her caregiver with the message scope; not James, not the admin.
            for (email, status) in [(Demo.patient, HTTPStatus.ok), (Demo.therapist, .ok), (Demo.caregiver, .ok), (Demo.patient2, .notFound),
                                    (Demo.unverified, .notFound)] {
                #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/threads", token: try await app.token(email)).status == status, "\(email)")
            }
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/threads", token: try await app.token(Demo.admin)).status == .forbidden)

            // Maria starts a conversation about a practice log, with a photo.
            let logID = try #require(try await app.send(.GET, "/api/v1/patients/\(maria)/logs?per=1", token: patient).array.first?["id"] as? String)
            let photo = Data(Self.png).base64EncodedString()
            let started = try await app.send(.POST, "/api/v1/patients/\(maria)/threads", token: patient, json: [
                "subject": "Swelling after walking", "body": "Is this swelling normal?\nIt went down overnight.",
                "reference": ["kind": "log", "id": logID], "attachment": ["mediaType": "image/png", "data": photo],
            ])
            #expect(started.status == .created, "\(started.text)")
            let threadID = try #require(started.object["id"] as? String)
            let first = try #require((started.object["messages"] as? [[String: Any]])?.first)
            #expect((first["reference"] as? [String: Any])?["label"] as? String != logID, "the reference reads as the log, in words")
            let attachment = try #require(first["attachment"] as? String)
            let image = try await app.send(.GET, attachment, token: therapist)
            #expect(image.status == .ok && image.headers.first(name: .contentType) == "image/png")
            #expect(try await app.send(.GET, attachment, token: try await app.token(Demo.patient2)).status == .notFound)

            // Dana has one more unread; reading marks it read; she answers.
            #expect(try await app.send(.GET, "/api/v1/messages/unread", token: therapist).object["total"] as? Int == 2)
            let read = try await app.send(.GET, "/api/v1/threads/\(threadID)", token: therapist)
            #expect(read.status == .ok && read.object["unread"] as? Int == 1)
            #expect(try await app.send(.GET, "/api/v1/messages/unread", token: therapist).object["total"] as? Int == 1)
            let answer = try await app.send(.POST, "/api/v1/threads/\(threadID)/messages", token: therapist, json: ["body": "Yes, if it settles overnight. Keep the leg up after walks."])
            #expect(answer.status == .created && answer.object["senderRole"] as? String == "therapist")
            #expect(try await app.send(.POST, "/api/v1/threads/\(threadID)/messages", token: try await app.token(Demo.patient2), json: ["body": "hi"]).status == .notFound)

            // The other side is told, in Gonio and by email, without what the message says.
            try await JobRunner.runDue(app)
            let outbox = try await OutboxMessageModel.query(on: app.db).all()
            #expect(outbox.contains { $0.toAddress == Demo.therapist && $0.subject == "New message in Gonio" })
            #expect(outbox.contains { $0.toAddress == Demo.patient })
            #expect(!outbox.contains { $0.body.contains("swelling") || $0.body.contains("Keep the leg up") || $0.body.contains("sharp pain") })
            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$action == "message.send").filter(\.$outcome == .allowed).count()
            #expect(audit >= 2)
        }
    }

    @Test func badMessagesAreRefusedClearly() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            let patient = try await app.token(Demo.patient)
            let path = "/api/v1/patients/\(maria)/threads"
            let jpegNamedPNG = Data([0xFF, 0xD8, 0xFF, 0xE0]).base64EncodedString()
            let big = Data(Self.png + [UInt8](repeating: 0, count: 5 << 20)).base64EncodedString()
            for (json, code) in [
                (["subject": "Hi", "body": "  "], "message-empty"),
                (["subject": "", "body": "Hello"], "subject-invalid"),
                (["subject": "Hi", "body": String(repeating: "a", count: 4001)], "message-too-long"),
                (["subject": "Hi", "body": "x", "attachment": ["mediaType": "image/png", "data": jpegNamedPNG]], "attachment-type"),
                (["subject": "Hi", "body": "x", "attachment": ["mediaType": "application/pdf", "data": jpegNamedPNG]], "attachment-type"),
                (["subject": "Hi", "body": "x", "attachment": ["mediaType": "image/png", "data": "not base64!"]], "attachment-invalid"),
                (["subject": "Hi", "body": "x", "attachment": ["mediaType": "image/png", "data": big]], "attachment-too-large"),
                (["subject": "Hi", "body": "x", "reference": ["kind": "log", "id": UUID().uuidString]], "reference-invalid"),
                (["subject": "Hi", "body": "x", "reference": ["kind": "visit", "id": "a"]], "reference-invalid"),
            ] as [([String: Any], String)] {
                let r = try await app.send(.POST, path, token: patient, json: json)
                #expect(r.status == .unprocessableEntity && r.errorCode == code, "\(code): \(r.status) \(r.text.prefix(200))")
            }
        }
    }

    @Test func thePagesSendAndShowMessages() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            var patient = WebTests.Browser(app: app)
            try await patient.signIn(Demo.patient)
            let inbox = try await patient.get("/messages")
            #expect(inbox.status == .seeOther && inbox.headers.first(name: .location) == "/patients/\(maria)/messages")
            let list = try await patient.get("/patients/\(maria)/messages")
            #expect(list.status == .ok && list.text.contains("Sharp pain during sit to stand") && list.text.contains("Start a conversation"))
            var dana = WebTests.Browser(app: app)
            try await dana.signIn(Demo.therapist)
            let danaInbox = try await dana.get("/messages")
            #expect(danaInbox.text.contains("Maria Lopez") && danaInbox.text.contains("1 unread"))
            let page = try await dana.get("/patients/\(maria)/messages")
            #expect(page.text.contains("median response time"))
            var james = WebTests.Browser(app: app)
            try await james.signIn(Demo.patient2)
            #expect(try await james.get("/patients/\(maria)/messages").status == .notFound)
        }
    }
}
