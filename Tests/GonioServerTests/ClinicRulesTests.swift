import Foundation
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// A clinic's own progression rules: read by its staff, changed by its admins, version by
/// version, and followed by the engine, the pain alert and the player.
@Suite struct ClinicRulesTests {
    static func clinic(_ app: Application) async throws -> String {
        let maria = try await app.patientID(of: Demo.patient)
        let record = try await app.send(.GET, "/api/v1/patients/\(maria)", token: try await app.token(Demo.therapist))
        return try #require(record.object["clinicId"] as? String)
    }

    @Test func staffReadTheRulesAndOnlyItsAdminsChangeThem() async throws {
        try await withTestApp { app in
            let clinic = try await Self.clinic(app)
            let path = "/api/v1/clinics/\(clinic)/progression-rules"
            let therapist = try await app.token(Demo.therapist), admin = try await app.token(Demo.admin)
            let read = try await app.send(.GET, path, token: therapist)
            #expect(read.status == .ok && read.object["version"] as? Int == 1 && read.object["isDefault"] as? Bool == true)
            #expect((read.object["rules"] as? [String: Any])?["painDuringMax"] as? Double == 5)
            for outsider in [Demo.patient, Demo.patient2, Demo.caregiver, Demo.platform] {
                #expect(try await app.send(.GET, path, token: try await app.token(outsider)).status == .notFound, "\(outsider)")
            }
            #expect(try await app.send(.GET, "/api/v1/clinics/\(UUID())/progression-rules", token: admin).status == .notFound)
            #expect(try await app.send(.GET, path).status == .unauthorized)

            let change: [String: Any] = ["baseVersion": 1, "rules": ["painDuringMax": 4, "sessionsToProgress": 3]]
            #expect(try await app.send(.PUT, path, token: therapist, json: change).status == .forbidden)
            #expect(try await app.send(.PUT, path, token: try await app.token(Demo.patient), json: change).status == .notFound)
            let bad = try await app.send(.PUT, path, token: admin, json: ["baseVersion": 1, "rules": ["painDuringMax": 12]])
            #expect(bad.status == .unprocessableEntity && bad.errorCode == "rules-invalid" && bad.text.contains("painDuringMax is 0 to 10"))
            let saved = try await app.send(.PUT, path, token: admin, json: change)
            #expect(saved.status == .ok && saved.object["version"] as? Int == 2 && saved.object["isDefault"] as? Bool == false)
            let rules = saved.object["rules"] as? [String: Any] ?? [:]
            #expect(rules["painDuringMax"] as? Double == 4 && rules["sessionsToProgress"] as? Int == 3 && rules["repsMax"] as? Int == 15)
            // Made from version 1 again: another save came first.
            let stale = try await app.send(.PUT, path, token: admin, json: change)
            #expect(stale.status == .conflict && stale.errorCode == "rules-changed")
            #expect(try await app.send(.GET, path, token: therapist).object["version"] as? Int == 2)
            // The defaults stay readable for everyone.
            #expect(try await app.send(.GET, "/api/v1/progression/rules", token: therapist).object["progression"] != nil)
        }
    }

    @Test func theClinicsPainLimitRaisesTheAlertAndStopsThePlayer() async throws {
        try await withTestApp(history: true) { app in
            let clinic = try await Self.clinic(app)
            let admin = try await app.token(Demo.admin)
            // The demo clinic keeps its own rules (version 2: holds up to 45 s).
            let demo = try await app.send(.GET, "/api/v1/clinics/\(clinic)/progression-rules", token: admin)
            #expect(demo.object["version"] as? Int == 2 && (demo.object["rules"] as? [String: Any])?["holdMaxSeconds"] as? Int == 45)
            let saved = try await app.send(.PUT, "/api/v1/clinics/\(clinic)/progression-rules", token: admin,
                                           json: ["baseVersion": 2, "rules": ["painDuringMax": 3, "painAfterMax": 3, "holdMaxSeconds": 45]])
            #expect(saved.status == .ok && saved.object["version"] as? Int == 3)
            let maria = try await app.patientID(of: Demo.patient)
            let token = try await app.token(Demo.patient)
            let plan = try await app.send(.GET, "/api/v1/patients/\(maria)/plan", token: token)
            let item = try #require(PlanPracticeTests.items(plan).first?["id"] as? String)
            let log: [String: Any] = ["id": UUID().uuidString, "itemId": item, "outcome": "stopped", "setsDone": 1, "repsDone": 5,
                                      "painBefore": 2, "painDuring": 4, "painAfter": 3, "effort": 4]
            let kept = try await app.send(.POST, "/api/v1/patients/\(maria)/logs", token: token, json: log)
            #expect(kept.status == .created && kept.object["alert"] as? Bool == true, "4/10 is above this clinic's 3")
            // The player is told the clinic's limit and names the patient on its counting socket.
            var browser = WebTests.Browser(app: app)
            try await browser.signIn(Demo.patient)
            let player = try await browser.get("/patients/\(maria)/practice/player")
            #expect(player.status == .ok && player.text.contains("\"painLimit\":3"), "\(player.text.prefix(300))")
            #expect(player.text.contains("motion\\/live?patient=\(maria)") || player.text.contains("motion/live?patient=\(maria)"))
        }
    }

    @Test func theAdminChangesTheRulesOnTheirPage() async throws {
        try await withTestApp { app in
            var admin = WebTests.Browser(app: app)
            try await admin.signIn(Demo.admin)
            let page = try await admin.get("/clinic/progression-rules")
            #expect(page.status == .ok && page.text.contains("These are the defaults") && page.text.contains("name=\"painDuringMax\""))
            let csrf = try #require(WebTests.Browser.csrf(in: page.text))
            let clinic = try await Self.clinic(app)
            let wrong = try await admin.post("/clinic/progression-rules", form: ["clinic": clinic, "baseVersion": "1", "repsStep": "2.5"], csrf: csrf)
            #expect(wrong.status == .unprocessableEntity && wrong.text.contains("is a whole number") && wrong.text.contains("value=\"2.5\""))
            let ok = try await admin.post("/clinic/progression-rules", form: ["clinic": clinic, "baseVersion": "1", "painDuringMax": "4", "repsStep": ""], csrf: csrf)
            #expect(ok.status == .seeOther)
            let after = try await admin.get(ok.headers.first(name: .location) ?? "")
            #expect(after.text.contains("Version 2") && after.text.contains("changed") && after.text.contains("The rules are saved"))
            // A therapist of the clinic reads them, without a form.
            var dana = WebTests.Browser(app: app)
            try await dana.signIn(Demo.therapist)
            let read = try await dana.get("/clinic/progression-rules")
            #expect(read.status == .ok && !read.text.contains("name=\"painDuringMax\"") && read.text.contains("Only an admin of the clinic"))
            var maria = WebTests.Browser(app: app)
            try await maria.signIn(Demo.patient)
            #expect(try await maria.get("/clinic/progression-rules").status == .notFound)
        }
    }

    @Test func twentySavesFromTheSameVersionTakeEffectOnce() async throws {
        try await withTestApp(onDisk: true) { app in
            try await app.running { port in
                let clinic = try await Self.clinic(app)
                let admin = try await app.token(Demo.admin)
                let statuses = try await ConcurrencyTests.atOnce(20) { i in
                    try await app.live(.PUT, port: port, "/api/v1/clinics/\(clinic)/progression-rules", token: admin,
                                       json: ["baseVersion": 1, "rules": ["repsMax": 10 + i]])
                }
                #expect(statuses.count { $0 == 200 } == 1 && statuses.allSatisfy { $0 == 200 || $0 == 409 }, "\(statuses)")
                let now = try await app.live(.GET, port: port, "/api/v1/clinics/\(clinic)/progression-rules", token: admin)
                #expect(now.object["version"] as? Int == 2)
            }
        }
    }
}
