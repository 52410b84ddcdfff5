import Foundation
import Testing
@testable import GonioServer
@testable import GonioCore

/// `gonio triage ...` and `gonio measures ...` as a script sees them: JSON out, exit 2 on bad input.
@Suite struct ClinicalCommandsTests {
    func run(_ args: String...) async -> (code: Int32, out: String, err: String) {
        let buffer = OutputBuffer()
        let code = await GonioCLI.run(args, output: { buffer.out += $0 }, errorOutput: { buffer.err += $0 })
        return (code, buffer.out, buffer.err)
    }

    func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test func triageQuestionsHaveStableIDsAndTypes() async throws {
        let r = await run("triage", "questions")
        #expect(r.code == 0)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]])
        #expect(list.count == RedFlagScreen.questions.count)
        #expect(list.allSatisfy { $0["id"] is String && $0["text"] is String && $0["type"] is String })
        #expect(list.first { $0["id"] as? String == "bladder-change" }?["type"] as? String == "boolean")
        #expect(list.first { $0["id"] as? String == "age" }?["type"] as? String == "number")
    }

    @Test func triageEvaluate() async {
        let emergency = await run("triage", "evaluate", "--answers", #"{"saddle-numbness": true, "age": 44}"#)
        #expect(emergency.code == 0)
        let body = object(emergency.out)
        #expect(body["outcome"] as? String == "emergency")
        let reasons = body["reasons"] as? [[String: Any]] ?? []
        #expect(reasons.first?["rule"] as? String == "cauda-equina")
        #expect((reasons.first?["source"] as? String)?.contains("Finucane") == true)
        #expect(object(await run("triage", "evaluate", "--answers={}").out)["outcome"] as? String == "clear")
        #expect(object(await run("triage", "evaluate", "--answers", #"{"dizziness": true}"#).out)["outcome"] as? String == "therapist-review")
        #expect(object(await run("triage", "evaluate", "--answers", #"{"fever": true}"#).out)["outcome"] as? String == "urgent-in-person")
    }

    @Test(arguments: [
        ["triage", "evaluate"],
        ["triage", "evaluate", "--answers", "{not json"],
        ["triage", "evaluate", "--answers", "[true]"],
        ["triage", "evaluate", "--answers", #"{"fever": "yes"}"#],
        ["triage", "evaluate", "--answers", #"{"fever": 1}"#],
        ["triage", "evaluate", "--answers", #"{"unknown": true}"#],
        ["triage", "evaluate", "--answers", #"{"age": 300}"#],
        ["triage", "evaluate", "--answers", "{}", "--extra", "x"],
        ["triage"],
        ["triage", "nothing"],
        ["measures", "score", "--measure", "odi"],
        ["measures", "score", "--answers", "1,2"],
        ["measures", "score", "--measure", "zzz", "--answers", "1"],
        ["measures", "score", "--measure", "odi", "--answers", "1,2,3"],
        ["measures", "score", "--measure", "odi", "--answers", "3,2,1,2,1,2,1,,,2"],
        ["measures", "score", "--measure", "odi", "--answers", "3,2,1,2,1,2,1,9,2,2"],
        ["measures", "score", "--measure", "odi", "--answers", "3,2,1,2,1,2,1,x,2,2"],
        ["measures", "score", "--measure", "nprs", "--answers", "2.5"],
        ["measures", "score", "--measure", "lefs", "--answers", ""],
    ])
    func invalidInputExitsTwoWithAMessage(args: [String]) async {
        let buffer = OutputBuffer()
        let code = await GonioCLI.run(args, output: { buffer.out += $0 }, errorOutput: { buffer.err += $0 })
        let (out, err) = (buffer.out, buffer.err)
        #expect(code == 2, "\(args)")
        #expect(out.isEmpty)
        #expect(err.count > 12, "\(args): \(err)")
    }

    @Test func measuresList() async throws {
        let r = await run("measures", "list")
        #expect(r.code == 0)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]])
        let codes = list.compactMap { $0["code"] as? String }
        for code in ["odi", "ndi", "lefs", "koos-jr", "hoos-jr", "quickdash", "psfs", "nprs", "phq2"] {
            #expect(codes.contains(code))
        }
        let odi = try #require(list.first { $0["code"] as? String == "odi" })
        #expect((odi["items"] as? [Any])?.count == 10)
        #expect(odi["scoreRange"] as? [Double] == [0, 100])
        #expect(odi["name"] as? String == "Oswestry Disability Index (v2.1a)")
    }

    @Test func measuresScore() async {
        let odi = object(await run("measures", "score", "--measure", "odi", "--answers", "3,2,1,2,1,2,1,,2,2").out)
        #expect(odi["measure"] as? String == "odi")
        #expect(abs((odi["score"] as? Double ?? 0) - 35.5555555) < 1e-6)   // 16 / 45 × 100
        #expect(odi["answered"] as? Int == 9)
        #expect(odi["interpretation"] as? String == "Moderate disability")
        #expect(odi["scoreRange"] as? [Double] == [0, 100])
        let psfs = object(await run("measures", "score", "--measure", "psfs", "--answers", "3,5,4").out)
        #expect(psfs["score"] as? Double == 4)
        let tug = object(await run("measures", "score", "--measure", "tug", "--answers", "13.2").out)
        #expect(tug["score"] as? Double == 13.2)
        let koos = object(await run("measures", "score", "--measure=KOOS-JR", "--answers=1,1,1,1,1,1,1").out)
        #expect(koos["score"] as? Double == 68.284)
    }
}

@Suite struct MeasuresAPITests {
    @Test func scoresLikeTheCommandLine() async throws {
        try await withTestApp(seed: false) { app in
            let r = try await app.send(.POST, "/api/v1/measures/odi/score", body: #"{"answers": [3,2,1,2,1,2,1,null,2,2]}"#)
            #expect(r.status == .ok)
            #expect(abs((r.object["score"] as? Double ?? 0) - 35.5555555) < 1e-6)
            #expect(r.object["answered"] as? Int == 9)
            #expect(r.object["interpretation"] as? String == "Moderate disability")
            let list = try await app.send(.GET, "/api/v1/measures")
            #expect(list.array.count == MeasureLibrary.all.count)
        }
    }

    @Test func refusesBadAnswersClearly() async throws {
        try await withTestApp(seed: false) { app in
            let missing = try await app.send(.POST, "/api/v1/measures/odi/score", body: #"{"answers": [3,2,1,2,1,2,1,null,null,2]}"#)
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.errorCode == "too-many-missing")
            let range = try await app.send(.POST, "/api/v1/measures/nprs/score", body: #"{"answers": [12]}"#)
            #expect(range.errorCode == "answer-out-of-range")
            let fraction = try await app.send(.POST, "/api/v1/measures/nprs/score", body: #"{"answers": [2.5]}"#)
            #expect(fraction.errorCode == "answer-not-whole")
            #expect(try await app.send(.POST, "/api/v1/measures/nope/score", body: #"{"answers": [1]}"#).status == .notFound)
            #expect(try await app.send(.POST, "/api/v1/measures/odi/score", body: #"{"answers": "x"}"#).status == .unprocessableEntity)
            #expect(try await app.send(.POST, "/api/v1/measures/odi/score", body: "{").status == .badRequest)
        }
    }
}

extension ClinicalCommandsTests {
    /// `gonio progression suggest` on the issue's example, on standard input's stand-in (a file),
    /// and bad input refused with exit 2 naming the field.
    @Test func progressionSuggestFromAFile() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("progression-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func file(_ text: String) throws -> String {
            let url = dir.appendingPathComponent("\(UUID()).json")
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let good = #"""
        {"prescription":{"sets":3,"reps":10,"holdSeconds":null,"sessionsPerWeek":3},"baselineMorningPain":2,
         "logs":[{"date":"2026-11-02","setsDone":3,"repsDone":[10,10,10],"painDuring":2,"painAfter":2,"painNextMorning":2,"effort":4},
                 {"date":"2026-11-04","setsDone":3,"repsDone":[10,10,10],"painDuring":2,"painAfter":2,"painNextMorning":null,"effort":4}]}
        """#
        let r = await run("progression", "suggest", "--input", try file(good))
        #expect(r.code == 0, "\(r.err)")
        let body = object(r.out)
        #expect(body["decision"] as? String == "progress" && body["rule"] as? String == "dose-tolerated")
        #expect((body["change"] as? [String: Any])?["reps"] as? Int == 12)
        #expect((body["reasons"] as? [String])?.isEmpty == false)
        let pain = await run("progression", "suggest", "--input", try file(good.replacingOccurrences(of: #""painDuring":2,"painAfter":2,"painNextMorning":null"#, with: #""painDuring":8,"painAfter":2,"painNextMorning":null"#)))
        #expect(object(pain.out)["decision"] as? String == "regress")

        for (text, says) in [("", "empty"), ("[1,2]", "could not"), (#"{"logs":[]}"#, "prescription is missing"),
                             (#"{"prescription":{"reps":10},"logs":[{"date":"2026-02-30"}]}"#, "logs[0].date"),
                             (#"{"prescription":{"reps":10},"logs":[{"date":"2026-02-03","effort":"hard"}]}"#, "logs[0].effort"),
                             (#"{"prescription":{"reps":10},"logs":[{"date":"2026-02-03","painDuring":11}]}"#, "logs[0].painDuring")] {
            let bad = await run("progression", "suggest", "--input", try file(text))
            #expect(bad.code == 2 && bad.out.isEmpty, "\(text): \(bad.code)")
            #expect(bad.err.contains(says) || (says == "could not" && !bad.err.isEmpty), "\(text): \(bad.err)")
        }
        let missing = await run("progression", "suggest", "--input", dir.appendingPathComponent("nope.json").path)
        #expect(missing.code == 2 && missing.err.contains("Cannot read"))
        let rules = await run("progression", "rules")
        #expect(object(rules.out)["painDuringMax"] as? Double == 5)
    }
}

extension ClinicalCommandsTests {
    /// `gonio billing units` and `gonio rtm codes`: the issue's examples, and bad input exits 2.
    @Test func billingUnitsAndRTMCodes() async {
        let medicare = await run("billing", "units", "--payer", "medicare", "--minutes", "97110=23,97112=24")
        #expect(medicare.code == 0 && medicare.out.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"totalUnits":3,"units":{"97110":1,"97112":2}}"#)
        let commercial = await run("billing", "units", "--payer", "commercial", "--minutes", "97110=23,97112=24")
        #expect(object(commercial.out)["totalUnits"] as? Int == 4)
        for args in [["--payer", "medicare", "--minutes", "97161=30"], ["--payer", "self-pay", "--minutes", "97110=10"],
                     ["--payer", "medicare", "--minutes", "97110=ten"], ["--payer", "medicare", "--minutes", ""]] {
            let bad = await run(["billing", "units"] + args)
            #expect(bad.code == 2 && bad.out.isEmpty && !bad.err.isEmpty, "\(args)")
        }
        let rtm = await run("rtm", "codes", "--year", "2026", "--days", "16", "--minutes", "20", "--interactive", "true")
        #expect(rtm.code == 0 && rtm.out.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"device":"98977","management":["98980"]}"#)
        let none = await run("rtm", "codes", "--year", "2026", "--days", "1", "--minutes", "30", "--interactive", "false")
        #expect(none.out.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"device":null,"management":[]}"#)
        for args in [["--year", "2021", "--days", "16", "--minutes", "20", "--interactive", "true"],
                     ["--year", "2026", "--days", "31", "--minutes", "20", "--interactive", "true"],
                     ["--year", "2026", "--days", "16", "--minutes", "20", "--interactive", "yes please"]] {
            let bad = await run(["rtm", "codes"] + args)
            #expect(bad.code == 2 && bad.out.isEmpty, "\(args)")
        }
    }

    func run(_ args: [String]) async -> (code: Int32, out: String, err: String) {
        let buffer = OutputBuffer()
        let code = await GonioCLI.run(args, output: { buffer.out += $0 }, errorOutput: { buffer.err += $0 })
        return (code, buffer.out, buffer.err)
    }
}
