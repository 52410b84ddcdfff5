import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// Video visits: only the visit's patient, therapist and invited guest reach the call page and
/// its signalling socket; the patient confirms where they are; the therapist admits, messages are relayed,
/// and ending the call records its length.
@Suite struct CallTests {
    /// Messages a test socket received, in order.
    final class Inbox: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [[String: Any]] = []
        var closed = false

        func add(_ text: String) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return }
            lock.withLock { messages.append(object) }
        }

        /// Waits (up to 5 s) for the oldest unread message of `type`, and takes it.
        func next(_ type: String) async throws -> [String: Any] {
            for _ in 0..<100 {
                let found: [String: Any]? = lock.withLock {
                    guard let index = messages.firstIndex(where: { $0["type"] as? String == type }) else { return nil }
                    return messages.remove(at: index)
                }
                if let found { return found }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("no \(type) message; got \(lock.withLock { messages.map { $0["type"] ?? "" } })")
            return [:]
        }

        var all: [[String: Any]] { lock.withLock { messages } }
    }

    /// A signed-in browser's socket to a visit's call.
    static func connect(_ app: Application, port: Int, visit: String, cookie: String) async throws -> (WebSocket, Inbox) {
        try await connect(app, port: port, path: "/visits/\(visit)/signal", cookie: cookie)
    }

    /// A socket to `path` (a guest's link has its own).
    static func connect(_ app: Application, port: Int, path: String, cookie: String?) async throws -> (WebSocket, Inbox) {
        let inbox = Inbox()
        var headers = HTTPHeaders()
        if let cookie { headers.add(name: .cookie, value: cookie) }
        let socket = try await withCheckedThrowingContinuation { (done: CheckedContinuation<WebSocket, any Error>) in
            WebSocket.connect(to: "ws://127.0.0.1:\(port)\(path)", headers: headers, on: app.eventLoopGroup) { ws in
                ws.onText { _, text in inbox.add(text) }
                ws.onClose.whenComplete { _ in inbox.closed = true }
                done.resume(returning: ws)
            }.whenFailure { done.resume(throwing: $0) }
        }
        return (socket, inbox)
    }

    static func send(_ socket: WebSocket, _ message: [String: Any]) async throws {
        try await socket.send(String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self))
    }

    /// The session cookie of a demo user signed in through the web form.
    static func cookie(_ app: Application, _ email: String) async throws -> String {
        var browser = WebTests.Browser(app: app)
        try await browser.signIn(email)
        return browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    /// Maria's next booked video visit (from the demo history).
    static func mariasVisit(_ app: Application) async throws -> String {
        let visits = try await app.send(.GET, "/api/v1/visits", token: try await app.token(Demo.patient)).array
        return try #require(visits.first { $0["status"] as? String == "booked" && $0["modality"] as? String == "video" }?["id"] as? String)
    }

    @Test func onlyTheVisitsPatientTherapistAndGuestReachTheCall() async throws {
        try await withTestApp(history: true) { app in
            let visit = try await Self.mariasVisit(app)
            // The demo caregiver is on this visit's guest list (Maria invited her).
            for (email, status) in [(Demo.patient, HTTPStatus.ok), (Demo.therapist, .ok), (Demo.caregiver, .ok), (Demo.patient2, .notFound),
                                    (Demo.admin, .notFound), (Demo.unverified, .notFound), (Demo.platform, .notFound)] {
                var browser = WebTests.Browser(app: app)
                try await browser.signIn(email)
                let r = try await browser.get("/visits/\(visit)/call")
                #expect(r.status == status, "\(email): \(r.status)")
                if status == .ok { #expect(r.text.contains("id=\"call-data\"") && r.text.contains("/visits/\(visit)/signal")) }
                if status != .ok { #expect(try await browser.get("/visits/\(visit)/signal").status == .notFound, "\(email) signal") }
            }
            // Someone who is not signed in is sent to sign in; a made-up visit is 404.
            var anonymous = WebTests.Browser(app: app)
            #expect(try await anonymous.get("/visits/\(visit)/call").status == .seeOther)
            var maria = WebTests.Browser(app: app)
            try await maria.signIn(Demo.patient)
            #expect(try await maria.get("/visits/\(UUID())/call").status == .notFound)
        }
    }

    @Test func aCallFromJoinToEnd() async throws {
        try await withTestApp(history: true, adjust: { $0.callEarlyMinutes = 10_080 }) { app in
            let visit = try await Self.mariasVisit(app)
            let mariaCookie = try await Self.cookie(app, Demo.patient)
            let danaCookie = try await Self.cookie(app, Demo.therapist)
            let jamesCookie = try await Self.cookie(app, Demo.patient2)
            try await app.running { port in
                // A stranger is refused before any socket opens.
                await #expect(throws: (any Error).self) { _ = try await Self.connect(app, port: port, visit: visit, cookie: jamesCookie) }

                // Maria says she is in New York, where her therapist is not licensed.
                let (away, awayInbox) = try await Self.connect(app, port: port, visit: visit, cookie: mariaCookie)
                try await Self.send(away, ["type": "join", "location": "US-NY"])
                let refusal = try await awayInbox.next("error")
                #expect(refusal["code"] as? String == "not-licensed-in-location")
                try? await away.close()

                // In California she waits until the therapist admits her.
                let (maria, mariaInbox) = try await Self.connect(app, port: port, visit: visit, cookie: mariaCookie)
                try await Self.send(maria, ["type": "signal", "to": "x", "data": [:]])
                #expect(try await mariaInbox.next("error")["code"] as? String == "join-first")
                let (maria2, mariaInbox2) = try await Self.connect(app, port: port, visit: visit, cookie: mariaCookie)
                try await Self.send(maria2, ["type": "join", "location": "US-CA"])
                let welcome = try await mariaInbox2.next("welcome")
                #expect(welcome["admitted"] as? Bool == false && welcome["host"] as? Bool == false && welcome["role"] as? String == "patient")
                let mariaID = try #require(welcome["selfId"] as? String)

                let (dana, danaInbox) = try await Self.connect(app, port: port, visit: visit, cookie: danaCookie)
                try await Self.send(dana, ["type": "join", "location": NSNull()])
                let hostWelcome = try await danaInbox.next("welcome")
                #expect(hostWelcome["host"] as? Bool == true && hostWelcome["admitted"] as? Bool == true)
                let danaID = try #require(hostWelcome["selfId"] as? String)
                let waiting = try await danaInbox.next("waiting")
                #expect((waiting["peer"] as? [String: Any])?["id"] as? String == mariaID)

                // Before she is admitted nothing reaches her; the patient cannot admit anyone.
                try await Self.send(maria2, ["type": "admit", "id": mariaID])
                #expect(try await mariaInbox2.next("error")["code"] as? String == "host-only")
                try await Self.send(dana, ["type": "admit", "id": mariaID])
                _ = try await mariaInbox2.next("admitted")
                #expect((try await mariaInbox2.next("peer-joined")["peer"] as? [String: Any])?["id"] as? String == danaID)
                #expect((try await danaInbox.next("peer-joined")["peer"] as? [String: Any])?["id"] as? String == mariaID)

                // Descriptions and candidates pass between them untouched; chat reaches both.
                try await Self.send(dana, ["type": "signal", "to": mariaID, "data": ["description": ["type": "offer", "sdp": "v=0"]]])
                let signal = try await mariaInbox2.next("signal")
                #expect(signal["from"] as? String == danaID && ((signal["data"] as? [String: Any])?["description"] as? [String: Any])?["sdp"] as? String == "v=0")
                try await Self.send(maria2, ["type": "chat", "text": "Can you hear me?"])
                #expect(try await danaInbox.next("chat")["text"] as? String == "Can you hear me?")
                try await Self.send(maria2, ["type": "chat", "text": String(repeating: "a", count: 1001)])
                #expect(try await mariaInbox2.next("error")["code"] as? String == "chat-invalid")
                try await Self.send(maria2, ["type": "ping"])
                _ = try await mariaInbox2.next("pong")

                // The therapist ends the visit: both are told, and the time is recorded.
                try await Self.send(dana, ["type": "end"])
                _ = try await mariaInbox2.next("ended")
                let stored = try #require(try await VisitModel.find(UUID(uuidString: visit), on: app.db))
                #expect(stored.status == .completed && stored.attendedMinutes != nil && stored.callEndedAt != nil && stored.patientRegion == "US-CA")
                // The call is closed now.
                let (late, lateInbox) = try await Self.connect(app, port: port, visit: visit, cookie: mariaCookie)
                try await Self.send(late, ["type": "join", "location": "US-CA"])
                #expect(try await lateInbox.next("error")["code"] as? String == "visit-closed")
                _ = maria
                let joins = try await AuditEntryModel.query(on: app.db).filter(\.$action == "visit.join").all()
                #expect(joins.contains { $0.outcome == .failed && $0.reason == "not-licensed-in-location" })
                #expect(joins.count { $0.outcome == .allowed } >= 2)
            }
        }
    }

    @Test func theCallOpensShortlyBeforeTheVisit() async throws {
        try await withTestApp(history: true) { app in
            let visit = try await Self.mariasVisit(app)
            let cookie = try await Self.cookie(app, Demo.patient)
            try await app.running { port in
                let (socket, inbox) = try await Self.connect(app, port: port, visit: visit, cookie: cookie)
                try await Self.send(socket, ["type": "join", "location": "US-CA"])
                #expect(try await inbox.next("error")["code"] as? String == "not-yet-open")
            }
        }
    }
}
