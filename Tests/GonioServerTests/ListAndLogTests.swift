import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// Lists that scale: paginated, searchable by name, a fixed number of queries per page.
@Suite struct ListTests {
    @Test func patientsComeAPageAtATimeAndAreSearchable() async throws {
        try await withTestApp { app in
            _ = try await ScaleSeed.addPatients(60, app.systemContext("seed"))
            let therapist = try await app.token(Demo.therapist)
            let first = try await app.send(.GET, "/api/v1/patients", token: therapist)
            #expect(first.status == .ok)
            #expect(first.metadata["page"] as? Int == 1)
            #expect(first.metadata["per"] as? Int == 25)
            #expect(first.metadata["total"] as? Int == 62)
            #expect(first.array.count == 25)
            let names = first.array.compactMap { $0["name"] as? String }
            #expect(names == names.sorted(), "sorted by name")
            let third = try await app.send(.GET, "/api/v1/patients?page=3&per=25", token: therapist)
            #expect(third.array.count == 12)
            let all = Set(try await (1...3).asyncFlatMap { try await app.send(.GET, "/api/v1/patients?page=\($0)", token: therapist).array }
                .compactMap { $0["id"] as? String })
            #expect(all.count == 62, "pages do not overlap")
            let maria = try await app.send(.GET, "/api/v1/patients?q=maria%20lo", token: therapist)
            #expect(maria.array.map { $0["name"] as? String } == ["Maria Lopez"])
            #expect(maria.metadata["total"] as? Int == 1)
            let wildcard = try await app.send(.GET, "/api/v1/patients?q=%25", token: therapist)
            #expect(wildcard.array.isEmpty, "a % in the search is a character, not a wildcard")
            for bad in ["page=0", "per=101", "page=x", "per=-1"] {
                #expect(try await app.send(.GET, "/api/v1/patients?\(bad)", token: therapist).status == .unprocessableEntity, "\(bad)")
            }
        }
    }

    /// The same number of SQL statements for a page whatever the clinic's size.
    @Test(arguments: ["/api/v1/patients", "/dashboard"])
    func aPageCostsTheSameQueriesAtAnySize(path: String) async throws {
        try await withTestApp { app in
            let capture = LogCapture()
            app.logger = capture.logger(level: .trace)
            app.logsStatements = true
            // Pages full of synthetic patients (sorted by name, they come first) at 82 and 482.
            var counts: [Int] = []
            for size in [80, 400] {
                _ = try await ScaleSeed.addPatients(size, app.systemContext("seed"))
                for email in [Demo.therapist, Demo.admin] {
                    var browser = WebTests.Browser(app: app)
                    try await browser.signIn(email)
                    let token = try await app.token(email)
                    _ = try await app.send(.GET, "/api/v1/patients", token: token)
                    capture.reset()
                    let r = path.hasPrefix("/api/") ? try await app.send(.GET, path, token: token) : try await browser.get(path)
                    #expect(r.status == .ok)
                    counts.append(capture.queryCount)
                }
            }
            #expect(counts[0] > 0)
            #expect(counts[0] == counts[2] && counts[1] == counts[3], "\(path): queries at 82 and 482 patients: \(counts)")
        }
    }

    @Test func notesComeAPageAtATimeNewestFirst() async throws {
        try await withTestApp { app in
            let patient = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            for i in 0..<23 {
                let r = try await app.send(.POST, "/api/v1/patients/\(patient)/notes", token: therapist,
                                           json: ["kind": "follow-up", "body": ["subjective": "Visit \(i)"]])
                #expect(r.status == .created)
            }
            let first = try await app.send(.GET, "/api/v1/patients/\(patient)/notes?per=10", token: therapist)
            #expect(first.metadata["total"] as? Int == 23)
            #expect(first.array.count == 10)
            #expect((first.array.first?["body"] as? [String: Any])?["subjective"] as? String == "Visit 22")
            let last = try await app.send(.GET, "/api/v1/patients/\(patient)/notes?per=10&page=3", token: therapist)
            #expect(last.array.count == 3)
            #expect((last.array.last?["body"] as? [String: Any])?["subjective"] as? String == "Visit 0")
            // The page's links keep its size.
            var browser = WebTests.Browser(app: app)
            try await browser.signIn(Demo.therapist)
            let page = try await browser.get("/patients/\(patient)/notes?per=10")
            #expect(page.text.contains("/patients/\(patient)/notes?page=2&amp;per=10") || page.text.contains("/patients/\(patient)/notes?page=2&per=10"))
            #expect(page.text.contains("Page 1 of 3"))
        }
    }

    @Test func dashboardsSearchAndPage() async throws {
        try await withTestApp { app in
            _ = try await ScaleSeed.addPatients(40, app.systemContext("seed"))
            var browser = WebTests.Browser(app: app)
            try await browser.signIn(Demo.therapist)
            let page = try await browser.get("/dashboard")
            #expect(page.text.contains("42 patients."))
            #expect(page.text.contains("Page 1 of 2"))
            #expect(page.text.contains("/dashboard?page=2"))
            let found = try await browser.get("/dashboard?q=Maria+Lopez")
            #expect(found.text.contains("Maria Lopez"))
            #expect(found.text.contains("1 patient match"))
            #expect(!found.text.contains("James Chen"))
            var admin = WebTests.Browser(app: app)
            try await admin.signIn(Demo.admin)
            let second = try await admin.get("/dashboard?page=2")
            #expect(second.status == .ok)
            #expect(second.text.contains("Page 2 of 2"))
        }
    }

    @Test func scaleSeedAddsSearchablePatientsToTheDemoTherapist() async throws {
        try await withTestApp { app in
            let added = try await ScaleSeed.addPatients(1_200, app.systemContext("seed"))
            #expect(added == 1_200)
            let therapist = try await app.token(Demo.therapist)
            let list = try await app.send(.GET, "/api/v1/patients?per=100", token: therapist)
            #expect(list.metadata["total"] as? Int == 1_202)
            // Synthetic patients sign in with the demo password.
            let email = try #require(try await UserModel.query(on: app.db).filter(\.$email ~~ "scale-").first()?.email)
            #expect(try await app.send(.POST, "/api/v1/auth/token", json: ["email": email, "password": DemoSeed.password]).status == .ok)
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "account.register").filter(\.$resource ~~ "seed/scale").count() == 1)
            // A second run adds more, with new emails.
            #expect(try await ScaleSeed.addPatients(10, app.systemContext("seed")) == 10)
        }
    }
}

/// No health data in logs: an intake and a note go through the server while every log line
/// (debug and up) is captured, and none names the patient, their birth date, answers or outcome.
@Suite struct LogPrivacyTests {
    @Test func logsCarryIDsNotHealthData() async throws {
        try await withTestApp { app in
            let capture = LogCapture()
            app.logger = capture.logger(level: .debug)
            let marker = UUID().uuidString.prefix(8)
            let name = "Zebulon Quartermaine \(marker)"
            let clinic = try #require(try await app.send(.GET, "/api/v1/clinics").array.first { $0["name"] as? String == "Riverside Physical Therapy" }?["id"] as? String)
            let email = "zq-\(marker.lowercased())@example.com"
            #expect(try await app.send(.POST, "/api/v1/accounts", json: [
                "email": email, "password": "walking again soon", "name": name, "role": "patient",
                "clinicId": clinic, "dateOfBirth": "1947-03-21", "location": "US-CA",
            ]).status == .created)
            let token = try await app.token(email, password: "walking again soon")
            let patient = try #require(try await app.me(token)["patientId"] as? String)
            var intake = IntakeAPITests.completeIntake(flags: ["fever": true])
            intake["symptoms"] = "Sharp pain marker-symptom-\(marker)"
            intake["goals"] = "Walk the dog marker-goal-\(marker)"
            #expect(try await app.send(.PUT, "/api/v1/patients/\(patient)/intake", token: token, json: intake).status == .ok)
            let submitted = try await app.send(.POST, "/api/v1/patients/\(patient)/intake/submit", token: token)
            #expect((submitted.object["triage"] as? [String: Any])?["outcome"] as? String == "urgent-in-person")
            // The clinic admin puts the therapist on the care team; the therapist writes and signs a note.
            let therapistID = try await app.therapistID(of: Demo.therapist)
            #expect(try await app.send(.POST, "/api/v1/patients/\(patient)/care-team", token: app.token(Demo.admin),
                                       json: ["therapistId": therapistID]).status == .created)
            let therapist = try await app.token(Demo.therapist)
            let note = try await app.send(.POST, "/api/v1/patients/\(patient)/notes", token: therapist,
                                          json: ["kind": "follow-up", "body": ["subjective": "Night sweats marker-note-\(marker)"]])
            let noteID = try #require(note.object["id"] as? String)
            #expect(try await app.send(.POST, "/api/v1/patients/\(patient)/notes/\(noteID)/sign", token: therapist).status == .ok)
            var browser = WebTests.Browser(app: app)
            try await browser.signIn(Demo.therapist)
            #expect(try await browser.get("/patients/\(patient)/intake").text.contains("Result of the safety questions"))
            _ = try await browser.get("/dashboard?q=Zebulon")

            let logs = capture.text
            #expect(logs.contains("request-id"), "the capture saw the requests")
            for secret in [name, "Zebulon", "Quartermaine", "1947-03-21", "marker-symptom", "marker-goal", "marker-note",
                           "urgent-in-person", "spinal-infection", email] {
                #expect(!logs.contains(secret), "the logs mention \(secret)")
            }
        }
    }
}

extension Sequence {
    func asyncFlatMap<T>(_ transform: (Element) async throws -> [T]) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result += try await transform(element) }
        return result
    }
}
