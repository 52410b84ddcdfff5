import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// The exercise library over HTTP: search and filters, the read-only shipped library, clinic
/// copies and media, protocols, and who may do what.
@Suite struct ExerciseAPITests {
    @Test func everyoneSignedInSearchesTheLibraryWithFilters() async throws {
        try await withTestApp { app in
            #expect(try await app.send(.GET, "/api/v1/exercises").status == .unauthorized)
            for email in [Demo.patient, Demo.caregiver, Demo.therapist, Demo.admin] {
                let token = try await app.token(email)
                let all = try await app.send(.GET, "/api/v1/exercises?per=1000", token: token)
                #expect(all.status == .ok)
                let total = all.metadata["total"] as? Int ?? 0
                #expect(total >= 200 && all.array.count == total, "the whole library in one page: \(total)")
                let knee = try await app.send(.GET, "/api/v1/exercises?region=knee&per=1000", token: token)
                #expect(knee.array.allSatisfy { ($0["regions"] as? [String])?.contains("knee") == true })
                #expect((knee.metadata["total"] as? Int ?? 0) < total)
            }
            let token = try await app.token(Demo.patient)
            let seated = try await app.send(.GET, "/api/v1/exercises?position=sitting&difficulty=2&equipment=chair&per=100", token: token)
            #expect(!seated.array.isEmpty)
            #expect(seated.array.allSatisfy { $0["position"] as? String == "sitting" && ($0["difficulty"] as? Int ?? 9) <= 2 })
            let words = try await app.send(.GET, "/api/v1/exercises?q=sit%20stand", token: token)
            #expect(words.array.first.map { ($0["name"] as? String ?? "").lowercased().contains("sit") } == true)
            let balance = try await app.send(.GET, "/api/v1/exercises?category=balance&tag=otago", token: token)
            #expect(!balance.array.isEmpty && balance.array.allSatisfy { $0["category"] as? String == "balance" })
            for bad in ["region=elbow", "category=cardio", "difficulty=6", "position=upside-down", "per=1001", "page=0", "equipment=rope"] {
                let r = try await app.send(.GET, "/api/v1/exercises?\(bad)", token: token)
                #expect(r.status == .unprocessableEntity, "\(bad): \(r.status)")
            }
            let one = try await app.send(.GET, "/api/v1/exercises/knee-heel-slides", token: token)
            #expect(one.status == .ok && one.object["source"] as? String == "library")
            #expect((one.object["keyPoses"] as? [Any])?.count ?? 0 >= 2 && (one.object["instructions"] as? [Any])?.isEmpty == false)
            #expect(try await app.send(.GET, "/api/v1/exercises/no-such-exercise", token: token).status == .notFound)
        }
    }

    @Test func theShippedLibraryIsReadOnlyAndClinicsCopyItToChangeIt() async throws {
        try await withTestApp { app in
            let therapist = try await app.token(Demo.therapist)
            let put = try await app.send(.PUT, "/api/v1/exercises/knee-heel-slides", token: therapist, json: ["name": "Mine now"])
            #expect(put.status == .forbidden && put.errorCode == "library-read-only")
            #expect(try await app.send(.DELETE, "/api/v1/exercises/knee-heel-slides", token: therapist).status == .forbidden)
            for email in [Demo.patient, Demo.caregiver, Demo.unverified, Demo.platform] {
                let r = try await app.send(.POST, "/api/v1/exercises", token: try await app.token(email), json: ["copyOf": "knee-heel-slides"])
                #expect(r.status == .forbidden, "\(email): \(r.status)")
            }
            let copy = try await app.send(.POST, "/api/v1/exercises", token: therapist, json: [
                "copyOf": "knee-heel-slides", "exercise": ["name": "Heel slides on the sofa", "dose": ["sets": 3]],
            ])
            #expect(copy.status == .created, "\(copy.text)")
            let id = try #require(copy.object["id"] as? String)
            #expect(id.hasPrefix("custom-") && copy.object["source"] as? String == "clinic" && copy.object["basedOn"] as? String == "knee-heel-slides")
            #expect((copy.object["dose"] as? [String: Any])?["sets"] as? Int == 3)
            #expect(copy.object["instructions"] as? [String] == app.clinicalContent.exercises.exercise(id: "knee-heel-slides")?.instructions)
            // The clinic's staff and patients find it; the other clinic does not.
            let search = try await app.send(.GET, "/api/v1/exercises?q=sofa", token: try await app.token(Demo.patient))
            #expect(search.array.map { $0["id"] as? String } == [id])
            let harbor = try await GateTests.harborAdmin(app)
            #expect(try await app.send(.GET, "/api/v1/exercises/\(id)", token: try await app.token(harbor)).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/exercises?q=sofa", token: try await app.token(harbor)).array.isEmpty)
            // Edited by its clinic, checked by the library's rules.
            let edited = try await app.send(.PUT, "/api/v1/exercises/\(id)", token: therapist, json: ["instructions": ["Only one step."]])
            #expect(edited.status == .unprocessableEntity && edited.errorCode == "exercise-invalid", "\(edited.text)")
            let fine = try await app.send(.PUT, "/api/v1/exercises/\(id)", token: try await app.token(Demo.admin), json: ["difficulty": 2])
            #expect(fine.status == .ok && fine.object["difficulty"] as? Int == 2)
            #expect(try await app.send(.PUT, "/api/v1/exercises/\(id)", token: try await app.token(harbor), json: ["difficulty": 3]).status == .notFound)
            // A new exercise from nothing must be complete.
            let blank = try await app.send(.POST, "/api/v1/exercises", token: therapist, json: ["exercise": ["name": "Half done"]])
            #expect(blank.status == .unprocessableEntity)
            // Archived: out of search, still readable for plans that use it.
            #expect(try await app.send(.DELETE, "/api/v1/exercises/\(id)", token: therapist).status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/exercises?q=sofa", token: therapist).array.isEmpty)
            #expect(try await app.send(.GET, "/api/v1/exercises/\(id)", token: therapist).status == .ok)
        }
    }

    static func multipart(_ fields: [(String, String)], file: (name: String, type: String, bytes: [UInt8])?) -> (String, ByteBuffer) {
        let boundary = "gonio-\(UUID().uuidString)"
        var body = ByteBuffer()
        for (k, v) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n")
        }
        if let file {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: \(file.type)\r\n\r\n")
            body.writeBytes(file.bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64)

    @Test func clinicsAttachCheckedMediaThatOnlyTheyAndTheirPatientsSee() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gonio-media-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await withTestApp(adjust: { $0.dataDirectory = dir; $0.mediaMaxBytes = 4096 }) { app in
            let therapist = try await app.token(Demo.therapist)
            func upload(_ token: String, _ file: (String, String, [UInt8])?, fields: [(String, String)] = [("title", "Sofa version")]) async throws -> TestResponse {
                let (type, body) = Self.multipart(fields, file: file.map { (name: $0.0, type: $0.1, bytes: $0.2) })
                var headers = HTTPHeaders()
                headers.bearerAuthorization = .init(token: token)
                headers.replaceOrAdd(name: .contentType, value: type)
                let r = try await app.testing().sendRequest(.POST, "/api/v1/exercises/knee-heel-slides/media", headers: headers, body: body)
                return TestResponse(status: r.status, headers: r.headers, text: r.body.string)
            }
            let created = try await upload(therapist, ("photo.png", "image/png", Self.png))
            #expect(created.status == .created, "\(created.text)")
            #expect(created.object["kind"] as? String == "image" && created.object["contentType"] as? String == "image/png")
            let url = try #require(created.object["url"] as? String)
            // A file that is not what it says, too big, or missing is refused.
            let fake = try await upload(therapist, ("virus.png", "image/png", Array("MZ this is not a picture".utf8)))
            #expect(fake.status == .unprocessableEntity && fake.errorCode == "file-type")
            let big = try await upload(therapist, ("big.png", "image/png", Self.png + Array(repeating: 0, count: 5000)))
            #expect(big.status == .payloadTooLarge || big.errorCode == "file-too-large", "\(big.status)")
            #expect(try await upload(therapist, nil).status == .unprocessableEntity)
            #expect(try await upload(try await app.token(Demo.patient), ("p.png", "image/png", Self.png)).status == .forbidden)
            // Links are https only.
            let http = try await app.send(.POST, "/api/v1/exercises/knee-heel-slides/media", token: therapist, json: ["url": "http://example.com/v.mp4"])
            #expect(http.status == .unprocessableEntity)
            let link = try await app.send(.POST, "/api/v1/exercises/knee-heel-slides/media", token: therapist,
                                          json: ["url": "https://videos.example.org/heel-slides", "title": "Our video"])
            #expect(link.status == .created && link.object["kind"] as? String == "link")
            // The file is served to the clinic's patients, not to another clinic.
            let file = try await app.send(.GET, url, token: try await app.token(Demo.patient))
            #expect(file.status == .ok && file.headers.contentType?.description == "image/png")
            let harbor = try await app.token(try await GateTests.harborAdmin(app))
            #expect(try await app.send(.GET, url, token: harbor).status == .notFound)
            let detail = try await app.send(.GET, "/api/v1/exercises/knee-heel-slides", token: try await app.token(Demo.patient))
            #expect((detail.object["media"] as? [Any])?.count == 2)
            #expect(((try await app.send(.GET, "/api/v1/exercises/knee-heel-slides", token: harbor)).object["media"] as? [Any])?.count == 0)
            // Removed: the row and the file go.
            let mediaID = try #require(created.object["id"] as? String)
            #expect(try await app.send(.DELETE, "/api/v1/exercises/knee-heel-slides/media/\(mediaID)", token: harbor).status == .notFound)
            #expect(try await app.send(.DELETE, "/api/v1/exercises/knee-heel-slides/media/\(mediaID)", token: therapist).status == .noContent)
            #expect(try await app.send(.GET, url, token: therapist).status == .notFound)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/media").isEmpty)
        }
    }

    @Test func protocolsAreListedAndRead() async throws {
        try await withTestApp { app in
            let token = try await app.token(Demo.patient2)
            let list = try await app.send(.GET, "/api/v1/protocols", token: token)
            #expect(list.array.count >= 12)
            let acl = try await app.send(.GET, "/api/v1/protocols/acl-reconstruction", token: token)
            #expect(acl.status == .ok && (acl.object["phases"] as? [Any])?.count ?? 0 >= 2 && (acl.object["sources"] as? [Any])?.isEmpty == false)
            #expect(try await app.send(.GET, "/api/v1/protocols/nope", token: token).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/protocols").status == .unauthorized)
        }
    }

    @Test func libraryPagesShowDrawnDemonstrations() async throws {
        try await withTestApp { app in
            var browser = WebTests.Browser(app: app)
            try await browser.signIn(Demo.patient)
            let list = try await browser.get("/exercises?region=knee&position=lying")
            #expect(list.status == .ok && list.text.contains("<svg") && list.text.contains("Heel slides"))
            let page = try await browser.get("/exercises/knee-heel-slides")
            #expect(page.status == .ok && page.text.contains("class=\"demo-data\"") && page.text.contains("How to do it"))
            #expect(try await browser.get("/exercises?region=nowhere").status == .unprocessableEntity)
            #expect(try await browser.get("/protocols/knee-osteoarthritis").text.contains("Move on when"))
            // Every library exercise draws: the figure stays in its frame and never goes through the floor.
            for e in app.clinicalContent.exercises.exercises {
                let drawing = try #require(FigureDrawing(e))
                for pose in drawing.poses {
                    for (name, p) in pose.points {
                        #expect(p[0].isFinite && p[1].isFinite && p[1] <= 0.5, "\(e.id) \(pose.label) \(name) \(p)")
                        #expect(p[0] >= drawing.viewBox[0] && p[0] <= drawing.viewBox[0] + drawing.viewBox[2], "\(e.id) \(name) in frame")
                    }
                }
            }
        }
    }
}
