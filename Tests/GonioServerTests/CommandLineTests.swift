import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// `gonio` behaves like the tools people know: help touches nothing, mistakes exit 2 with a
/// short message, and a database that is not there is said in one line.
@Suite struct CommandLineTests {
    struct Run {
        var code: Int32
        var out: String
        var err: String
    }

    func gonio(_ args: String..., environment: [String: String] = [:]) async -> Run {
        let buffer = OutputBuffer()
        let code = await GonioCLI.run(args, environment: environment, output: { buffer.out += $0 + "\n" },
                                      errorOutput: { buffer.err += $0 + "\n" })
        return Run(code: code, out: buffer.out, err: buffer.err)
    }

    func freshDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gonio-cli-\(UUID().uuidString)").path
    }

    @Test(arguments: [["--help"], ["help"], ["-h"]])
    func helpListsEveryCommandAndTouchesNothing(args: [String]) async {
        let dir = freshDirectory()
        let buffer = OutputBuffer()
        let code = await GonioCLI.run(args, environment: ["GONIO_DATA_DIR": dir], output: { buffer.out += $0 },
                                      errorOutput: { buffer.err += $0 })
        #expect(code == 0)
        for command in ["serve", "migrate", "seed", "measures", "triage", "motion"] {
            #expect(buffer.out.contains("  \(command) "), "\(args) lists \(command)")
        }
        #expect(!buffer.out.contains("Gonio is starting"))
        #expect(!FileManager.default.fileExists(atPath: dir), "no data directory, no database")
    }

    @Test(arguments: [["serve", "--help"], ["migrate", "--help"], ["seed", "--help"], ["measures", "score", "--help"],
                      ["triage", "evaluate", "--help"], ["help", "serve"]])
    func commandHelpPrintsUsageAndNothingElse(args: [String]) async {
        let dir = freshDirectory()
        let buffer = OutputBuffer()
        let code = await GonioCLI.run(args, environment: ["GONIO_DATA_DIR": dir], output: { buffer.out += $0 },
                                      errorOutput: { buffer.err += $0 })
        #expect(code == 0)
        #expect(buffer.out.contains("USAGE: gonio"), "\(args): \(buffer.out.prefix(200))")
        #expect(buffer.err.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test(arguments: [["bogus"], ["serve", "--bogus"], ["serve", "extra"], ["seed", "--scale", "0"], ["seed", "--scale", "lots"],
                      ["migrate", "--nope"], ["measures"], ["triage", "nothing"], ["serve", "--port"]])
    func mistakesExitTwoWithAShortMessage(args: [String]) async {
        let dir = freshDirectory()
        let buffer = OutputBuffer()
        let run = await GonioCLI.run(args, environment: ["GONIO_DATA_DIR": dir], output: { buffer.out += $0 },
                                     errorOutput: { buffer.err += $0 })
        #expect(run == 2, "\(args)")
        #expect(!buffer.err.isEmpty && buffer.err.count < 600, "\(args): a short message, not a backtrace")
        #expect(!FileManager.default.fileExists(atPath: dir + "/gonio.sqlite"), "\(args) touched no database")
    }

    @Test func anUnknownCommandIsNamed() async {
        let run = await gonio("srve")
        #expect(run.code == 2)
        #expect(run.err.contains("unknown command 'srve'"))
        #expect(run.err.contains("serve, migrate, seed, measures, triage"))
    }

    @Test func anUnreachableDatabaseIsReportedInOneLine() async {
        let run = await gonio("migrate", environment: [
            "GONIO_DATA_DIR": freshDirectory(), "DATABASE_URL": "postgres://gonio:secret@127.0.0.1:1/gonio?tlsmode=disable",
        ])
        #expect(run.code == 1)
        #expect(run.err.contains("Cannot reach the database at 127.0.0.1:1"), "\(run.err)")
        #expect(run.err.split(separator: "\n").count <= 2)
    }

    @Test func badConfigurationExitsWithEXCONFIG() async {
        let run = await gonio("migrate", environment: ["GONIO_DATA_DIR": freshDirectory(), "PORT": "eighty"])
        #expect(run.code == 78)
        #expect(run.err.contains("PORT"))
    }

    @Test func serveAnnouncesThePortItServes() async throws {
        let dir = freshDirectory()
        try await CommandOutput.$environment.withValue(["GONIO_DATA_DIR": dir, "PORT": "8080"]) {
            let config = try Serve.parse(["--port", "9123", "--hostname", "0.0.0.0"]).configuration()
            #expect(config.port == 9123 && config.hostname == "0.0.0.0")
            let banner = Serve.banner(config, seeded: true)
            #expect(banner.contains("http://0.0.0.0:9123"))
            #expect(!banner.contains("8080"))
        }
    }

    @Test func migrateAndSeedAtScaleOnAFreshDirectory() async throws {
        let dir = freshDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let migrate = await gonio("migrate", environment: ["GONIO_DATA_DIR": dir])
        #expect(migrate.code == 0, "\(migrate.err)")
        #expect(migrate.out.contains("M0009_AddListAuditAndOneOpenAssignment"))
        let again = await gonio("migrate", "--yes", environment: ["GONIO_DATA_DIR": dir])
        #expect(again.out.contains("up to date"))
        let seed = await gonio("seed", "--scale", "300", environment: ["GONIO_DATA_DIR": dir])
        #expect(seed.code == 0, "\(seed.err)")
        #expect(seed.out.contains("Seeded demo data."))
        #expect(seed.out.contains("Added 300 synthetic patients"))
        let production = await gonio("seed", environment: [
            "GONIO_DATA_DIR": dir, "GONIO_ENV": "production", "GONIO_SECRET": String(repeating: "s", count: 40),
            "GONIO_PUBLIC_URL": "https://pt.example.org", "GONIO_ALLOW_SQLITE": "1",
        ])
        #expect(production.code == 1)
        #expect(production.err.contains("never seeded in production"))
    }
}

/// Services read time from the context's clock, so a test moves time instead of waiting.
@Suite struct ClockTests {
    @Test func sessionsExpireWhenTheClockSaysSo() async throws {
        let (clock, time) = GonioClock.manual(Date())
        try await withTestApp(clock: clock) { app in
            let token = try await app.token(Demo.patient)
            #expect(try await app.send(.GET, "/api/v1/me", token: token).status == .ok)
            time.advance(by: 29 * 60)
            #expect(try await app.send(.GET, "/api/v1/me", token: token).status == .ok)
            time.advance(by: 31 * 60)
            #expect(try await app.send(.GET, "/api/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test func aRepeatingMeasureFallsDueAgainAsTimePasses() async throws {
        let (clock, time) = GonioClock.manual(Date())
        try await withTestApp(clock: clock) { app in
            let patient = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            let assigned = try await app.send(.POST, "/api/v1/patients/\(patient)/measures", token: therapist,
                                              json: ["code": "nprs", "schedule": "every-weeks", "intervalWeeks": 2])
            let id = try #require(assigned.object["id"] as? String)
            let owner = try await app.token(Demo.patient)
            let path = "/api/v1/patients/\(patient)/measures/\(id)/responses"
            #expect(try await app.send(.POST, path, token: owner, json: ["answers": [5]]).status == .created)
            #expect(try await app.send(.POST, path, token: owner, json: ["answers": [4]]).errorCode == "measure-not-due")
            time.advance(by: 15 * 86_400)
            let later = try await app.token(Demo.patient)
            let second = try await app.send(.POST, path, token: later, json: ["answers": [3]])
            #expect(second.status == .created)
            #expect((second.object["results"] as? [Any])?.count == 2)
            let entry = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$action == "measure.complete").sort(\.$at, .descending).first())
            #expect(abs(entry.at.timeIntervalSince(time.current)) < 1, "the audit log reads the same clock")
        }
    }
}

extension CommandLineTests {
    @Test func motionListsExercisesAndAnalysesAFile() async throws {
        let list = await gonio("motion", "exercises")
        #expect(list.code == 0)
        let exercises = try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [[String: Any]] ?? []
        let ids = Set(exercises.compactMap { $0["id"] as? String })
        for id in ["deep-squat", "mini-squat", "sit-to-stand", "hurdle-step", "inline-lunge", "side-lunge", "standing-straight-leg-raise",
                   "standing-hip-abduction", "standing-knee-flexion", "seated-knee-extension", "heel-raise", "shoulder-abduction",
                   "shoulder-flexion", "shoulder-extension", "shoulder-scaption", "shoulder-rotation", "arm-raise", "elbow-flexion",
                   "lateral-trunk-tilt", "trunk-rotation", "single-leg-stance"] {
            #expect(ids.contains(id), "\(id)")
        }
        #expect(exercises.allSatisfy { $0["measure"] is String })

        // Three elbow bends, from a CSV written here (image coordinates, y down).
        var csv = "t,right_shoulder_x,right_shoulder_y,right_elbow_x,right_elbow_y,right_wrist_x,right_wrist_y\n"
        var t = 0.0
        func frame(_ flexion: Double) {
            let r = flexion * .pi / 180
            csv += "\(t),100,100,100,160,\(100 + 55 * sin(r)),\(160 + 55 * cos(r))\n"
            t += 1.0 / 30
        }
        for _ in 0..<20 { frame(5) }
        for _ in 0..<3 {
            for i in 0..<40 { frame(5 + 125 * (1 - cos(Double(i) / 40 * 2 * .pi)) / 2) }
            for _ in 0..<10 { frame(5) }
        }
        let file = freshDirectory() + ".csv"
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let analysed = await gonio("motion", "analyze", "--exercise", "elbow-flexion", file)
        #expect(analysed.code == 0, "\(analysed.err)")
        let result = try JSONSerialization.jsonObject(with: Data(analysed.out.utf8)) as? [String: Any] ?? [:]
        #expect(result["exercise"] as? String == "elbow-flexion" && result["reps"] as? Int == 3 && result["partialReps"] as? Int == 0, "\(analysed.out)")
        let reps = result["repetitions"] as? [[String: Any]] ?? []
        #expect(reps.count == 3 && ((reps.first?["rom"] as? [String: Any])?["max"] as? Double ?? 0) > 120)
        for key in ["formScore", "framesAnalysed", "framesRejected"] { #expect(result[key] != nil, "\(key)") }
        #expect(await gonio("motion", "analyze", "--exercise", "generic", file).out.contains("\"reps\":3"))

        // Mistakes: exit 2 and a message naming the problem.
        let unknown = await gonio("motion", "analyze", "--exercise", "moonwalk", file)
        #expect(unknown.code == 2 && unknown.err.contains("Unknown exercise"))
        let missing = await gonio("motion", "analyze", "--exercise", "deep-squat", "/nonexistent.json")
        #expect(missing.code == 2 && missing.err.contains("Cannot read"))
        try "{\"format\":\"gonio-pose/1\",\"skeleton\":\"coco17\",\"frames\":[{\"t\":0,\"p\":[[1,2]]}]}".write(toFile: file, atomically: true, encoding: .utf8)
        let bad = await gonio("motion", "analyze", "--exercise", "deep-squat", file)
        #expect(bad.code == 2 && bad.err.contains("coco17 skeleton has 17"), "\(bad.err)")
        #expect(await gonio("motion", "analyze", "--exercise", "deep-squat", "--side", "up", file).code == 2)

        // A sensor on the forearm: four elbow bends at 50 Hz (gyroscope in degrees per second).
        var imu = "t,ax,ay,az,gx_dps,gy_dps,gz_dps\n"
        func angle(_ t: Double) -> Double {
            let k = Int(t / 3), phase = (t - Double(k) * 3 - 0.5) / 2
            return t >= 0.5 && k < 4 && phase > 0 && phase < 1 ? 120 * (1 - cos(2 * .pi * phase)) / 2 : 0
        }
        for i in 0..<700 {
            let t = Double(i) / 50, r = angle(t) * .pi / 180
            imu += "\(t),0,\(9.81 * cos(r)),\(-9.81 * sin(r)),\((angle(t + 0.001) - angle(t - 0.001)) / 0.002),0,0\n"
        }
        let imuFile = freshDirectory() + "-imu.csv"
        try imu.write(toFile: imuFile, atomically: true, encoding: .utf8)
        let worn = await gonio("motion", "analyze", "--exercise", "elbow-flexion", "--imu", "--segment", "forearm", imuFile)
        #expect(worn.code == 0 && worn.out.contains("\"reps\":4"), "\(worn.out) \(worn.err)")
        #expect(await gonio("motion", "analyze", "--exercise", "elbow-flexion", "--imu", "--segment", "tail", imuFile).code == 2)
        #expect(await gonio("motion", "analyze", "--exercise", "elbow-flexion", "--segment", "forearm", imuFile).code == 2)
    }
}
