import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// Regression tests for what an attack run against `gonio serve` found.
@Suite struct HardeningTests {
    /// High: `next` carried CR/LF into the redirect (a `Set-Cookie` of the attacker's), or a tab
    /// that browsers drop, turning `/\t/evil.example` into `//evil.example`.
    @Test(arguments: ["/\r\nSet-Cookie: injected=x", "/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example"])
    func signInRedirectsOnlyToALocalPath(next: String) async throws {
        try await withTestApp { app in
            var browser = WebTests.Browser(app: app)
            let encoded = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            // The attacker's link: the page is refused outright (a control character), or it
            // carries only a safe path.
            let linked = try await browser.get("/login?next=\(encoded)")
            #expect(linked.status == .unprocessableEntity || linked.text.contains(#"name="next" value="/dashboard""#), "\(linked.status)")
            #expect(!linked.headers[.setCookie].contains { $0.contains("injected") })
            let page = try await browser.get("/login")
            let r = try await browser.post("/login", form: ["email": Demo.patient, "password": DemoSeed.password, "next": next],
                                           csrf: WebTests.Browser.csrf(in: page.text))
            #expect(r.status == .seeOther)
            #expect(r.headers.first(name: .location) == "/dashboard")
            #expect(!r.headers[.setCookie].contains { $0.contains("injected") })
        }
    }

    @Test func aLocalNextIsKept() async throws {
        try await withTestApp { app in
            var browser = WebTests.Browser(app: app)
            let page = try await browser.get("/login?next=%2Fclinic%2Faudit")
            let r = try await browser.post("/login", form: ["email": Demo.admin, "password": DemoSeed.password, "next": "/clinic/audit"],
                                           csrf: WebTests.Browser.csrf(in: page.text))
            #expect(r.headers.first(name: .location) == "/clinic/audit")
        }
    }

    /// Whatever writes a header, a value with a line break never leaves the server.
    @Test func noResponseHeaderCarriesALineBreak() async throws {
        try await withTestApp(seed: false) { app in
            app.get("test-header") { _ -> Response in
                Response(status: .ok, headers: ["X-Smuggle": "a\r\nSet-Cookie: injected=x", "X-Fine": "ok"])
            }
            let r = try await app.send(.GET, "/test-header")
            #expect(r.headers.first(name: "X-Smuggle") == nil)
            #expect(r.headers.first(name: "X-Fine") == "ok")
            #expect(!r.headers[.setCookie].contains { $0.contains("injected") })
        }
    }

    /// Low: a path component of 256+ bytes, or an over-long id, answered 500 (the static-file
    /// lookup threw). They name nothing: 404.
    @Test func overLongPathsAndIDsAre404() async throws {
        try await withTestApp { app in
            let token = try await app.token(Demo.admin)
            let long = String(repeating: "a", count: 300)
            for path in ["/\(long)", "/css/\(long).css", "/api/v1/patients/\(long)", "/patients/\(long)/intake",
                         "/api/v1/patients/\(UUID().uuidString)\(long)", "/" + String(repeating: "abc/", count: 600)] {
                let r = try await app.send(.GET, path, token: token)
                #expect(r.status == .notFound, "\(path.prefix(40)): \(r.status)")
            }
            #expect(try await app.send(.GET, "/css/gonio.css").status == .ok, "static files are still served")
        }
    }

    /// Low: NUL in the sign-in, registration or caregiver email, or in the audit filter,
    /// answered 500 on PostgreSQL. Control characters are refused with a 422 first.
    @Test func controlCharactersAreRefusedBeforeTheDatabase() async throws {
        try await withTestApp { app in
            let admin = try await app.token(Demo.admin)
            let patient = try await app.patientID(of: Demo.patient)
            let owner = try await app.token(Demo.patient)
            let clinic = try #require(try await app.send(.GET, "/api/v1/clinics").array.first?["id"] as? String)
            let cases: [(HTTPMethod, String, String?, [String: Any]?)] = [
                (.POST, "/api/v1/auth/token", nil, ["email": "patient\u{0}@example.com", "password": "whatever-123"]),
                (.POST, "/api/v1/accounts", nil, ["email": "x\u{0}@example.com", "password": "walking again soon", "name": "X",
                                                   "role": "patient", "clinicId": clinic]),
                (.POST, "/api/v1/patients/\(patient)/caregivers", owner, ["caregiverEmail": "c\u{0}@example.com", "scopes": ["view"],
                                                                          "expiresOn": isoDay(Date().addingTimeInterval(86_400 * 30))]),
                (.GET, "/api/v1/audit?action=patient.read%00", admin, nil),
                (.GET, "/api/v1/patients?q=Maria%00", admin, nil),
            ]
            for (method, path, token, json) in cases {
                let r = try await app.send(method, path, token: token, json: json)
                #expect(r.status == .unprocessableEntity, "\(method) \(path): \(r.status) \(r.text)")
            }
            // Form bodies too.
            var browser = WebTests.Browser(app: app)
            let page = try await browser.get("/login")
            let form = try await browser.post("/login", form: ["email": "a\u{0}b@example.com", "password": "x"],
                                              csrf: WebTests.Browser.csrf(in: page.text))
            #expect(form.status == .unprocessableEntity)
            // A control character in a web form is refused, and the draft it was meant for is untouched.
            let therapist = try await app.token(Demo.therapist)
            let draft = try await app.send(.POST, "/api/v1/patients/\(patient)/notes", token: therapist,
                                           json: ["kind": "initial-evaluation", "body": ["subjective": "Keep me"]])
            let noteID = try #require(draft.object["id"] as? String)
            var clinician = WebTests.Browser(app: app)
            try await clinician.signIn(Demo.therapist)
            let editor = try await clinician.get("/patients/\(patient)/notes/\(noteID)/edit")
            let posted = try await clinician.post("/patients/\(patient)/notes/\(noteID)/edit", form: ["subjective": "x\u{0C}y"],
                                                  csrf: WebTests.Browser.csrf(in: editor.text))
            #expect(posted.status == .unprocessableEntity)
            let kept = try await app.send(.GET, "/api/v1/patients/\(patient)/notes/\(noteID)", token: therapist)
            #expect((kept.object["body"] as? [String: Any])?["subjective"] as? String == "Keep me")
            // Line breaks in free text are fine.
            let note = try await app.send(.PUT, "/api/v1/patients/\(patient)/intake", token: owner,
                                          json: ["symptoms": "Pain when\tclimbing\r\nstairs"])
            #expect(note.status == .ok)
        }
    }

    /// Low: a client's X-Request-Id was written verbatim into the audit log.
    @Test func onlyShortWellFormedRequestIDsAreKept() async throws {
        try await withTestApp { app in
            let token = try await app.token(Demo.therapist)
            let patient = try await app.patientID(of: Demo.patient)
            let forged = String(repeating: "x", count: 30_000)
            let r = try await app.send(.GET, "/api/v1/patients/\(patient)", token: token, headers: ["X-Request-Id": forged])
            let id = try #require(r.headers.first(name: .xRequestId))
            #expect(id != forged && id.count <= 64)
            let entry = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$action == "patient.read").sort(\.$at, .descending).first())
            #expect(entry.requestID == id)
            let kept = try await app.send(.GET, "/api/v1/patients/\(patient)", token: token, headers: ["X-Request-Id": "lb-7f3a:42"])
            #expect(kept.headers.first(name: .xRequestId) == "lb-7f3a:42")
            let newline = try await app.send(.GET, "/health", headers: ["X-Request-Id": "a b<script>"])
            #expect(newline.headers.first(name: .xRequestId) != "a b<script>")
        }
    }

    /// Behind trusted proxies the client is the rightmost hop that is not one of them; a
    /// client-written leftmost entry changes nothing.
    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() async throws {
        try await withTestApp(adjust: { $0.trustedProxies = try! TrustedProxies(parsing: "127.0.0.1") }) { app in
            try await app.running { port in
                let token = try #require(try await app.live(.POST, port: port, "/api/v1/auth/token",
                                                            json: ["email": Demo.therapist, "password": DemoSeed.password]).object["token"] as? String)
                let patient = try await app.patientID(of: Demo.patient)
                _ = try await app.live(.GET, port: port, "/api/v1/patients/\(patient)", token: token,
                                       headers: ["X-Forwarded-For": "1.1.1.1, 198.51.100.7"])
                let entry = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$action == "patient.read").sort(\.$at, .descending).first())
                #expect(entry.clientAddress == "198.51.100.7")
            }
        }
        try await withTestApp { app in
            try await app.running { port in
                let token = try #require(try await app.live(.POST, port: port, "/api/v1/auth/token",
                                                            json: ["email": Demo.therapist, "password": DemoSeed.password]).object["token"] as? String)
                let patient = try await app.patientID(of: Demo.patient)
                _ = try await app.live(.GET, port: port, "/api/v1/patients/\(patient)", token: token, headers: ["X-Forwarded-For": "198.51.100.7"])
                let entry = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$action == "patient.read").sort(\.$at, .descending).first())
                #expect(entry.clientAddress == "127.0.0.1", "no proxy is trusted: the header is the client's own words")
            }
        }
    }

    /// Low: five wrong passwords locked the account for everyone for 15 minutes, the owner
    /// included. Now one account from one address is refused; the owner's known address is not
    /// slowed; a new address waits seconds, not minutes; one address across accounts is capped.
    @Test func aGuessingAttackDoesNotLockTheOwnerOut() async throws {
        try await withTestApp(adjust: { $0.trustedProxies = try! TrustedProxies(parsing: "127.0.0.1") }) { app in
            try await app.running { port in
                func signIn(_ email: String, _ password: String, from address: String) async throws -> TestResponse {
                    try await app.live(.POST, port: port, "/api/v1/auth/token", json: ["email": email, "password": password],
                                       headers: ["X-Forwarded-For": address])
                }
                let owner = "198.51.100.7", attacker = "203.0.113.9"
                #expect(try await signIn(Demo.patient2, DemoSeed.password, from: owner).status == .ok)
                var codes: [UInt] = []
                for _ in 0..<8 { codes.append(try await signIn(Demo.patient2, "wrong-password-x", from: attacker).status.code) }
                #expect(Array(codes.prefix(5)) == [401, 401, 401, 401, 401])
                #expect(codes.last == 429, "\(codes)")
                #expect(try await signIn(Demo.patient2, DemoSeed.password, from: owner).status == .ok, "the owner's address is not locked")
                let stranger = try await signIn(Demo.patient2, DemoSeed.password, from: "192.0.2.44")
                if stranger.status == .tooManyRequests {
                    #expect((Int(stranger.headers.first(name: .retryAfter) ?? "") ?? 999) <= 30, "slowed by seconds, not locked")
                } else {
                    #expect(stranger.status == .ok)
                }
                // Credential stuffing: twenty failures from one address across accounts.
                let stuffer = "203.0.113.77"
                for i in 0..<20 { _ = try await signIn("guess\(i)@example.com", "wrong-password-x", from: stuffer) }
                let blocked = try await signIn(Demo.caregiver, DemoSeed.password, from: stuffer)
                #expect(blocked.status == .tooManyRequests)
                #expect(Int(blocked.headers.first(name: .retryAfter) ?? "") ?? 0 > 0)
            }
        }
    }

    /// Medium: connections that never finish their headers held every file descriptor, and a
    /// body shorter than its Content-Length held a request open. Both are now cut off.
    @Test func slowClientsAreCutOff() async throws {
        try await withTestApp(adjust: { $0.idleTimeout = 2; $0.bodyTimeout = 1 }) { app in
            try await app.running { port in
                let stalled = try RawConnection(port: port)
                stalled.send("GET /health HTTP/1.1\r\nHost: localhost\r\n")
                let head = stalled.readUntilClosed(within: 5)
                #expect(head.closed, "an unfinished request head is closed by the idle timeout")

                let short = try RawConnection(port: port)
                short.send("POST /api/v1/auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"email\":")
                // A byte now and then keeps the connection from going idle; the body deadline ends it.
                try await Task.sleep(for: .milliseconds(600))
                short.send(" ")
                let body = short.readUntilClosed(within: 8)
                #expect(body.text.hasPrefix("HTTP/1.1 408"), "\(body.text.prefix(80))")
                #expect(body.closed)

                #expect(try await app.live(.GET, port: port, "/health").status == .ok, "the server still answers")
            }
        }
    }

    /// Development defaults stay sane, and the timeouts are configurable.
    @Test func timeoutsAreConfigurable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        let defaults = try AppConfig.fromEnvironment(["GONIO_DATA_DIR": dir])
        #expect(defaults.idleTimeout == 15 && defaults.bodyTimeout == 30 && defaults.databaseWait == 10)
        let set = try AppConfig.fromEnvironment(["GONIO_DATA_DIR": dir, "GONIO_IDLE_TIMEOUT_SECONDS": "5", "GONIO_BODY_TIMEOUT_SECONDS": "12",
                                                 "GONIO_DB_WAIT_SECONDS": "30"])
        #expect(set.idleTimeout == 5 && set.bodyTimeout == 12 && set.databaseWait == 30)
        #expect(throws: AppConfig.Problem.self) { try AppConfig.fromEnvironment(["GONIO_DATA_DIR": dir, "GONIO_DB_WAIT_SECONDS": "soon"]) }
        #expect(throws: AppConfig.Problem.self) { try AppConfig.fromEnvironment(["GONIO_DATA_DIR": dir, "GONIO_IDLE_TIMEOUT_SECONDS": "0"]) }
        #expect(throws: AppConfig.Problem.self) { try AppConfig.fromEnvironment(["GONIO_DATA_DIR": dir, "GONIO_TRUST_PROXY": "1"]) }
        #expect(throws: AppConfig.Problem.self) { try AppConfig.fromEnvironment(["GONIO_DATA_DIR": dir, "GONIO_TRUSTED_PROXIES": "proxy.local"]) }
        let proxied = try AppConfig.fromEnvironment(["GONIO_DATA_DIR": dir, "GONIO_TRUSTED_PROXIES": "10.0.0.0/8, ::1"])
        #expect(proxied.trustedProxies.ranges.count == 2)
    }
}
