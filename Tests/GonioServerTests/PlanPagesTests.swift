import Foundation
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// The plan and practice pages as a browser uses them (forms, redirects, the player's data and
/// its JSON logs with the page's CSRF token).
@Suite struct PlanPagesTests {
    @Test func aTherapistBuildsAPlanFromAProtocolInTheEditor() async throws {
        try await withTestApp { app in
            let james = try await app.patientID(of: Demo.patient2)
            var therapist = WebTests.Browser(app: app)
            try await therapist.signIn(Demo.therapist)
            let empty = try await therapist.get("/patients/\(james)/plan")
            #expect(empty.text.contains("no active plan") && empty.text.contains("Build a plan"))
            let editor = try await therapist.get("/patients/\(james)/plan/edit?protocol=acl-reconstruction:2")
            #expect(editor.status == .ok && editor.text.contains("item-0-exercise"))
            let csrf = try #require(WebTests.Browser.csrf(in: editor.text))
            // Read back the form the page offers, as a browser would submit it.
            var fields: [String: String] = [:]
            let html = editor.text
            let pattern = try NSRegularExpression(pattern: "name=\"(item-\\d+-[a-zA-Z]+|title|startDate|endDate|phase|protocolId|baseVersion)\"[^>]*value=\"([^\"]*)\"")
            for m in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
                fields[String(html[Range(m.range(at: 1), in: html)!])] = String(html[Range(m.range(at: 2), in: html)!])
            }
            #expect(fields["title"] == "ACL reconstruction" || fields["title"]?.isEmpty == false)
            // Adding an exercise redraws the editor with it and saves nothing.
            var adding = fields
            adding["action"] = "add"
            adding["add"] = "ankle-calf-raises"
            let added = try await therapist.post("/patients/\(james)/plan/edit", form: adding, csrf: csrf)
            #expect(added.status == .ok && added.text.contains("Remove"))
            #expect(try await app.send(.GET, "/api/v1/patients/\(james)/plan", token: try await app.token(Demo.therapist)).status == .notFound)
            // A bad dose shows the editor again with the reason.
            var bad = fields
            bad["item-0-sets"] = "0"
            bad["action"] = "save"
            let refused = try await therapist.post("/patients/\(james)/plan/edit", form: bad, csrf: csrf)
            #expect(refused.status == .unprocessableEntity && refused.text.contains("sets must be 1 to 10"))
            fields["action"] = "save"
            let saved = try await therapist.post("/patients/\(james)/plan/edit", form: fields, csrf: csrf)
            #expect(saved.status == .seeOther, "\(saved.status) \(saved.text.prefix(400))")
            let plan = try await therapist.get("/patients/\(james)/plan")
            #expect(plan.text.contains("version 1") && plan.text.contains("Change the plan"))
            // A change needs a reason; with one it makes version 2.
            let again = try await therapist.get("/patients/\(james)/plan/edit")
            fields["baseVersion"] = "1"
            fields["title"] = "ACL rehabilitation, phase 3"
            #expect(try await therapist.post("/patients/\(james)/plan/edit", form: fields, csrf: WebTests.Browser.csrf(in: again.text)).status == .unprocessableEntity)
            fields["reason"] = "Moving on after the week 6 review"
            #expect(try await therapist.post("/patients/\(james)/plan/edit", form: fields, csrf: csrf).status == .seeOther)
            #expect(try await therapist.get("/patients/\(james)/plan").text.contains("Moving on after the week 6 review"))
            // The patient reads it, prints it and practises it; they cannot edit it.
            var patient = WebTests.Browser(app: app)
            try await patient.signIn(Demo.patient2)
            let own = try await patient.get("/patients/\(james)/plan")
            #expect(own.text.contains("Start today") && !own.text.contains("Change the plan"))
            #expect(try await patient.get("/patients/\(james)/plan/edit").status == .forbidden)
            let handout = try await patient.get("/patients/\(james)/plan/handout")
            #expect(handout.status == .ok && handout.text.contains("handout-item") && handout.text.contains("<svg"))
            let player = try await patient.get("/patients/\(james)/practice/player")
            #expect(player.status == .ok && player.text.contains("id=\"player-data\""))
            let data = try #require(player.text.range(of: "<script type=\"application/json\" id=\"player-data\">").map { r in
                String(player.text[r.upperBound...].prefix { $0 != "<" })
            })
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
            let steps = parsed["steps"] as? [[String: Any]] ?? []
            #expect(!steps.isEmpty && steps.allSatisfy { $0["drawing"] != nil })
            let logURL = try #require(parsed["logURL"] as? String)
            let token = try #require(parsed["csrf"] as? String)
            // The player's logs: JSON with the page's token; without it, refused.
            let log = try jsonText(["id": UUID().uuidString, "itemId": steps[0]["itemId"]!, "outcome": "completed", "setsDone": 1, "repsDone": 10])
            var headers = patient.cookieHeader
            headers.contentType = .json
            let refused403 = try await app.testing().sendRequest(.POST, logURL, headers: headers, body: ByteBuffer(string: log))
            #expect(refused403.status == .forbidden)
            headers.add(name: "X-CSRF-Token", value: token)
            let sent = try await app.testing().sendRequest(.POST, logURL, headers: headers, body: ByteBuffer(string: log))
            #expect(sent.status == .created)
            let practice = try await patient.get("/patients/\(james)/practice")
            #expect(practice.text.contains("Partly done") || practice.text.contains("Done"))
            // The therapist sees James on the list with his practice.
            #expect(try await therapist.get("/dashboard").text.contains("Practised today"))
        }
    }
}
