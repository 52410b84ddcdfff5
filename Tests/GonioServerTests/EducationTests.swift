import Foundation
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// Condition articles: one per protocol, assigned with the plan, read status for the therapist.
@Suite struct EducationTests {
    @Test func everyProtocolHasItsArticleAndAPlanAssignsIt() async throws {
        try await withTestApp(history: true) { app in
            let content = app.clinicalContent
            for p in content.protocols.protocols {
                let a = try #require(content.education.forProtocol(p.id), "\(p.id) has an article")
                #expect(a.sections.map(\.heading) == EducationArticle.headings && (150...700).contains(a.wordCount))
            }
            let therapist = try await app.token(Demo.therapist)
            #expect(try await app.send(.GET, "/api/v1/education", token: therapist).array.count == content.protocols.protocols.count)
            #expect(try await app.send(.GET, "/api/v1/education/knee-osteoarthritis", token: therapist).object["sections"] != nil)
            #expect(try await app.send(.GET, "/api/v1/education/nope", token: therapist).status == .notFound)

            // Maria read hers (demo); James has not opened his yet.
            let maria = try await app.patientID(of: Demo.patient), james = try await app.patientID(of: Demo.patient2)
            let mine = try await app.send(.GET, "/api/v1/patients/\(maria)/education", token: try await app.token(Demo.patient)).array
            #expect(mine.first?["id"] as? String == "knee-osteoarthritis" && mine.first?["readAt"] is String)
            let his = try await app.send(.GET, "/api/v1/patients/\(james)/education", token: therapist).array
            #expect(his.first?["id"] as? String == "acl-reconstruction" && his.first?["readAt"] == nil)
            #expect(try await app.send(.GET, "/api/v1/patients/\(james)/education", token: try await app.token(Demo.patient)).status == .notFound)

            // The therapist opening it does not count; James opening it does.
            var dana = WebTests.Browser(app: app)
            try await dana.signIn(Demo.therapist)
            let preview = try await dana.get("/patients/\(james)/learn/acl-reconstruction")
            #expect(preview.status == .ok && preview.text.contains("has not opened this yet"))
            var jamesBrowser = WebTests.Browser(app: app)
            try await jamesBrowser.signIn(Demo.patient2)
            let page = try await jamesBrowser.get("/patients/\(james)/learn/acl-reconstruction")
            #expect(page.status == .ok && page.text.contains("When to get help") && page.text.contains("Get help the same day"))
            let after = try await app.send(.GET, "/api/v1/patients/\(james)/education", token: therapist).array
            #expect(after.first?["readAt"] is String)
            #expect(try await dana.get("/patients/\(james)/progress").text.contains("Read on"))
        }
    }
}

extension EducationTests {
    /// The discharge summary: goals, measures first to last with their verdict, adherence and
    /// what to keep doing; for those who see the record.
    @Test func theDischargeSummarySoFar() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            let r = try await app.send(.GET, "/api/v1/patients/\(maria)/discharge-summary", token: try await app.token(Demo.therapist))
            #expect(r.status == .ok)
            #expect(r.object["discharged"] as? Bool == false && (r.object["goalsLine"] as? String)?.contains("of 2 goals met") == true)
            let measures = r.object["measures"] as? [[String: Any]] ?? []
            #expect(measures.contains { $0["code"] as? String == "koos-jr" && $0["verdict"] is String })
            #expect((r.object["maintenance"] as? [Any])?.isEmpty == false && (r.object["sessionsDue"] as? Int ?? 0) > 0)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/discharge-summary", token: try await app.token(Demo.patient)).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/discharge-summary", token: try await app.token(Demo.patient2)).status == .notFound)
            var dana = WebTests.Browser(app: app)
            try await dana.signIn(Demo.therapist)
            let page = try await dana.get("/patients/\(maria)/discharge")
            #expect(page.status == .ok && page.text.contains("Not discharged yet") && page.text.contains("Keep doing these"))
        }
    }
}
