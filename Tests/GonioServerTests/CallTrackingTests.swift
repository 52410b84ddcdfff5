import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// The virtual goniometer in a video visit: the therapist asks, the patient's side agrees and
/// sends keypoints over the call's socket, and everyone sees the angles, counts and summary.
@Suite struct CallTrackingTests {
    typealias Inbox = CallTests.Inbox

    /// A COCO-17 frame of a bent right elbow, as a `track-frame` message.
    static func trackFrame(_ t: Double, flexion: Double) -> String {
        "{\"type\":\"track-frame\"," + MotionLiveTests.frame(t, flexion: flexion).dropFirst()
    }

    /// Sends three elbow bends (and the still frames around them), from `t`.
    static func bends(_ socket: WebSocket, count: Int = 3, from start: Double = 0) async throws -> Double {
        var t = start
        func send(_ flexion: Double) async throws { try await socket.send(Self.trackFrame(t, flexion: flexion)); t += 1.0 / 30 }
        for _ in 0..<15 { try await send(5) }
        for _ in 0..<count {
            for i in 0..<45 { try await send(5 + 130 * (1 - cos(Double(i) / 45 * 2 * .pi)) / 2) }
            for _ in 0..<10 { try await send(5) }
        }
        return t
    }

    /// Maria and Dana in Maria's next video visit, Maria admitted.
    static func inCall(_ app: Application, port: Int, visit: String) async throws -> (maria: (WebSocket, Inbox), dana: (WebSocket, Inbox)) {
        let (dana, danaInbox) = try await CallTests.connect(app, port: port, visit: visit, cookie: try await CallTests.cookie(app, Demo.therapist))
        try await CallTests.send(dana, ["type": "join"])
        _ = try await danaInbox.next("welcome")
        let (maria, mariaInbox) = try await CallTests.connect(app, port: port, visit: visit, cookie: try await CallTests.cookie(app, Demo.patient))
        try await CallTests.send(maria, ["type": "join", "location": "US-CA"])
        let mariaID = try #require(try await mariaInbox.next("welcome")["selfId"] as? String)
        _ = try await danaInbox.next("waiting")
        try await CallTests.send(dana, ["type": "admit", "id": mariaID])
        _ = try await mariaInbox.next("admitted")
        _ = try await danaInbox.next("peer-joined")
        return ((maria, mariaInbox), (dana, danaInbox))
    }

    @Test func theTherapistMeasuresAMovementDuringTheVisit() async throws {
        try await withTestApp(history: true, adjust: { $0.callEarlyMinutes = 10_080 }) { app in
            let visit = try await CallTests.mariasVisit(app)
            try await app.running { port in
                let ((maria, mariaInbox), (dana, danaInbox)) = try await Self.inCall(app, port: port, visit: visit)

                // Only the therapist asks, only for a movement Gonio tracks; nothing starts unasked.
                try await CallTests.send(maria, ["type": "track-start", "exercise": "elbow-flexion"])
                #expect(try await mariaInbox.next("error")["code"] as? String == "track-not-requested")
                try await CallTests.send(maria, ["type": "track-request", "exercise": "elbow-flexion"])
                #expect(try await mariaInbox.next("error")["code"] as? String == "host-only")
                try await CallTests.send(dana, ["type": "track-request", "exercise": "moonwalk"])
                #expect(try await danaInbox.next("error")["code"] as? String == "exercise-unknown")
                try await maria.send(Self.trackFrame(0, flexion: 5))
                #expect(try await mariaInbox.next("error")["code"] as? String == "track-not-started")

                try await CallTests.send(dana, ["type": "track-request", "exercise": "elbow-flexion"])
                let request = try await mariaInbox.next("track-request")
                #expect(request["exerciseName"] as? String == "Elbow flexion" && request["measure"] as? String == "elbow flexion")
                try await CallTests.send(maria, ["type": "track-start", "exercise": "elbow-flexion", "skeleton": "coco17"])
                #expect(try await danaInbox.next("track-started")["name"] as? String == "Maria Lopez")
                _ = try await mariaInbox.next("track-started")
                // A second request while measuring is refused.
                try await CallTests.send(dana, ["type": "track-request", "exercise": "deep-squat"])
                #expect(try await danaInbox.next("error")["code"] as? String == "tracking-already")

                _ = try await Self.bends(maria)
                // The therapist sees each repetition and, every frame, each side's angle and the range held.
                var reps: [[String: Any]] = []
                while reps.count < 3 {
                    let event = try #require(try await danaInbox.next("tracking")["event"] as? [String: Any])
                    if event["type"] as? String == "rep" { reps.append(event) }
                    if event["type"] as? String == "frame" { #expect(event["reading"] is [String: Any]) }
                }
                #expect(reps.map { $0["number"] as? Int } == [1, 2, 3])

                // The therapist stops: both sides get the reading in words for the note.
                try await CallTests.send(dana, ["type": "track-stop"])
                let stopped = try #require(try await danaInbox.next("track-stopped")["summary"] as? [String: Any])
                #expect(stopped["reps"] as? Int == 3)
                let right = try #require((stopped["range"] as? [String: Any])?["right"] as? [String: Any])
                #expect((right["max"] as? Double ?? 0) > 120 && (right["min"] as? Double ?? 99) < 12, "\(right)")
                let text = try #require(stopped["text"] as? String)
                #expect(text.hasPrefix("Elbow flexion: 3 repetitions. Elbow flexion, right "), "\(text)")
                _ = try await mariaInbox.next("track-stopped")
                // The reading is kept with the visit, as the therapist who asked, for those who see the record.
                let mariaToken = try await app.token(Demo.patient)
                let patientID = try await app.patientID(of: Demo.patient)
                var kept: [[String: Any]] = []
                for _ in 0..<40 where kept.isEmpty {
                    kept = try await app.send(.GET, "/api/v1/patients/\(patientID)/readings", token: try await app.token(Demo.therapist)).array
                        .filter { $0["visitId"] as? String == visit }
                    if kept.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(kept.count == 1 && kept.first?["reps"] as? Int == 3)
                #expect((kept.first?["text"] as? String) == text)
                // Maria sees her own; James does not.
                #expect(try await app.send(.GET, "/api/v1/patients/\(patientID)/readings", token: mariaToken).array.contains { $0["visitId"] as? String == visit })
                #expect(try await app.send(.GET, "/api/v1/patients/\(patientID)/readings", token: try await app.token(Demo.patient2)).status == .notFound)
                let audit = try await AuditEntryModel.query(on: app.db).filter(\.$action == "visit.measure")
                    .filter(\.$resource == "visit/\(visit)/readings").all()
                #expect(audit.count == 1 && audit.first?.outcome == .allowed)
                // Frames still on their way after the stop are dropped quietly.
                try await maria.send(Self.trackFrame(100, flexion: 5))
                try await CallTests.send(maria, ["type": "ping"])
                _ = try await mariaInbox.next("pong")
                #expect(!mariaInbox.all.contains { $0["type"] as? String == "error" })
                #expect(!danaInbox.all.contains { (($0["event"] as? [String: Any])?["t"] as? Double ?? 0) >= 100 })

                // The patient may say no, and the therapist hears why.
                try await CallTests.send(dana, ["type": "track-request", "exercise": "shoulder-abduction", "side": "left"])
                #expect(try await mariaInbox.next("track-request")["side"] as? String == "left")
                try await CallTests.send(maria, ["type": "track-decline", "reason": "My shoulder hurts today."])
                #expect(try await danaInbox.next("track-declined")["reason"] as? String == "My shoulder hurts today.")
                // Or the therapist withdraws the question.
                try await CallTests.send(dana, ["type": "track-request", "exercise": "sit-to-stand"])
                _ = try await mariaInbox.next("track-request")
                try await CallTests.send(dana, ["type": "track-stop"])
                _ = try await mariaInbox.next("track-cancelled")
                try await CallTests.send(maria, ["type": "track-start", "exercise": "sit-to-stand"])
                let late = try await mariaInbox.next("error")
                #expect(late["code"] as? String == "track-not-requested", "\(late)")

                // A patient who leaves mid-measurement ends it, and the therapist gets what was measured.
                try await CallTests.send(dana, ["type": "track-request", "exercise": "elbow-flexion"])
                _ = try await mariaInbox.next("track-request")
                try await CallTests.send(maria, ["type": "track-start", "exercise": "elbow-flexion", "skeleton": "coco17"])
                _ = try await danaInbox.next("track-started")
                _ = try await Self.bends(maria, count: 1)
                try await Task.sleep(for: .milliseconds(300))
                try await maria.close()
                let left = try #require(try await danaInbox.next("track-stopped")["summary"] as? [String: Any])
                #expect(left["reps"] as? Int == 1)
                try await dana.close()
            }
        }
    }

    @Test func theCallPageOffersTheGoniometerByRole() async throws {
        try await withTestApp(history: true, adjust: { $0.poseModelURL = "https://models.clinic.example/pose" }) { app in
            let visit = try await CallTests.mariasVisit(app)
            var dana = WebTests.Browser(app: app)
            try await dana.signIn(Demo.therapist)
            let host = try await dana.get("/visits/\(visit)/call")
            #expect(host.text.contains("\"exercises\":[{") && host.text.contains("\"id\":\"sit-to-stand\""))
            #expect(host.headers.first(name: "Content-Security-Policy")?.contains("wasm-unsafe-eval") == false)
            var maria = WebTests.Browser(app: app)
            try await maria.signIn(Demo.patient)
            let patient = try await maria.get("/visits/\(visit)/call")
            #expect(patient.text.contains("\"poseModel\":\"https://models.clinic.example/pose\""))
            #expect(patient.headers.first(name: "Content-Security-Policy")?.contains("'wasm-unsafe-eval' https://models.clinic.example") == true)
        }
    }
}
