import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// The gate as a whole: every route that takes a patient refuses outsiders and audits them; web
/// pages and API answer alike for caregiver scopes; registration and lists are audited by name.
@Suite struct GateTests {
    /// A clinic admin of the other clinic, who may see none of Riverside's patients.
    static func harborAdmin(_ app: Application) async throws -> String {
        let harbor = try #require(try await ClinicModel.query(on: app.db).filter(\.$name == "Harbor Telehealth PT").first())
        let admin = UserModel(email: "harbor-admin@example.com", name: "Harbor Admin", role: .clinicAdmin,
                              passwordHash: try PasswordHasher.hash(DemoSeed.password, cost: 4))
        try await admin.create(on: app.db)
        try await ClinicMembershipModel(clinicID: harbor.requireID(), userID: admin.requireID(), role: .clinicAdmin).create(on: app.db)
        return "harbor-admin@example.com"
    }

    /// Walks the whole route table: each route with a `patientID` parameter, called by each kind
    /// of outsider about James Chen (patient2), answers 404 and leaves a denied audit entry naming
    /// the operation, the outsider and James.
    @Test func everyPatientRouteRefusesOutsidersAndAuditsThem() async throws {
        try await withTestApp { app in
            let target = try #require(UUID(uuidString: try await app.patientID(of: Demo.patient2)))
            let outsiders = [Demo.patient, Demo.caregiver, Demo.unverified, Demo.platform, try await Self.harborAdmin(app)]
            let routes = app.routes.all.filter { $0.path.contains(.parameter("patientID")) }
            #expect(routes.count >= 30, "the walk covers the API and the pages: \(routes.count)")
            var refusals = 0
            for email in outsiders {
                let token = try await app.token(email)
                let userID = try #require(UUID(uuidString: try await app.me(token)["id"] as? String ?? ""))
                var browser = WebTests.Browser(app: app)
                try await browser.signIn(email)
                let csrf = try #require(WebTests.Browser.csrf(in: try await browser.get("/account/password").text))
                for route in routes {
                    let path = "/" + route.path.map { component -> String in
                        switch component {
                        case .parameter("patientID"): target.uuidString
                        case .parameter: UUID().uuidString
                        default: component.description
                        }
                    }.joined(separator: "/")
                    let before = try await AuditEntryModel.query(on: app.db).filter(\.$patientID == target)
                        .filter(\.$actor.$id == userID).filter(\.$outcome == .denied).count()
                    let response: TestResponse
                    if path.hasPrefix("/api/") {
                        response = try await app.send(route.method, path, token: token, body: route.method == .GET ? nil : "{}")
                    } else if route.method == .GET {
                        response = try await browser.get(path)
                    } else {
                        response = try await browser.post(path, form: [:], csrf: csrf)
                    }
                    #expect(response.status == .notFound, "\(email) \(route.method) \(route.path.string): \(response.status)")
                    let entries = try await AuditEntryModel.query(on: app.db).filter(\.$patientID == target)
                        .filter(\.$actor.$id == userID).filter(\.$outcome == .denied).sort(\.$at, .descending).all()
                    #expect(entries.count == before + 1, "\(email) \(route.method) \(route.path.string) is audited once")
                    let operation = entries.first.flatMap { PatientOperation(rawValue: $0.action) }
                    #expect(operation != nil, "the entry names an operation: \(entries.first?.action ?? "none")")
                    refusals += 1
                }
                for path in ["/api/v1/audit?patientId=\(target)"] {
                    #expect(try await app.send(.GET, path, token: token).status.code >= 403)
                }
                // Nothing the request carries is read before the gate: a bad kind is still a 404.
                let odd = try await browser.post("/patients/\(target)/notes/new?kind=nonsense", form: ["diagnosis": "x"], csrf: csrf)
                #expect(odd.status == .notFound, "\(email): \(odd.status)")
            }
            #expect(refusals == routes.count * outsiders.count)
        }
    }

    /// A caregiver who may only log practice fills in the intake and questionnaires; the page
    /// and the API give the same answers, and neither shows notes or the record.
    @Test func webAndAPIAgreeForAFormFillingCaregiver() async throws {
        try await withTestApp { app in
            let patient = try await app.patientID(of: Demo.patient)
            let link = try #require(try await CaregiverLinkModel.query(on: app.db).first())
            link.scopes = CaregiverScopes([.logPractice])
            try await link.update(on: app.db)
            let therapist = try await app.token(Demo.therapist)
            let assigned = try await app.send(.POST, "/api/v1/patients/\(patient)/measures", token: therapist,
                                              json: ["code": "nprs", "schedule": "once"])
            let assignment = try #require(assigned.object["id"] as? String)

            let token = try await app.token(Demo.caregiver)
            var browser = WebTests.Browser(app: app)
            try await browser.signIn(Demo.caregiver)
            let cases: [(api: String, web: String, allowed: Bool)] = [
                ("/api/v1/patients/\(patient)/intake", "/patients/\(patient)/intake", true),
                ("/api/v1/patients/\(patient)/measures", "/patients/\(patient)/measures", true),
                ("/api/v1/patients/\(patient)/notes", "/patients/\(patient)/notes", false),
                ("/api/v1/patients/\(patient)", "/patients/\(patient)/notes/new", false),
            ]
            for c in cases {
                let api = try await app.send(.GET, c.api, token: token)
                let web = try await browser.get(c.web)
                #expect((api.status == .ok) == c.allowed, "API \(c.api): \(api.status)")
                #expect((web.status == .ok) == c.allowed, "page \(c.web): \(web.status)")
                #expect(api.status == web.status || !c.allowed && [api.status, web.status].allSatisfy { $0 == .notFound || $0 == .forbidden })
            }
            // The form of the due questionnaire opens on the page, and the answers save through either.
            let form = try await browser.get("/patients/\(patient)/measures/\(assignment)")
            #expect(form.status == .ok)
            #expect(form.text.contains("name=\"item-0\""))
            let saved = try await app.send(.POST, "/api/v1/patients/\(patient)/measures/\(assignment)/responses", token: token,
                                           json: ["answers": [4]])
            #expect(saved.status == .created, "\(saved.text)")
            #expect((saved.object["results"] as? [Any])?.isEmpty == true, "a form-filler sees no scores")
            // The dashboard lists the patient with what the caregiver may do.
            let dashboard = try await browser.get("/dashboard")
            #expect(dashboard.text.contains("Maria Lopez"))
            #expect(dashboard.text.contains("/patients/\(patient)/intake"))
            #expect(!dashboard.text.contains("/patients/\(patient)/notes"))
        }
    }

    /// For every role and every caregiver scope, a page and its API answer the same question
    /// the same way: both allowed, or both refused.
    @Test(arguments: [Demo.patient, Demo.patient2, Demo.caregiver, Demo.therapist, Demo.unverified, Demo.admin, Demo.platform,
                      "scope:view", "scope:log-practice", "scope:book-visits", "scope:message"])
    func pagesAndAPIAgree(who: String) async throws {
        try await withTestApp { app in
            var email = who
            if who.hasPrefix("scope:"), let scope = CaregiverScope(rawValue: String(who.dropFirst(6))) {
                let link = try #require(try await CaregiverLinkModel.query(on: app.db).first())
                link.scopes = CaregiverScopes([scope])
                try await link.update(on: app.db)
                email = Demo.caregiver
            }
            let patient = try await app.patientID(of: Demo.patient)
            let token = try await app.token(email)
            var browser = WebTests.Browser(app: app)
            try await browser.signIn(email)
            let pairs = [
                ("/api/v1/patients/\(patient)/intake", "/patients/\(patient)/intake"),
                ("/api/v1/patients/\(patient)/measures", "/patients/\(patient)/measures"),
                ("/api/v1/patients/\(patient)/notes", "/patients/\(patient)/notes"),
                ("/api/v1/patients/\(patient)/notes/template", "/patients/\(patient)/notes/new"),
            ]
            for (api, page) in pairs {
                let viaAPI = try await app.send(.GET, api, token: token).status
                let viaPage = try await browser.get(page).status
                #expect((viaAPI == .ok) == (viaPage == .ok), "\(who): \(api) \(viaAPI) but \(page) \(viaPage)")
            }
        }
    }

    @Test func registeringAPatientIsAudited() async throws {
        try await withTestApp { app in
            let clinic = try #require(try await app.send(.GET, "/api/v1/clinics").array.first?["id"] as? String)
            let r = try await app.send(.POST, "/api/v1/accounts", json: [
                "email": "audited@example.com", "password": "walking again soon", "name": "Audited Person", "role": "patient",
                "clinicId": clinic, "dateOfBirth": "1950-01-02", "location": "CA",
            ])
            #expect(r.status == .created)
            let token = try await app.token("audited@example.com", password: "walking again soon")
            let patientID = try #require(UUID(uuidString: try await app.me(token)["patientId"] as? String ?? ""))
            let entry = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$action == "account.register")
                .filter(\.$patientID == patientID).first())
            #expect(entry.outcome == .allowed)
            #expect(entry.actorRole == "anonymous")
            #expect(entry.resource.hasPrefix("account/"))
            // Through the web form as well.
            var browser = WebTests.Browser(app: app)
            let page = try await browser.get("/register")
            let posted = try await browser.post("/register", form: [
                "name": "Web Person", "email": "web-person@example.com", "password": "walking again soon", "role": "patient",
                "clinicId": clinic, "dateOfBirth": "1960-02-03", "location": "US-OR",
            ], csrf: WebTests.Browser.csrf(in: page.text))
            #expect(posted.status == .seeOther)
            let webToken = try await app.token("web-person@example.com", password: "walking again soon")
            let webPatient = try #require(UUID(uuidString: try await app.me(webToken)["patientId"] as? String ?? ""))
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "account.register")
                .filter(\.$patientID == webPatient).count() == 1)
        }
    }

    /// A list writes one entry naming every patient shown, and a patient's own audit trail
    /// includes the lists that showed them.
    @Test func aListIsOneEntryNamingItsPatients() async throws {
        try await withTestApp { app in
            let therapist = try await app.token(Demo.therapist)
            let before = try await AuditEntryModel.query(on: app.db).count()
            let list = try await app.send(.GET, "/api/v1/patients", token: therapist)
            #expect(list.array.count == 2)
            #expect(try await AuditEntryModel.query(on: app.db).count() == before + 1)
            let entry = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$action == "patient.list")
                .with(\.$patients).sort(\.$at, .descending).first())
            let shown = Set(list.array.compactMap { ($0["id"] as? String).flatMap(UUID.init(uuidString:)) })
            #expect(Set(entry.patients.map(\.patientID)) == shown)
            let riverside = try #require(try await ClinicModel.query(on: app.db).filter(\.$name == "Riverside Physical Therapy").first())
            #expect(entry.clinicID == riverside.id, "filed under the clinic of the patients it names")
            let patient = try await app.patientID(of: Demo.patient)
            let trail = try await app.send(.GET, "/api/v1/audit?patientId=\(patient)&action=patient.list", token: app.token(Demo.admin))
            #expect(trail.array.contains { ($0["patientIds"] as? [String])?.contains { $0.lowercased() == patient.lowercased() } == true })
        }
    }

    /// A change's audit entry is written in the change's transaction: a refused change leaves
    /// a `failed` entry and nothing else.
    @Test func aRefusedChangeLeavesAFailedEntryAndNoChange() async throws {
        try await withTestApp { app in
            let patient = try await app.patientID(of: Demo.patient)
            let token = try await app.token(Demo.patient)
            let submit = try await app.send(.POST, "/api/v1/patients/\(patient)/intake/submit", token: token)
            #expect(submit.status == .conflict)
            let entries = try await AuditEntryModel.query(on: app.db).filter(\.$action == "intake.submit").all()
            #expect(entries.count == 1)
            #expect(entries.first?.outcome == .failed)
            #expect(entries.first?.reason == "intake-not-started")
            #expect(try await IntakeModel.query(on: app.db).count() == 0)
        }
    }

    /// The source keeps patient data behind the gate: each patient-owned model is queried only in
    /// its feature's service (whose functions take an `AuthorizedPatient`), the gate, and seeding.
    @Test func patientDataIsQueriedOnlyBehindTheGate() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/GonioServer")
        let allowed: [String: Set<String>] = [
            "IntakeModel": ["IntakeService.swift"],
            "MeasureAssignmentModel": ["MeasureService.swift"],
            "MeasureResponseModel": ["MeasureService.swift"],
            "ClinicalNoteModel": ["NoteService.swift"],
            "NoteAddendumModel": ["NoteService.swift"],
            "CareTeamMemberModel": ["CareService.swift", "PatientGate.swift"],
            "CaregiverLinkModel": ["CareService.swift", "PatientGate.swift"],
            "PatientModel": ["PatientGate.swift", "CurrentUser.swift"],
            "PlanModel": ["PlanService.swift", "PracticeService.swift"],
            "PlanVersionModel": ["PlanService.swift"],
            "PracticeLogModel": ["PracticeService.swift"],
            "PracticeAlertModel": ["PracticeService.swift"],
            "VisitReadingModel": ["VisitReadingService.swift"],
            "CheckInModel": ["CheckInService.swift"],
            "SuggestionModel": ["ProgressionService.swift"],
            "PatientAlertModel": ["AlertService.swift"],
            "ThreadModel": ["MessageService.swift"],
            "SecureMessageModel": ["MessageService.swift"],
            "ArticleReadModel": ["EducationService.swift"],
            "RomMeasurementModel": ["RomService.swift"],
            "InvoiceModel": ["BillingService.swift"],
            "PaymentModel": ["BillingService.swift"],
            "CoverageModel": ["BillingService.swift"],
            "RTMTimeModel": ["RTMService.swift"],
            "InstalmentScheduleModel": ["BillingService.swift"],
            "VisitCodingModel": ["CodingService.swift"],
            "SlidingScaleModel": ["CoverService.swift"],
            "EnrollmentModel": ["CoverService.swift"],
        ]
        let files = FileManager.default.enumerator(atPath: sources.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(files.count > 30)
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            let name = (file as NSString).lastPathComponent
            for (model, places) in allowed where text.contains("\(model).query(on:") {
                #expect(places.contains(name), "\(model) is queried in \(file)")
            }
        }
    }
}
