import Foundation
import Testing
import VaporTesting
import Fluent
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
            #expect(try await app.send(.GET, path, token: try await app.token(Demo.platform)).status == .ok, "the platform's admins read any clinic's rules")
            for outsider in [Demo.patient, Demo.patient2, Demo.caregiver] {
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
            let scale = try await admin.post("/clinic/progression-rules", form: ["clinic": clinic, "baseVersion": "1", "painDuringMax": "12"], csrf: csrf)
            #expect(scale.status == .unprocessableEntity && scale.text.contains("&quot;Highest pain during exercise") && scale.text.contains("is 0 to 10"))
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

/// Range of motion measured by hand: the care team's therapist records it; those who see the
/// clinical record read it; it is drawn on the progress page.
@Suite struct RomMeasurementTests {
    @Test func theTherapistRecordsAndTheRecordShowsIt() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient), james = try await app.patientID(of: Demo.patient2)
            let therapist = try await app.token(Demo.therapist)
            let path = "/api/v1/patients/\(maria)/rom"
            // The demo: both knees at the evaluation, the right again last week.
            let demo = try await app.send(.GET, path, token: therapist)
            #expect(demo.status == .ok && demo.array.count == 3 && demo.array.first?["end"] as? Double == 112)
            #expect(demo.array.first?["summary"] as? String == "Knee flexion, right: 3°–112° active (normal 0°–135°)")
            let today = try #require(try await app.send(.GET, "/api/v1/patients/\(maria)/progress", token: therapist).object["today"] as? String)
            let body: [String: Any] = ["motion": "knee-flexion", "side": "right", "start": 2, "end": 118, "active": true, "measuredOn": today]
            let saved = try await app.send(.POST, path, token: therapist, json: body)
            #expect(saved.status == .created && saved.object["normalEnd"] as? Double == 135)
            // Who may: the patient reads but does not record; another patient, and anyone signed out, neither.
            let own = try await app.token(Demo.patient)
            #expect(try await app.send(.GET, path, token: own).array.count == 4)
            #expect(try await app.send(.POST, path, token: own, json: body).status == .forbidden)
            #expect(try await app.send(.GET, path, token: try await app.token(Demo.patient2)).status == .notFound)
            #expect(try await app.send(.POST, path, token: try await app.token(Demo.patient2), json: body).status == .notFound)
            #expect(try await app.send(.GET, path).status == .unauthorized)
            #expect(try await app.send(.GET, path, token: try await app.token(Demo.unverified)).status == .notFound)
            // Bad input is named.
            var bad = body
            bad["end"] = 250
            #expect(try await app.send(.POST, path, token: therapist, json: bad).errorCode == "rom-invalid")
            bad = body
            bad["motion"] = "neck-wiggle"
            #expect(try await app.send(.POST, path, token: therapist, json: bad).status == .unprocessableEntity)
            // The chart holds the measurements by hand.
            let progress = try await app.send(.GET, "/api/v1/patients/\(maria)/progress", token: therapist)
            let rom = progress.object["rom"] as? [[String: Any]] ?? []
            let right = try #require(rom.first { $0["exercise"] as? String == "goniometer:knee-flexion:right" })
            #expect((right["points"] as? [[String: Any]])?.map { $0["max"] as? Double } == [105, 112, 118])
            #expect(try await app.send(.GET, "/api/v1/patients/\(james)/rom", token: therapist).array.count == 2)
            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$action == "rom.record").filter(\.$outcome == .allowed).count()
            #expect(audit >= 1)
        }
    }

    @Test func theProgressPageRecordsAMeasurement() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            var dana = WebTests.Browser(app: app)
            try await dana.signIn(Demo.therapist)
            let page = try await dana.get("/patients/\(maria)/progress")
            #expect(page.text.contains("Record a range of motion") && page.text.contains("Knee flexion, right (by goniometer)"))
            let csrf = try #require(WebTests.Browser.csrf(in: page.text))
            let missing = try await dana.post("/patients/\(maria)/progress/rom", form: ["motion": "knee-flexion", "side": "left", "end": ""], csrf: csrf)
            #expect(missing.status == .unprocessableEntity && missing.text.contains("Give the end of the range in degrees"))
            let ok = try await dana.post("/patients/\(maria)/progress/rom", form: ["motion": "knee-flexion", "side": "left", "start": "0", "end": "121",
                                                                                  "active": "passive"], csrf: csrf)
            #expect(ok.status == .seeOther && ok.headers.first(name: .location)?.contains("rom-recorded") == true)
            var own = WebTests.Browser(app: app)
            try await own.signIn(Demo.patient)
            let mine = try await own.get("/patients/\(maria)/progress")
            #expect(mine.text.contains("Knee flexion, left (by goniometer)") && !mine.text.contains("Record a range of motion"))
            #expect(mine.text.contains("121°") && mine.text.contains("by hand (goniometer)"))
        }
    }
}

/// Discharge: the home maintenance program, once, after the discharge note; the demo's
/// discharged patient.
@Suite struct MaintenancePlanTests {
    nonisolated(unsafe) static let dischargeNote: [String: Any] = ["kind": "discharge", "body": [
        "subjective": "Walks to the market and back.",
        "plan": ["goals": [["id": "g1", "text": "Walk 1 km", "term": "long", "targetDate": "2027-01-15", "status": "met"]]],
    ]]

    @Test func robertWasDischargedWithAHomeProgram() async throws {
        try await withTestApp(history: true) { app in
            let robert = try await app.patientID(of: Demo.patient3)
            let own = try await app.token(Demo.patient3)
            let summary = try await app.send(.GET, "/api/v1/patients/\(robert)/discharge-summary", token: own)
            #expect(summary.status == .ok && summary.object["discharged"] as? Bool == true && summary.object["isMaintenance"] as? Bool == true)
            #expect(summary.object["goalsLine"] as? String == "2 of 2 goals met." && summary.object["maintenanceTitle"] as? String == "Home maintenance program")
            let odi = (summary.object["measures"] as? [[String: Any]])?.first { $0["code"] as? String == "odi" }
            #expect(odi?["verdict"] as? String == "meaningful-improvement" && odi?["first"] as? Double == 34 && odi?["last"] as? Double == 14)
            let plan = try await app.send(.GET, "/api/v1/patients/\(robert)/plan", token: own)
            let items = PlanPracticeTests.items(plan)
            #expect(plan.object["phase"] as? String == "maintenance" && !items.isEmpty)
            #expect(items.allSatisfy { ($0["dose"] as? [String: Any]).map { $0["perDay"] as? Int == 1 && ($0["daysPerWeek"] as? Int ?? 9) <= 3 } == true })
            // Once only.
            let therapist = try await app.token(Demo.therapist)
            let again = try await app.send(.POST, "/api/v1/patients/\(robert)/maintenance-plan", token: therapist)
            #expect(again.status == .conflict && again.errorCode == "maintenance-exists")
            var browser = WebTests.Browser(app: app)
            try await browser.signIn(Demo.patient3)
            let page = try await browser.get("/patients/\(robert)/discharge")
            #expect(page.status == .ok && page.text.contains("Discharged on") && page.text.contains("Home maintenance program")
                    && !page.text.contains("Make this the home maintenance program"))
        }
    }

    @Test func theProgramStartsOnlyAfterTheDischargeNoteAndOnlyForTheTherapist() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            let path = "/api/v1/patients/\(maria)/maintenance-plan"
            let early = try await app.send(.POST, path, token: therapist)
            #expect(early.status == .conflict && early.errorCode == "not-discharged")
            #expect(try await app.send(.POST, path, token: try await app.token(Demo.patient)).status == .forbidden)
            #expect(try await app.send(.POST, path, token: try await app.token(Demo.patient2)).status == .notFound)
            #expect(try await app.send(.POST, path, token: try await app.token(Demo.caregiver)).status == .forbidden)
            // Dana signs Maria's discharge note; the page then offers the program, once.
            let note = try await app.send(.POST, "/api/v1/patients/\(maria)/notes", token: therapist,
                                          json: MaintenancePlanTests.dischargeNote)
            #expect(note.status == .created, "\(note.text)")
            let noteID = try #require(note.object["id"] as? String)
            let signed = try await app.send(.POST, "/api/v1/patients/\(maria)/notes/\(noteID)/sign", token: therapist)
            #expect(signed.status == .ok, "\(signed.text)")
            var dana = WebTests.Browser(app: app)
            try await dana.signIn(Demo.therapist)
            let page = try await dana.get("/patients/\(maria)/discharge")
            #expect(page.text.contains("Make this the home maintenance program"))
            let csrf = try #require(WebTests.Browser.csrf(in: page.text))
            let made = try await dana.post("/patients/\(maria)/discharge/maintenance", form: [:], csrf: csrf)
            #expect(made.status == .seeOther)
            let after = try await dana.get(made.headers.first(name: .location) ?? "")
            #expect(after.text.contains("is now the plan in force") && !after.text.contains("Make this the home maintenance program"))
            let second = try await dana.post("/patients/\(maria)/discharge/maintenance", form: [:], csrf: csrf)
            #expect(second.status == .conflict && second.text.contains("already the plan in force"))
        }
    }

    @Test func twentyAtOnceMakeOneProgram() async throws {
        try await withTestApp(history: true, onDisk: true) { app in
            try await app.running { port in
                let maria = try await app.patientID(of: Demo.patient)
                let therapist = try await app.token(Demo.therapist)
                let note = try await app.live(.POST, port: port, "/api/v1/patients/\(maria)/notes", token: therapist,
                                              json: MaintenancePlanTests.dischargeNote)
                let noteID = try #require(note.object["id"] as? String)
                _ = try await app.live(.POST, port: port, "/api/v1/patients/\(maria)/notes/\(noteID)/sign", token: therapist)
                let before = try await app.live(.GET, port: port, "/api/v1/patients/\(maria)/plan", token: therapist).object["version"] as? Int ?? 0
                let statuses = try await ConcurrencyTests.atOnce(20) { _ in
                    try await app.live(.POST, port: port, "/api/v1/patients/\(maria)/maintenance-plan", token: therapist)
                }
                #expect(statuses.count { $0 == 201 } == 1 && statuses.allSatisfy { $0 == 201 || $0 == 409 }, "\(statuses)")
                let after = try await app.live(.GET, port: port, "/api/v1/patients/\(maria)/plan", token: therapist).object["version"] as? Int ?? 0
                #expect(after == before + 1)
            }
        }
    }
}
