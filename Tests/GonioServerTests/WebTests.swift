import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// The server-rendered pages: sign-in with CSRF, cookie flags, each role's dashboard.
@Suite struct WebTests {
    struct Browser {
        let app: Application
        var cookies: [String: String] = [:]

        var cookieHeader: HTTPHeaders {
            var h = HTTPHeaders()
            if !cookies.isEmpty { h.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
            h.add(name: .accept, value: "text/html")
            return h
        }

        mutating func absorb(_ r: TestResponse) {
            for value in r.headers[.setCookie] {
                let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                let name = String(pair[0]), v = pair.count > 1 ? String(pair[1]) : ""
                if v.isEmpty { cookies[name] = nil } else { cookies[name] = v }
            }
        }

        mutating func get(_ path: String) async throws -> TestResponse {
            let r = try await app.send(.GET, path, headers: cookieHeader)
            absorb(r)
            return r
        }

        mutating func post(_ path: String, form: [String: String], csrf: String? = nil) async throws -> TestResponse {
            var headers = cookieHeader
            headers.contentType = .urlEncodedForm
            var fields = form
            if let csrf { fields["_csrf"] = csrf }
            let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                .joined(separator: "&")
            let r = try await app.send(.POST, path, body: body, headers: headers)
            absorb(r)
            return r
        }

        static func csrf(in html: String) -> String? {
            guard let range = html.range(of: #"name="_csrf" value=""#) else { return nil }
            return String(html[range.upperBound...].prefix { $0 != "\"" })
        }

        mutating func signIn(_ email: String) async throws {
            let page = try await get("/login")
            let r = try await post("/login", form: ["email": email, "password": DemoSeed.password], csrf: Self.csrf(in: page.text))
            #expect(r.status == .seeOther, "\(email): \(r.status)")
        }
    }

    @Test func landingPageExplainsTheService() async throws {
        try await withTestApp(seed: false) { app in
            var browser = Browser(app: app)
            let r = try await browser.get("/")
            #expect(r.status == .ok)
            #expect(r.text.contains("Physical therapy at home"))
            #expect(r.text.contains("href=\"/register\""))
            #expect(r.text.contains("<main id=\"main\""))
            #expect(r.headers.first(name: "Content-Security-Policy")?.contains("default-src 'self'") == true)
        }
    }

    @Test func signInSetsAHardenedCookie() async throws {
        try await withTestApp { app in
            var browser = Browser(app: app)
            let page = try await browser.get("/login")
            let csrf = try #require(Browser.csrf(in: page.text))
            let r = try await browser.post("/login", form: ["email": Demo.patient, "password": DemoSeed.password], csrf: csrf)
            #expect(r.status == .seeOther)
            #expect(r.headers.first(name: .location) == "/dashboard")
            let cookie = try #require(r.headers[.setCookie].first { $0.hasPrefix("gonio_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"), "plain http in development")
        }
    }

    @Test func cookiesAreSecureBehindTLS() async throws {
        try await withTestApp(adjust: { $0.publicURL = "https://pt.example.org" }) { app in
            var browser = Browser(app: app)
            let page = try await browser.get("/login")
            let r = try await browser.post("/login", form: ["email": Demo.patient, "password": DemoSeed.password], csrf: Browser.csrf(in: page.text))
            let cookie = try #require(r.headers[.setCookie].first { $0.hasPrefix("gonio_session=") })
            #expect(cookie.contains("Secure"))
            #expect(r.headers.first(name: "Strict-Transport-Security") != nil)
        }
    }

    @Test func formsWithoutTheCSRFTokenAreRefused() async throws {
        try await withTestApp { app in
            var browser = Browser(app: app)
            _ = try await browser.get("/login")
            let noToken = try await browser.post("/login", form: ["email": Demo.patient, "password": DemoSeed.password])
            #expect(noToken.status == .forbidden)
            #expect(!noToken.headers[.setCookie].contains { $0.hasPrefix("gonio_session=") })
            try await browser.signIn(Demo.patient)
            let patientID = try await app.patientID(of: Demo.patient)
            let forged = try await browser.post("/patients/\(patientID)/caregivers/\(UUID())/revoke", form: [:], csrf: "forged")
            #expect(forged.status == .forbidden)
            let forgedLogout = try await browser.post("/logout", form: [:])
            #expect(forgedLogout.status == .forbidden)
            #expect(try await browser.get("/dashboard").status == .ok, "still signed in")
        }
    }

    @Test func wrongPasswordReRendersTheFormWithAnError() async throws {
        try await withTestApp { app in
            var browser = Browser(app: app)
            let page = try await browser.get("/login")
            let r = try await browser.post("/login", form: ["email": Demo.patient, "password": "nope-nope-nope"], csrf: Browser.csrf(in: page.text))
            #expect(r.status == .unauthorized)
            #expect(r.text.contains("The email or password is not right."))
            #expect(r.text.contains("value=\"patient@example.com\""))
        }
    }

    @Test func dashboardNeedsSignIn() async throws {
        try await withTestApp(seed: false) { app in
            var browser = Browser(app: app)
            let r = try await browser.get("/dashboard")
            #expect(r.status == .seeOther || r.status == .found)
            #expect(r.headers.first(name: .location)?.hasPrefix("/login") == true)
        }
    }

    @Test(arguments: [
        (Demo.patient, ["Dana Whitaker, PT, DPT", "Ana Lopez", "People who help you"], ["James Chen"]),
        (Demo.patient2, ["Dana Whitaker, PT, DPT", "Nobody else can see your records."], ["Maria Lopez", "Ana Lopez"]),
        (Demo.caregiver, ["Maria Lopez", "Dana Whitaker, PT, DPT"], ["James Chen"]),
        (Demo.therapist, ["Maria Lopez", "James Chen", "Oregon", "Washington", "Arizona", "California"], ["Awaiting verification"]),
        (Demo.unverified, ["Awaiting verification", "Texas"], ["Maria Lopez", "James Chen"]),
        (Demo.admin, ["Verification queue", "Sam Ortiz, PT", "Maria Lopez", "James Chen", "View the audit log"], []),
        (Demo.platform, ["Riverside Physical Therapy", "Harbor Telehealth PT", "Add a clinic"], ["Maria Lopez", "James Chen"]),
    ])
    func eachRoleSeesItsDashboard(email: String, shown: [String], hidden: [String]) async throws {
        try await withTestApp { app in
            var browser = Browser(app: app)
            try await browser.signIn(email)
            let r = try await browser.get("/dashboard")
            #expect(r.status == .ok)
            for text in shown { #expect(r.text.contains(text), "\(email) should see \(text)") }
            for text in hidden { #expect(!r.text.contains(text), "\(email) must not see \(text)") }
        }
    }

    @Test func adminVerifiesATherapistFromTheQueue() async throws {
        try await withTestApp { app in
            var browser = Browser(app: app)
            try await browser.signIn(Demo.admin)
            let page = try await browser.get("/dashboard")
            let sam = try await app.therapistID(of: Demo.unverified)
            #expect(page.text.contains("/clinic/therapists/\(sam)/verify"))
            let r = try await browser.post("/clinic/therapists/\(sam)/verify", form: [:], csrf: Browser.csrf(in: page.text))
            #expect(r.status == .seeOther)
            let after = try await browser.get("/dashboard?notice=therapist-verified")
            #expect(after.text.contains("The therapist was verified."))
            #expect(after.text.contains("No therapists are waiting for verification."))
            #expect(try await TherapistModel.find(UUID(uuidString: sam), on: app.db)?.verification == .verified)
        }
    }

    @Test func rejectWithoutReasonShowsTheError() async throws {
        try await withTestApp { app in
            var browser = Browser(app: app)
            try await browser.signIn(Demo.admin)
            let page = try await browser.get("/dashboard")
            let sam = try await app.therapistID(of: Demo.unverified)
            let r = try await browser.post("/clinic/therapists/\(sam)/reject", form: ["reason": " "], csrf: Browser.csrf(in: page.text))
            #expect(r.status == .unprocessableEntity)
            #expect(r.text.contains("Give a reason for rejecting"))
        }
    }

    @Test func patientLinksAndRevokesACaregiverFromTheDashboard() async throws {
        try await withTestApp { app in
            let clinic = try await app.send(.GET, "/api/v1/clinics").array.first?["id"] as? String ?? ""
            _ = try await app.send(.POST, "/api/v1/accounts", json: [
                "email": "sis@example.com", "password": "a long sister phrase", "name": "Rosa Chen", "role": "caregiver", "clinicId": clinic,
            ])
            var browser = Browser(app: app)
            try await browser.signIn(Demo.patient2)
            let page = try await browser.get("/dashboard")
            let patient = try await app.patientID(of: Demo.patient2)
            var headers = browser.cookieHeader
            headers.contentType = .urlEncodedForm
            let expires = isoDay(Date().addingTimeInterval(90 * 86_400))
            let body = "_csrf=\(Browser.csrf(in: page.text)!)&caregiverEmail=sis%40example.com&scopes%5B%5D=view&scopes%5B%5D=book-visits&expiresOn=\(expires)"
            let linked = try await app.send(.POST, "/patients/\(patient)/caregivers", body: body, headers: headers)
            #expect(linked.status == .seeOther, "\(linked.text)")
            let after = try await browser.get("/dashboard")
            #expect(after.text.contains("Rosa Chen"))
            #expect(after.text.contains("See records and plan; Book visits"))
            let link = try #require(try await CaregiverLinkModel.query(on: app.db).filter(\.$patient.$id == UUID(uuidString: patient)!).first())
            let revoked = try await browser.post("/patients/\(patient)/caregivers/\(link.requireID())/revoke", form: [:], csrf: Browser.csrf(in: after.text))
            #expect(revoked.status == .seeOther)
            #expect(try await browser.get("/dashboard").text.contains("Revoked"))
        }
    }

    @Test func signOutEndsTheSession() async throws {
        try await withTestApp { app in
            var browser = Browser(app: app)
            try await browser.signIn(Demo.therapist)
            let page = try await browser.get("/dashboard")
            let oldCookie = browser.cookies["gonio_session"]
            let r = try await browser.post("/logout", form: [:], csrf: Browser.csrf(in: page.text))
            #expect(r.status == .seeOther)
            browser.cookies["gonio_session"] = oldCookie
            let again = try await browser.get("/dashboard")
            #expect(again.status != .ok, "the old cookie no longer signs in")
        }
    }

    @Test func registrationThroughTheForm() async throws {
        try await withTestApp { app in
            var browser = Browser(app: app)
            let page = try await browser.get("/register")
            #expect(page.text.contains("Riverside Physical Therapy"))
            let clinic = try await app.send(.GET, "/api/v1/clinics").array.first?["id"] as? String ?? ""
            let weak = try await browser.post("/register", form: [
                "role": "patient", "name": "Tom", "email": "tom@example.com", "password": "short", "clinicId": clinic,
            ], csrf: Browser.csrf(in: page.text))
            #expect(weak.status == .unprocessableEntity)
            #expect(weak.text.contains("at least 10 characters"))
            #expect(weak.text.contains("value=\"tom@example.com\""), "the form keeps what was typed")
            let ok = try await browser.post("/register", form: [
                "role": "patient", "name": "Tom", "email": "tom@example.com", "password": "knees feel better", "clinicId": clinic,
                "location": "US-WA",
            ], csrf: Browser.csrf(in: weak.text))
            #expect(ok.status == .seeOther)
            let dash = try await browser.get("/dashboard?notice=registered")
            #expect(dash.text.contains("Hello, Tom"))
            #expect(dash.text.contains("Washington"))
        }
    }

    @Test func therapistRegistrationThroughTheFormIsPending() async throws {
        try await withTestApp { app in
            var browser = Browser(app: app)
            let page = try await browser.get("/register")
            let clinic = try await app.send(.GET, "/api/v1/clinics").array.first?["id"] as? String ?? ""
            let r = try await browser.post("/register", form: [
                "role": "therapist", "name": "Kim Ng, PT", "email": "kim@example.com", "password": "strong hips strong knees",
                "clinicId": clinic, "licenseNumber": "WA-77", "licenseType": "PT", "licenseJurisdiction": "WA",
                "licenseExpiresOn": "2030-06-30", "licenseIsHome": "on", "compactPrivileges": "OR, AZ",
            ], csrf: Browser.csrf(in: page.text))
            #expect(r.status == .seeOther, "\(r.text)")
            let dash = try await browser.get("/dashboard")
            #expect(dash.text.contains("Awaiting verification"))
            #expect(dash.text.contains("Arizona"))
        }
    }

    @Test func auditPageShowsEntriesToClinicAdminsOnly() async throws {
        try await withTestApp { app in
            let patient = try await app.patientID(of: Demo.patient)
            _ = try await app.send(.GET, "/api/v1/patients/\(patient)", token: app.token(Demo.patient2))
            var admin = Browser(app: app)
            try await admin.signIn(Demo.admin)
            let page = try await admin.get("/clinic/audit?patientId=\(patient)&outcome=denied")
            #expect(page.status == .ok)
            #expect(page.text.contains("James Chen (Patient)"))
            #expect(page.text.contains("not-own-record"))
            var therapist = Browser(app: app)
            try await therapist.signIn(Demo.therapist)
            #expect(try await therapist.get("/clinic/audit").status == .forbidden)
        }
    }

    @Test func passwordChangeFromTheAccountPage() async throws {
        try await withTestApp { app in
            var browser = Browser(app: app)
            try await browser.signIn(Demo.caregiver)
            let page = try await browser.get("/account/password")
            let mismatch = try await browser.post("/account/password", form: [
                "currentPassword": DemoSeed.password, "newPassword": "helping mum daily", "confirmPassword": "different",
            ], csrf: Browser.csrf(in: page.text))
            #expect(mismatch.status == .unprocessableEntity)
            let ok = try await browser.post("/account/password", form: [
                "currentPassword": DemoSeed.password, "newPassword": "helping mum daily", "confirmPassword": "helping mum daily",
            ], csrf: Browser.csrf(in: page.text))
            #expect(ok.status == .seeOther)
            _ = try await app.token(Demo.caregiver, password: "helping mum daily")
        }
    }

    @Test func unknownPagesRenderAnErrorPage() async throws {
        try await withTestApp(seed: false) { app in
            var browser = Browser(app: app)
            let r = try await browser.get("/no-such-page")
            #expect(r.status == .notFound)
            #expect(r.text.contains("Page not found"))
            let api = try await app.send(.GET, "/api/v1/nothing-here")
            #expect(api.status == .notFound)
            #expect(api.errorCode == "not-found")
        }
    }

    @Test func nextParameterCannotRedirectOffSite() {
        #expect(AccountRoutes.safeNext("//evil.example/x") == "/dashboard")
        #expect(AccountRoutes.safeNext("https://evil.example") == "/dashboard")
        #expect(AccountRoutes.safeNext("/\\evil") == "/dashboard")
        #expect(AccountRoutes.safeNext("/clinic/audit") == "/clinic/audit")
        #expect(AccountRoutes.safeNext(nil) == "/dashboard")
    }
}

@Suite struct IntakeWebTests {
    typealias Browser = WebTests.Browser

    @Test func patientSubmitsAFlaggedIntakeAndTheTherapistClearsIt() async throws {
        try await withTestApp { app in
            let patientID = try await app.patientID(of: Demo.patient2)
            var patient = Browser(app: app)
            try await patient.signIn(Demo.patient2)
            let dash = try await patient.get("/dashboard")
            #expect(dash.text.contains("Fill in your intake"))
            let page = try await patient.get("/patients/\(patientID)/intake")
            #expect(page.status == .ok)
            #expect(page.text.contains("Safety questions"))
            var form: [String: String] = [
                "conditionCategory": "musculoskeletal", "onsetDate": "2026-09-15", "currentPain": "4",
                "goals": "Play with my kids", "age": "38", "visitLocation": "US-WA", "hasCameraDevice": "yes",
                "internet": "good", "spaceToMove": "yes", "assistanceNeeded": "independent", "action": "save",
                "bodyRegions[]": "neck",
            ]
            let saved = try await patient.post("/patients/\(patientID)/intake", form: form, csrf: Browser.csrf(in: page.text))
            #expect(saved.status == .seeOther)
            let again = try await patient.get("/patients/\(patientID)/intake?notice=saved")
            #expect(again.text.contains("Your answers are saved"))
            #expect(again.text.contains(#"value="Play with my kids""#) || again.text.contains("Play with my kids"))
            form["action"] = "submit"
            let incomplete = try await patient.post("/patients/\(patientID)/intake", form: form, csrf: Browser.csrf(in: again.text))
            #expect(incomplete.status == .unprocessableEntity)
            #expect(incomplete.text.contains("Some answers are still needed"))
            for q in RedFlagScreen.questions where q.type == .boolean { form["rf[\(q.id)]"] = q.id == "dizziness" ? "yes" : "no" }
            let submitted = try await patient.post("/patients/\(patientID)/intake", form: form, csrf: Browser.csrf(in: incomplete.text))
            #expect(submitted.status == .ok, "\(submitted.status)")
            #expect(submitted.text.contains("A therapist will review your answers"))
            #expect(submitted.text.contains("Online visits cannot be booked until a therapist clears this."))

            var therapist = Browser(app: app)
            try await therapist.signIn(Demo.therapist)
            let tdash = try await therapist.get("/dashboard")
            #expect(tdash.text.contains("Intakes waiting for your decision"))
            let review = try await therapist.get("/patients/\(patientID)/intake")
            #expect(review.text.contains("Your decision"))
            #expect(review.text.contains("Dizziness has many causes"))
            let decided = try await therapist.post("/patients/\(patientID)/intake/decision",
                                                   form: ["decision": "cleared-for-virtual-care", "reason": "Dizziness is positional; no neuro signs on call."],
                                                   csrf: Browser.csrf(in: review.text))
            #expect(decided.status == .seeOther)
            let after = try await patient.get("/patients/\(patientID)/intake")
            #expect(after.text.contains("Cleared for virtual care"))
            #expect(after.text.contains("Online visits can go ahead."))
            #expect(!(try await therapist.get("/dashboard")).text.contains("Intakes waiting for your decision"))
        }
    }

    @Test func emergencyAnswersShowOnlyTheEmergencyMessage() async throws {
        try await withTestApp { app in
            let patientID = try await app.patientID(of: Demo.patient)
            var patient = Browser(app: app)
            try await patient.signIn(Demo.patient)
            let page = try await patient.get("/patients/\(patientID)/intake")
            var form: [String: String] = [
                "conditionCategory": "musculoskeletal", "onsetDate": "2026-09-15", "currentPain": "8", "goals": "Walk",
                "age": "70", "visitLocation": "US-CA", "hasCameraDevice": "yes", "internet": "good", "spaceToMove": "yes",
                "assistanceNeeded": "independent", "action": "submit", "bodyRegions[]": "lower-back",
            ]
            for q in RedFlagScreen.questions where q.type == .boolean { form["rf[\(q.id)]"] = q.id == "saddle-numbness" ? "yes" : "no" }
            let r = try await patient.post("/patients/\(patientID)/intake", form: form, csrf: Browser.csrf(in: page.text))
            #expect(r.status == .ok)
            #expect(r.text.contains("Call 911 now"))
            #expect(!r.text.contains("Save and finish later"), "nothing else is offered")
        }
    }

    @Test func outsidersGetNotFound() async throws {
        try await withTestApp { app in
            let patientID = try await app.patientID(of: Demo.patient)
            var other = Browser(app: app)
            try await other.signIn(Demo.patient2)
            #expect(try await other.get("/patients/\(patientID)/intake").status == .notFound)
        }
    }
}

@Suite struct LongFormTests {
    /// A browser sends a long form in several chunks; the CSRF check must still find its token.
    @Test func csrfTokenIsFoundInAStreamedForm() async throws {
        try await withTestApp { app in
            var browser = WebTests.Browser(app: app)
            try await browser.signIn(Demo.patient)
            let patientID = try await app.patientID(of: Demo.patient)
            let page = try await browser.get("/patients/\(patientID)/intake")
            let csrf = try #require(WebTests.Browser.csrf(in: page.text))
            let padding = String(repeating: "a", count: 1900)
            let body = "_csrf=\(csrf)&action=save&symptoms=\(padding)&goals=\(padding)&betterWith=\(padding)&worseWith=\(padding)&otherMedications=\(padding)"
            var headers = browser.cookieHeader
            headers.contentType = .urlEncodedForm
            // A real server on a free port (a random fixed one can collide with another test's).
            let r = try await app.running { port in
                try await app.live(.POST, port: port, "/patients/\(patientID)/intake", body: body, headers: headers)
            }
            // The saved draft redirects to its page; a refused token would be 403.
            #expect(r.status == .seeOther || r.status == .ok, "\(r.status)")
            let saved = try await IntakeModel.query(on: app.db).first()
            #expect(saved?.data.value.symptoms?.contains(padding) == true, "the long draft was saved")
        }
    }
}

@Suite struct MeasureWebTests {
    typealias Browser = WebTests.Browser

    @Test func therapistAssignsAnODIAndThePatientFillsItInOnThePage() async throws {
        try await withTestApp { app in
            let patientID = try await app.patientID(of: Demo.patient)
            var therapist = Browser(app: app)
            try await therapist.signIn(Demo.therapist)
            let page = try await therapist.get("/patients/\(patientID)/measures")
            #expect(page.status == .ok)
            #expect(page.text.contains("Assign a measure"))
            let assigned = try await therapist.post("/patients/\(patientID)/measures", form: ["code": "odi", "schedule": "once"],
                                                    csrf: Browser.csrf(in: page.text))
            #expect(assigned.status == .seeOther)

            var patient = Browser(app: app)
            try await patient.signIn(Demo.patient)
            let dash = try await patient.get("/dashboard")
            #expect(dash.text.contains("1 questionnaire(s) to fill in."))
            let list = try await patient.get("/patients/\(patientID)/measures")
            #expect(!list.text.contains("Assign a measure"))
            let assignment = try #require(try await MeasureAssignmentModel.query(on: app.db).first()).id!
            let form = try await patient.get("/patients/\(patientID)/measures/\(assignment)")
            #expect(form.status == .ok)
            #expect(form.text.contains("1. Pain intensity"))
            var answers: [String: String] = [:]
            for i in 0..<10 where i != 7 { answers["item-\(i)"] = i < 6 ? "2" : "1" }   // sex life left out
            let saved = try await patient.post("/patients/\(patientID)/measures/\(assignment)", form: answers, csrf: Browser.csrf(in: form.text))
            #expect(saved.status == .seeOther, "\(saved.text.prefix(300))")
            let after = try await patient.get("/patients/\(patientID)/measures?notice=completed")
            // 6×2 + 3×1 = 15 over 9 answered: 15/45 × 100 = 33.3 → moderate.
            #expect(after.text.contains("Latest score: <strong>33.3</strong> (Moderate disability)"))
        }
    }

    @Test func tooManyMissingShowsTheFormAgainWithTheAnswersKept() async throws {
        try await withTestApp { app in
            let patientID = try await app.patientID(of: Demo.patient)
            _ = try await app.send(.POST, "/api/v1/patients/\(patientID)/measures", token: app.token(Demo.therapist), json: ["code": "odi", "schedule": "once"])
            let assignment = try #require(try await MeasureAssignmentModel.query(on: app.db).first()).id!
            var patient = Browser(app: app)
            try await patient.signIn(Demo.patient)
            let form = try await patient.get("/patients/\(patientID)/measures/\(assignment)")
            let r = try await patient.post("/patients/\(patientID)/measures/\(assignment)", form: ["item-0": "3", "item-1": "2"],
                                           csrf: Browser.csrf(in: form.text))
            #expect(r.status == .unprocessableEntity)
            #expect(r.text.contains("at most 1 item(s) missing"))
            #expect(r.text.contains(#"id="item-0-3" name="item-0" value="3" checked"#))
        }
    }
}

@Suite struct NoteWebTests {
    typealias Browser = WebTests.Browser

    @Test func therapistSignsAFollowUpThePatientReadsItAndAnAddendumFollows() async throws {
        try await withTestApp { app in
            let patientID = try await app.patientID(of: Demo.patient)
            var therapist = Browser(app: app)
            try await therapist.signIn(Demo.therapist)
            let page = try await therapist.get("/patients/\(patientID)/notes")
            #expect(page.text.contains("Write a follow-up note"))
            let empty = try await therapist.post("/patients/\(patientID)/notes", form: ["action": "sign"], csrf: Browser.csrf(in: page.text))
            #expect(empty.status == .unprocessableEntity)
            let signed = try await therapist.post("/patients/\(patientID)/notes", form: [
                "subjective": "Walked 20 minutes without pain.", "findings": "Lumbar flexion 50 degrees.", "action": "sign",
            ], csrf: Browser.csrf(in: page.text))
            #expect(signed.status == .seeOther)
            let after = try await therapist.get("/patients/\(patientID)/notes?notice=signed")
            #expect(after.text.contains("The note was signed."))
            let noteID = try #require(try await ClinicalNoteModel.query(on: app.db).filter(\.$status == .signed).first()?.id)
            let added = try await therapist.post("/patients/\(patientID)/notes/\(noteID)/addenda", form: ["text": "Flexion measured standing."],
                                                 csrf: Browser.csrf(in: after.text))
            #expect(added.status == .seeOther)
            var patient = Browser(app: app)
            try await patient.signIn(Demo.patient)
            let read = try await patient.get("/patients/\(patientID)/notes")
            #expect(read.text.contains("Walked 20 minutes without pain."))
            #expect(read.text.contains("Flexion measured standing."))
            #expect(!read.text.contains("Write a follow-up note"))
        }
    }
}

@Suite struct EvaluationWebTests {
    typealias Browser = WebTests.Browser

    static let form: [String: String] = [
        "subjective": "Right shoulder pain for 6 weeks.",
        "rom-motion-0": "shoulder/flexion", "rom-side-0": "right", "rom-degrees-0": "140",
        "str-muscle-0": "Rotator cuff", "str-side-0": "right", "str-grade-0": "4-",
        "test-name-0": "Hawkins-Kennedy", "test-side-0": "right", "test-result-0": "positive",
        "measure-quickdash": "on",
        "diagnosis": "Subacromial pain syndrome", "impairments": "Reduced flexion\nReduced cuff strength",
        "personalFactors": "1", "elementsExamined": "3", "presentation": "evolving", "complexity": "moderate",
        "reasoning": "Diabetes; ROM, strength and special tests; symptoms evolving.",
        "frequencyPerWeek": "2", "durationWeeks": "6", "interventions": "Cuff strengthening, posture.",
        "goal-text-0": "Reach the top shelf without pain", "goal-term-0": "short", "goal-date-0": "2026-12-31", "goal-status-0": "not-met",
        "goal-text-1": "QuickDASH at most 20", "goal-term-1": "long", "goal-date-1": "2027-02-28", "goal-status-1": "not-met",
        "action": "sign",
    ]

    @Test func therapistWritesAndSignsAStructuredInitialEvaluation() async throws {
        try await withTestApp { app in
            let patientID = try await app.patientID(of: Demo.patient)
            var therapist = Browser(app: app)
            try await therapist.signIn(Demo.therapist)
            let page = try await therapist.get("/patients/\(patientID)/notes/new?kind=initial-evaluation")
            #expect(page.status == .ok)
            #expect(page.text.contains("shoulder flexion (normal 0–180°)"))
            let signed = try await therapist.post("/patients/\(patientID)/notes/new?kind=initial-evaluation", form: Self.form,
                                                  csrf: Browser.csrf(in: page.text))
            #expect(signed.status == .seeOther, "\(signed.text.prefix(400))")
            let notes = try await therapist.get("/patients/\(patientID)/notes?notice=signed")
            #expect(notes.text.contains("Moderate (CPT 97162)"))
            #expect(notes.text.contains("shoulder flexion right: 140° (normal 0–180°)"))
            #expect(notes.text.contains("Rotator cuff right: 4-/5"))
            #expect(notes.text.contains("Short-term: Reach the top shelf without pain by 2026-12-31"))
        }
    }

    @Test func unsupportedComplexityIsSavedAsDraftWithTheReason() async throws {
        try await withTestApp { app in
            let patientID = try await app.patientID(of: Demo.patient)
            var therapist = Browser(app: app)
            try await therapist.signIn(Demo.therapist)
            let page = try await therapist.get("/patients/\(patientID)/notes/new?kind=initial-evaluation")
            var form = Self.form
            form["complexity"] = "high"
            let r = try await therapist.post("/patients/\(patientID)/notes/new?kind=initial-evaluation", form: form, csrf: Browser.csrf(in: page.text))
            #expect(r.status == .unprocessableEntity)
            #expect(r.text.contains("support moderate complexity (97162) at most"))
            #expect(r.text.contains("Subacromial pain syndrome"), "what was typed is kept")
            form["reasoning"] = ""
            form["complexity"] = "moderate"
            let unsigned = try await therapist.post("/patients/\(patientID)/notes/new?kind=initial-evaluation", form: form, csrf: Browser.csrf(in: page.text))
            #expect(unsigned.status == .unprocessableEntity)
            #expect(unsigned.text.contains("Saved as a draft."))
            #expect(try await ClinicalNoteModel.query(on: app.db).filter(\.$status == .draft).count() == 1)
        }
    }

    @Test func patientsCannotOpenTheEditor() async throws {
        try await withTestApp { app in
            let patientID = try await app.patientID(of: Demo.patient)
            var patient = Browser(app: app)
            try await patient.signIn(Demo.patient)
            #expect(try await patient.get("/patients/\(patientID)/notes/new?kind=initial-evaluation").status == .forbidden)
        }
    }
}
