import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

@Suite struct AuthTests {
    @Test func everyDemoUserGetsATokenWithTheirRole() async throws {
        try await withTestApp { app in
            let expected = [Demo.admin: "clinic-admin", Demo.therapist: "therapist", Demo.unverified: "therapist",
                            Demo.patient: "patient", Demo.patient2: "patient", Demo.caregiver: "caregiver",
                            Demo.platform: "platform-admin"]
            for (email, role) in expected {
                let r = try await app.send(.POST, "/api/v1/auth/token", json: ["email": email, "password": DemoSeed.password])
                #expect(r.status == .ok)
                let body = try r.decode(TokenResponse.self)
                #expect(body.user.role == role)
                #expect(body.token.count >= 40)
                #expect(body.expiresAt > Date().addingTimeInterval(11 * 3600))
                #expect(r.headers.first(name: .cacheControl)?.contains("no-store") == true)
            }
        }
    }

    @Test func meCarriesPatientAndTherapistIDs() async throws {
        try await withTestApp { app in
            let patient = try await app.me(app.token(Demo.patient))
            #expect(patient["role"] as? String == "patient")
            #expect((patient["patientId"] as? String)?.isEmpty == false)
            #expect(patient["therapistId"] == nil)
            let therapist = try await app.me(app.token(Demo.therapist))
            #expect((therapist["therapistId"] as? String)?.isEmpty == false)
            #expect(therapist["therapistVerification"] as? String == "verified")
            #expect(therapist["patientId"] == nil)
            let caregiver = try await app.me(app.token(Demo.caregiver))
            #expect(caregiver["patientId"] == nil && caregiver["therapistId"] == nil)
        }
    }

    @Test func wrongPasswordAndUnknownEmailAre401() async throws {
        try await withTestApp { app in
            let wrong = try await app.send(.POST, "/api/v1/auth/token", json: ["email": Demo.patient, "password": "not-the-password"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "invalid-credentials")
            let unknown = try await app.send(.POST, "/api/v1/auth/token", json: ["email": "nobody@example.com", "password": "whatever-123"])
            #expect(unknown.status == .unauthorized)
            #expect(unknown.object["error"] as? [String: String] == wrong.object["error"] as? [String: String], "unknown emails look like wrong passwords")
        }
    }

    @Test func sixthFailureForOneAccountIsRateLimited() async throws {
        try await withTestApp { app in
            var statuses: [UInt] = []
            for _ in 0..<7 {
                statuses.append(try await app.send(.POST, "/api/v1/auth/token",
                                                   json: ["email": Demo.patient2, "password": "wrong-password-x"]).status.code)
            }
            #expect(statuses == [401, 401, 401, 401, 401, 429, 429])
            let blocked = try await app.send(.POST, "/api/v1/auth/token", json: ["email": Demo.patient2, "password": DemoSeed.password])
            #expect(blocked.status == .tooManyRequests, "the right password does not lift the lock early")
            #expect(Int(blocked.headers.first(name: .retryAfter) ?? "") ?? 0 > 0)
            #expect(blocked.errorCode == "too-many-attempts")
        }
    }

    @Test func failuresFromOneAddressAcrossAccountsAreRateLimited() async throws {
        try await withTestApp { app in
            for i in 0..<20 {
                let r = try await app.send(.POST, "/api/v1/auth/token", json: ["email": "guess\(i)@example.com", "password": "wrong-password-x"])
                #expect(r.status == .unauthorized)
            }
            let next = try await app.send(.POST, "/api/v1/auth/token", json: ["email": Demo.therapist, "password": DemoSeed.password])
            #expect(next.status == .tooManyRequests)
        }
    }

    @Test(arguments: [
        ("{not json", HTTPStatus.badRequest),
        (#"{"email": 5, "password": "x"}"#, HTTPStatus.unprocessableEntity),
        (#"{"email": "a@b.co"}"#, HTTPStatus.unprocessableEntity),
        (#"["email"]"#, HTTPStatus.unprocessableEntity),
        ("", HTTPStatus.unprocessableEntity),
    ])
    func malformedBodiesGetClearErrors(body: String, status: HTTPStatus) async throws {
        try await withTestApp(seed: false) { app in
            let r = try await app.send(.POST, "/api/v1/auth/token", body: body)
            #expect(r.status == status, "\(body) -> \(r.status) \(r.text)")
            #expect(r.errorCode != nil)
            #expect((r.object["error"] as? [String: Any])?["message"] as? String != nil)
        }
    }

    @Test func revokedTokenNoLongerWorks() async throws {
        try await withTestApp { app in
            let token = try await app.token(Demo.patient)
            #expect(try await app.send(.GET, "/api/v1/me", token: token).status == .ok)
            #expect(try await app.send(.DELETE, "/api/v1/auth/token", token: token).status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/me", token: token).status == .unauthorized)
            #expect(try await app.send(.DELETE, "/api/v1/auth/token", token: token).status == .unauthorized)
        }
    }

    @Test func missingOrBogusTokenIs401WithChallenge() async throws {
        try await withTestApp { app in
            let none = try await app.send(.GET, "/api/v1/patients")
            #expect(none.status == .unauthorized)
            #expect(none.headers.first(name: .wwwAuthenticate)?.hasPrefix("Bearer") == true)
            #expect(try await app.send(.GET, "/api/v1/patients", token: "bogus").status == .unauthorized)
            #expect(try await app.send(.GET, "/api/v1/patients", token: String(repeating: "x", count: 500)).status == .unauthorized)
        }
    }

    @Test func apiIgnoresSessionCookies() async throws {
        try await withTestApp { app in
            let token = try await app.token(Demo.patient)
            var headers = HTTPHeaders()
            headers.cookie = HTTPCookies(dictionaryLiteral: (SessionStore.cookieName, .init(string: token)))
            #expect(try await app.send(.GET, "/api/v1/me", headers: headers).status == .unauthorized)
        }
    }

    @Test func idleSessionsExpireAfterThirtyMinutes() async throws {
        try await withTestApp { app in
            let token = try await app.token(Demo.patient)
            let session = try #require(try await SessionModel.query(on: app.db).sort(\.$createdAt, .descending).first())
            session.lastSeenAt = Date().addingTimeInterval(-29 * 60)
            try await session.update(on: app.db)
            #expect(try await app.send(.GET, "/api/v1/me", token: token).status == .ok, "29 quiet minutes are fine")
            session.lastSeenAt = Date().addingTimeInterval(-31 * 60)
            try await session.update(on: app.db)
            #expect(try await app.send(.GET, "/api/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test func sessionsEndAfterTwelveHoursEvenWhenActive() async throws {
        try await withTestApp { app in
            let token = try await app.token(Demo.patient)
            let session = try #require(try await SessionModel.query(on: app.db).sort(\.$createdAt, .descending).first())
            session.createdAt = Date().addingTimeInterval(-12 * 3600 - 1)
            session.lastSeenAt = Date()
            try await session.update(on: app.db)
            #expect(try await app.send(.GET, "/api/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test func idleTimeoutIsConfigurable() async throws {
        try await withTestApp(adjust: { $0.sessionPolicy.idleTimeout = 5 * 60 }) { app in
            let token = try await app.token(Demo.patient)
            let session = try #require(try await SessionModel.query(on: app.db).sort(\.$createdAt, .descending).first())
            session.lastSeenAt = Date().addingTimeInterval(-6 * 60)
            try await session.update(on: app.db)
            #expect(try await app.send(.GET, "/api/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test func tokensAreStoredOnlyAsKeyedHashes() async throws {
        try await withTestApp { app in
            let token = try await app.token(Demo.patient)
            let sessions = try await SessionModel.query(on: app.db).all()
            #expect(!sessions.contains { $0.tokenHash == token })
            #expect(sessions.contains { $0.tokenHash == Secrets.keyedHash(token, secret: app.gonioConfig.secret) })
        }
    }

    @Test func passwordChangeChecksRulesAndEndsOtherSessions() async throws {
        try await withTestApp { app in
            let first = try await app.token(Demo.patient)
            let second = try await app.token(Demo.patient)
            let wrong = try await app.send(.POST, "/api/v1/me/password", token: first,
                                           json: ["currentPassword": "nope-nope-nope", "newPassword": "a much better phrase"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.errorCode == "current-password-wrong")
            let weak = try await app.send(.POST, "/api/v1/me/password", token: first,
                                          json: ["currentPassword": DemoSeed.password, "newPassword": "password123"])
            #expect(weak.errorCode == "password-common")
            let ok = try await app.send(.POST, "/api/v1/me/password", token: first,
                                        json: ["currentPassword": DemoSeed.password, "newPassword": "a much better phrase"])
            #expect(ok.status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/me", token: first).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/me", token: second).status == .unauthorized)
            _ = try await app.token(Demo.patient, password: "a much better phrase")
            let old = try await app.send(.POST, "/api/v1/auth/token", json: ["email": Demo.patient, "password": DemoSeed.password])
            #expect(old.status == .unauthorized)
        }
    }

    @Test func passwordsAreBcryptHashes() async throws {
        try await withTestApp { app in
            let users = try await UserModel.query(on: app.db).all()
            #expect(!users.isEmpty)
            #expect(users.allSatisfy { $0.passwordHash.hasPrefix("$2") && !$0.passwordHash.contains(DemoSeed.password) })
        }
    }
}
