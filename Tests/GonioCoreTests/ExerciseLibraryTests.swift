import Foundation
import Testing
@testable import GonioCore

@Suite struct ExerciseLibraryTests {
    static func exercise(_ id: String, name: String? = nil, region: ExerciseRegion = .knee, category: ExerciseCategory = .strength,
                         equipment: [Equipment] = [.none], position: ExercisePosition = .sitting, difficulty: Int = 2,
                         easier: [String] = [], harder: [String] = [], tags: [String] = []) -> Exercise {
        Exercise(id: id, name: name ?? id.replacingOccurrences(of: "-", with: " ").capitalized, summary: "Does something useful.",
                 regions: [region], category: category, equipment: equipment, position: position, difficulty: difficulty,
                 instructions: ["Sit tall on a chair.", "Straighten the knee slowly."], cues: ["Breathe out as you lift."],
                 mistakes: ["Rushing."], safety: ["Stop with sharp pain."], dose: Dose(sets: 2, reps: 10, side: .each),
                 easier: easier, harder: harder, tags: tags,
                 keyPoses: [KeyPose(label: "Start", base: .sitting), KeyPose(label: "Knee straight", base: .sitting, angles: [.kneeRight: 0, .hipRight: 90])])
    }

    @Test func aValidLibraryLoadsAndLooksUpByID() throws {
        let library = try ExerciseLibrary([Self.exercise("knee-long-arc", harder: ["knee-sit-to-stand"]), Self.exercise("knee-sit-to-stand", easier: ["knee-long-arc"])])
        #expect(library.exercise(id: "knee-long-arc")?.harder == ["knee-sit-to-stand"])
        #expect(library.exercise(id: "nope") == nil)
    }

    @Test func everyBrokenRuleIsReported() {
        var bad = Self.exercise("Bad ID")
        bad.difficulty = 7
        bad.equipment = [.none, .band]
        bad.dose.reps = 0
        bad.dose.perDay = 9
        bad.instructions = ["Go"]
        bad.harder = ["missing-one"]
        bad.keyPoses = [bad.keyPoses[0], bad.keyPoses[0]]
        bad.tags = ["Has Spaces"]
        let problems = ExerciseLibrary.problems(in: [bad, Self.exercise("dup"), Self.exercise("dup")])
        let messages = problems.map(\.message).joined(separator: "\n")
        for expected in ["the id must be", "difficulty is 1 to 5", "equipment", "repetitions or a hold", "perDay must be 1 to 6", "instructions",
                         "unknown exercise missing-one", "key poses must differ", "tags are", "used 2 times"] {
            #expect(messages.contains(expected), "\(expected) in\n\(messages)")
        }
        #expect(throws: ExerciseLibrary.ProblemList.self) { try ExerciseLibrary([bad]) }
    }

    @Test func filesDecodeWithOptionalListsLeftOut() throws {
        let json = """
        [{"id": "neck-chin-tuck", "name": "Chin tuck", "summary": "Draw the chin straight back.", "regions": ["neck"],
          "category": "mobility", "equipment": ["none"], "position": "sitting", "difficulty": 1,
          "instructions": ["Sit tall.", "Slide the chin back."], "cues": ["Eyes level."], "mistakes": ["Nodding down."],
          "safety": ["Stop if arm symptoms spread."], "dose": {"sets": 2, "reps": 10, "holdSeconds": 3, "restSeconds": 20, "perDay": 3, "daysPerWeek": 7, "side": "none"},
          "keyPoses": [{"label": "Start", "base": "sitting", "view": "side", "angles": {}}, {"label": "Tucked", "base": "sitting", "view": "side", "angles": {"neck": 10}}]}]
        """
        let library = try ExerciseLibrary.load(files: [("neck.json", Data(json.utf8))])
        let tuck = try #require(library.exercise(id: "neck-chin-tuck"))
        #expect(tuck.easier.isEmpty && tuck.tags.isEmpty && tuck.props.isEmpty)
        #expect(tuck.keyPoses[1].angles[.neck] == 10)
        #expect(tuck.dose.summary == "2 sets of 10, hold 3 s each")
        let broken = json.replacingOccurrences(of: "\"knee\"", with: "\"knee\"").replacingOccurrences(of: "\"neck\": 10", with: "\"spine\": 10")
        #expect(throws: ExerciseLibrary.ProblemList.self) { try ExerciseLibrary.load(files: [("neck.json", Data(broken.utf8))]) }
    }

    @Test func searchMatchesWordsAndFilters() throws {
        let library = try ExerciseLibrary([
            Self.exercise("knee-long-arc-quads", name: "Long-arc quads", difficulty: 1, tags: ["knee-oa"]),
            Self.exercise("knee-band-curl", name: "Hamstring curl with band", equipment: [.band, .chair], difficulty: 2),
            Self.exercise("hip-side-lying-abduction", name: "Side-lying leg lift", region: .hip, position: .lying, difficulty: 3),
            Self.exercise("balance-tandem", name: "Heel-to-toe standing", region: .wholeBody, category: .balance, position: .standing, difficulty: 2),
        ])
        #expect(library.search(.init(text: "quad")).map(\.id) == ["knee-long-arc-quads"])
        #expect(library.search(.init(text: "KNEE")).map(\.id) == ["knee-long-arc-quads", "knee-band-curl"], "region words match; easier first")
        #expect(library.search(.init(region: .hip)).map(\.id) == ["hip-side-lying-abduction"])
        #expect(library.search(.init(category: .balance)).map(\.id) == ["balance-tandem"])
        #expect(library.search(.init(equipment: .band)).map(\.id) == ["knee-band-curl"])
        #expect(library.search(.init(position: .lying)).map(\.id) == ["hip-side-lying-abduction"])
        #expect(library.search(.init(maxDifficulty: 1)).map(\.id) == ["knee-long-arc-quads"])
        #expect(library.search(.init(text: "leg", region: .hip, maxDifficulty: 2)).isEmpty)
        #expect(library.search(.init(tag: "knee-oa")).count == 1)
        #expect(library.search(.init(text: "zzz")).isEmpty)
        #expect(library.search(.init()).count == 4)
    }

    @Test(arguments: [(Dose(sets: 3, reps: 10), "3 sets of 10"), (Dose(sets: 2, reps: 0, holdSeconds: 30, side: .each), "2 sets, hold 30 s, each side"),
                      (Dose(sets: 1, reps: 8, side: .alternate), "1 set of 8, alternating sides")])
    func doseSummaries(dose: Dose, text: String) {
        #expect(dose.summary == text)
    }
}
