import Foundation
import Testing
import VaporTesting
@testable import GonioServer

/// The live motion socket: keypoints in, counts and cues out, for signed-in people only.
@Suite struct MotionLiveTests {
    /// A COCO-17 frame (image coordinates, y down) with the right elbow bent by `flexion` degrees.
    static func frame(_ t: Double, flexion: Double) -> String {
        var p = [[Double]](repeating: [0, 0, 0, 0], count: 17)
        func set(_ i: Int, _ x: Double, _ y: Double) { p[i] = [x, y, 0, 0.9] }
        set(0, 200, 60)
        set(5, 240, 120); set(6, 160, 120)   // shoulders
        set(11, 230, 260); set(12, 170, 260) // hips
        set(7, 245, 190); set(9, 248, 250)   // left arm hanging
        set(8, 158, 190)                     // right elbow
        let r = flexion * .pi / 180
        set(10, 158 - 60 * sin(r) * 0.2, 190 + 60 * cos(r))  // right wrist: the forearm swings forward and up
        p[10][0] = 158 + 60 * sin(r)
        let points = p.map { "[\($0[0]),\($0[1]),\($0[2]),\($0[3])]" }.joined(separator: ",")
        return "{\"t\":\(t),\"p\":[\(points)]}"
    }

    @Test func keypointsInCountsAndCuesOut() async throws {
        try await withTestApp { app in
            let token = try await app.token(Demo.patient)
            // Settings are checked before any socket opens.
            let bad = try await app.send(.GET, "/api/v1/motion/live?exercise=moonwalk", token: token)
            #expect(bad.status == .unprocessableEntity && bad.errorCode == "exercise-unknown")
            #expect(try await app.send(.GET, "/api/v1/motion/live?exercise=elbow-flexion&skeleton=openpose", token: token).status == .unprocessableEntity)
            #expect(try await app.send(.GET, "/api/v1/motion/live?exercise=elbow-flexion").status == .unauthorized)
            let list = try await app.send(.GET, "/api/v1/motion/exercises", token: token)
            #expect(list.status == .ok && list.array.contains { $0["id"] as? String == "deep-squat" })
            try await app.running { port in
                let inbox = CallTests.Inbox()
                var headers = HTTPHeaders()
                headers.bearerAuthorization = BearerAuthorization(token: token)
                let socket = try await withCheckedThrowingContinuation { (done: CheckedContinuation<WebSocket, any Error>) in
                    WebSocket.connect(to: "ws://127.0.0.1:\(port)/api/v1/motion/live?exercise=elbow-flexion&skeleton=coco17", headers: headers,
                                      on: app.eventLoopGroup) { ws in
                        ws.onText { _, text in inbox.add(text) }
                        done.resume(returning: ws)
                    }.whenFailure { done.resume(throwing: $0) }
                }
                try await socket.send("not json")
                #expect(try await inbox.next("error")["code"] as? String == "message-invalid")
                var t = 0.0
                func send(_ flexion: Double) async throws { try await socket.send(Self.frame(t, flexion: flexion)); t += 1.0 / 30 }
                for _ in 0..<15 { try await send(5) }
                for _ in 0..<3 {
                    for i in 0..<45 { try await send(5 + 130 * (1 - cos(Double(i) / 45 * 2 * .pi)) / 2) }
                    for _ in 0..<10 { try await send(5) }
                }
                var reps: [[String: Any]] = []
                for _ in 0..<3 { reps.append(try await inbox.next("rep")) }
                #expect(reps.map { $0["number"] as? Int } == [1, 2, 3])
                #expect(reps.allSatisfy { $0["counted"] as? Bool == true && (($0["rom"] as? [String: Any])?["max"] as? Double ?? 0) > 100 })
                // Every frame is answered.
                let frames = inbox.all.filter { $0["type"] as? String == "frame" }
                #expect(frames.count >= 170 && frames.last?["reps"] as? Int == 3, "\(frames.count)")
                try await socket.send(Self.frame(0, flexion: 5))
                #expect(try await inbox.next("error")["code"] as? String == "frame-out-of-order")
                try await socket.close()
            }
        }
    }

    @Test func pagesOpenTheSocketOnlyFromGonio() async throws {
        try await withTestApp { app in
            let cookie = try await CallTests.cookie(app, Demo.patient)
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: cookie)
            headers.add(name: .origin, value: "https://evil.example")
            headers.add(name: .host, value: "127.0.0.1:8080")
            let r = try await app.send(.GET, "/motion/live?exercise=elbow-flexion", headers: headers)
            #expect(r.status == .forbidden)
        }
    }
}

extension MotionLiveTests {
    @Test func aPlainRequestIsToldToUpgrade() async throws {
        try await withTestApp { app in
            let r = try await app.send(.GET, "/api/v1/motion/live?exercise=deep-squat", token: try await app.token(Demo.patient))
            #expect(r.status == .upgradeRequired && r.errorCode == "websocket-required")
        }
    }
}

extension MotionLiveTests {
    /// Repetitions short of the range in a row: the stream advises a rest once a set, by the
    /// clinic's number (the same `InSession` rule the player's log uses).
    @Test func repetitionsShortOfTheRangeAdviseARest() throws {
        var settings = try MotionRoutes.Settings(exercise: "elbow-flexion", skeleton: "coco17")
        settings.rules.failedRepsForRest = 2
        let stream = MotionStream(settings)
        var t = 0.0
        var replies: [[String: Any]] = []
        func send(_ flexion: Double) {
            for r in stream.handle(Self.frame(t, flexion: flexion)) {
                replies.append((try? JSONSerialization.jsonObject(with: Data(r.text.utf8))) as? [String: Any] ?? [:])
            }
            t += 1.0 / 30
        }
        func rep(to peak: Double) {
            for i in 0..<45 { send(5 + (peak - 5) * (1 - cos(Double(i) / 45 * 2 * .pi)) / 2) }
            for _ in 0..<10 { send(5) }
        }
        for _ in 0..<15 { send(5) }
        for _ in 0..<4 { rep(to: 35) }
        let reps = replies.filter { $0["type"] as? String == "rep" }
        #expect(reps.count >= 2 && reps.allSatisfy { $0["counted"] as? Bool == false }, "\(reps)")
        let advised = reps.filter { $0["advice"] != nil }
        #expect(advised.count == 1, "once a set")
        let advice = advised.first?["advice"] as? [String: Any]
        #expect(advice?["action"] as? String == "rest" && advice?["rule"] as? String == "failed-repetitions")
        #expect(reps.firstIndex { $0["advice"] != nil } == 1, "after the second")
        // A new set starts counting again.
        _ = stream.handle(#"{"type":"reset"}"#)
        replies = []
        t += 1
        for _ in 0..<15 { send(5) }
        rep(to: 135)
        #expect(replies.filter { $0["type"] as? String == "rep" }.allSatisfy { $0["advice"] == nil && $0["counted"] as? Bool == true })
    }
}
