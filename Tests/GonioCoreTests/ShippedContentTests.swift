import Foundation
import Testing
@testable import GonioCore

/// The exercise library and protocols in `Resources/`, as the server loads them.
@Suite struct ShippedContentTests {
    static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Resources")

    static func files(_ folder: String) throws -> [(name: String, data: Data)] {
        let dir = resources.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
            .map { ($0, try Data(contentsOf: dir.appendingPathComponent($0))) }
    }

    static func library() throws -> ExerciseLibrary {
        do { return try ExerciseLibrary.load(files: try files("Exercises")) } catch let list as ExerciseLibrary.ProblemList {
            Issue.record("the exercise library breaks its rules:\n\(list.description)")
            throw list
        }
    }

    @Test func theLibraryKeepsEveryRuleAndCoversWhatPatientsNeed() throws {
        let library = try Self.library()
        #expect(library.exercises.count >= 200)
        for region in ExerciseRegion.allCases {
            #expect(library.search(.init(region: region)).count >= 5, "\(region) has few exercises")
        }
        for category in ExerciseCategory.allCases {
            #expect(!library.search(.init(category: category)).isEmpty, "nothing in \(category)")
        }
        for position in ExercisePosition.allCases {
            #expect(!library.search(.init(position: position)).isEmpty)
        }
        // Older adults need seated and supported options; programmes the issues name are there.
        #expect(library.search(.init(position: .sitting, maxDifficulty: 2)).count >= 30)
        for tag in ["otago", "stroke", "parkinsons", "ms", "pediatric"] {
            #expect(library.search(.init(tag: tag)).count >= 3, "few exercises tagged \(tag)")
        }
        // Camera tracking reaches the everyday exercises: sit-to-stand, calf raises, balance, squats, lunges.
        #expect(library.exercises.filter { $0.motionSpec != nil }.count >= 30)
        #expect(library.exercise(id: "knee-sit-to-stand-arms")?.motionSpec == "sit-to-stand")
        // Links go both ways: an easier variant names this one as harder.
        for e in library.exercises {
            for other in e.easier { #expect(library.exercise(id: other)?.harder.contains(e.id) == true, "\(e.id) ⇄ \(other)") }
        }
    }

    @Test func theProtocolsKeepEveryRuleAndNameRealExercises() throws {
        let library = try Self.library()
        let protocols: ProtocolLibrary
        do { protocols = try ProtocolLibrary.load(files: try Self.files("Protocols"), exercises: library) } catch let list as ExerciseLibrary.ProblemList {
            Issue.record("the protocols break their rules:\n\(list.description)")
            return
        }
        let expected = ["total-knee-arthroplasty", "total-hip-arthroplasty", "acl-reconstruction", "rotator-cuff-repair", "low-back-pain",
                        "neck-pain", "knee-osteoarthritis", "lateral-ankle-sprain", "patellofemoral-pain", "otago-fall-prevention",
                        "post-stroke-balance-gait", "parkinsons-disease"]
        for id in expected { #expect(protocols.protocol(id: id) != nil, "no protocol \(id)") }
        // Every phase of every protocol builds a valid plan.
        var n = 0
        for p in protocols.protocols {
            for index in p.phases.indices {
                let plan = try PlanContent.from(p, phase: index, start: CalendarDay("2026-01-05"), exercises: library) { n += 1; return "i\(n)" }
                _ = try plan.validated(exercise: library.exercise(id:))
            }
        }
    }
}
