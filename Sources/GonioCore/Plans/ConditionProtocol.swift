/// A condition protocol: phases of goals, precautions, progression criteria and exercises,
/// written from published guidance (`Resources/Protocols/README.md`). A therapist starts a plan
/// from a phase and adjusts it; a protocol is never a prescription by itself.
public struct ConditionProtocol: Codable, Sendable, Equatable, Identifiable {
    public struct Item: Codable, Sendable, Equatable {
        public var exercise: String
        public var dose: DoseChange?
        public var note: String?

        public init(exercise: String, dose: DoseChange? = nil, note: String? = nil) {
            self.exercise = exercise
            self.dose = dose
            self.note = note
        }
    }

    public struct Phase: Codable, Sendable, Equatable {
        public var name: String
        public var startWeek: Int
        public var endWeek: Int?
        public var goals: [String]
        public var precautions: [String]
        public var progressionCriteria: [String]
        public var warmUp: [Item]
        public var main: [Item]
        public var coolDown: [Item]

        public init(name: String, startWeek: Int, endWeek: Int?, goals: [String], precautions: [String] = [],
                    progressionCriteria: [String], warmUp: [Item] = [], main: [Item], coolDown: [Item] = []) {
            self.name = name
            self.startWeek = startWeek
            self.endWeek = endWeek
            self.goals = goals
            self.precautions = precautions
            self.progressionCriteria = progressionCriteria
            self.warmUp = warmUp
            self.main = main
            self.coolDown = coolDown
        }

        enum CodingKeys: String, CodingKey {
            case name, startWeek, endWeek, goals, precautions, progressionCriteria, warmUp, main, coolDown
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            startWeek = try c.decode(Int.self, forKey: .startWeek)
            endWeek = try c.decodeIfPresent(Int.self, forKey: .endWeek)
            goals = try c.decode([String].self, forKey: .goals)
            precautions = try c.decodeIfPresent([String].self, forKey: .precautions) ?? []
            progressionCriteria = try c.decode([String].self, forKey: .progressionCriteria)
            warmUp = try c.decodeIfPresent([Item].self, forKey: .warmUp) ?? []
            main = try c.decode([Item].self, forKey: .main)
            coolDown = try c.decodeIfPresent([Item].self, forKey: .coolDown) ?? []
        }

        /// "Weeks 1-4", "From week 13".
        public var weeks: String {
            guard let endWeek else { return "From week \(startWeek)" }
            return endWeek == startWeek ? "Week \(startWeek)" : "Weeks \(startWeek)–\(endWeek)"
        }

        /// The items by block, in the order a session runs them.
        public var blocks: [(PlanItem.Block, [Item])] { [(.warmUp, warmUp), (.main, main), (.coolDown, coolDown)] }
    }

    public var id: String
    public var name: String
    public var condition: String
    public var summary: String
    public var regions: [ExerciseRegion]
    public var sources: [String]
    public var cautions: [String]
    public var phases: [Phase]

    public init(id: String, name: String, condition: String, summary: String, regions: [ExerciseRegion], sources: [String],
                cautions: [String] = [], phases: [Phase]) {
        self.id = id
        self.name = name
        self.condition = condition
        self.summary = summary
        self.regions = regions
        self.sources = sources
        self.cautions = cautions
        self.phases = phases
    }

    enum CodingKeys: String, CodingKey { case id, name, condition, summary, regions, sources, cautions, phases }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        condition = try c.decode(String.self, forKey: .condition)
        summary = try c.decode(String.self, forKey: .summary)
        regions = try c.decode([ExerciseRegion].self, forKey: .regions)
        sources = try c.decode([String].self, forKey: .sources)
        cautions = try c.decodeIfPresent([String].self, forKey: .cautions) ?? []
        phases = try c.decode([Phase].self, forKey: .phases)
    }
}

/// The protocols Gonio ships, checked against their authors' rules and the exercise library.
public struct ProtocolLibrary: Sendable {
    public let protocols: [ConditionProtocol]
    private let byID: [String: Int]

    public init(_ protocols: [ConditionProtocol], exercises: ExerciseLibrary) throws(ExerciseLibrary.ProblemList) {
        let problems = Self.problems(in: protocols, exercises: exercises)
        guard problems.isEmpty else { throw ExerciseLibrary.ProblemList(problems: problems) }
        self.protocols = protocols.sorted { $0.name.lowercased() < $1.name.lowercased() }
        byID = Dictionary(uniqueKeysWithValues: self.protocols.enumerated().map { ($1.id, $0) })
    }

    public func `protocol`(id: String) -> ConditionProtocol? { byID[id].map { protocols[$0] } }

    /// Every rule of `Resources/Protocols/README.md`.
    public static func problems(in protocols: [ConditionProtocol], exercises: ExerciseLibrary) -> [ExerciseLibrary.Problem] {
        var problems: [ExerciseLibrary.Problem] = []
        var seen: [String: Int] = [:]
        for p in protocols { seen[p.id, default: 0] += 1 }
        for (id, count) in seen where count > 1 {
            problems.append(.init(exerciseID: id, message: "the id is used \(count) times"))
        }
        for p in protocols {
            func bad(_ message: String) { problems.append(.init(exerciseID: p.id, message: message)) }
            func texts(_ list: [String], _ name: String, _ range: ClosedRange<Int>) {
                if !range.contains(list.count) || list.contains(where: { $0.trimmingWhitespace().count < 3 || $0.count > 400 }) {
                    bad("\(name) must be \(range.lowerBound) to \(range.upperBound) sentences of text")
                }
            }
            if !ExerciseLibrary.isWordsJoinedByDash(p.id) { bad("the id must be \(ExerciseLibrary.idPattern)") }
            if !(3...80).contains(p.name.count) { bad("the name must be 3 to 80 characters") }
            for (name, text) in [("condition", p.condition), ("summary", p.summary)] where !(3...300).contains(text.count) {
                bad("the \(name) must be 3 to 300 characters")
            }
            if p.regions.isEmpty { bad("name at least one region") }
            texts(p.sources, "sources", 1...8)
            texts(p.cautions, "cautions", 0...8)
            if !(2...6).contains(p.phases.count) { bad("2 to 6 phases") }
            for (index, phase) in p.phases.enumerated() {
                let label = "phase \(index + 1)"
                if !(3...80).contains(phase.name.count) { bad("\(label): the name must be 3 to 80 characters") }
                if index > 0, phase.startWeek <= p.phases[index - 1].startWeek { bad("\(label): startWeek must rise") }
                if !(0...104).contains(phase.startWeek) { bad("\(label): startWeek is 0 to 104") }
                if let end = phase.endWeek, end < phase.startWeek { bad("\(label): endWeek is before startWeek") }
                if phase.endWeek == nil, index < p.phases.count - 1 { bad("\(label): only the last phase may leave endWeek out") }
                texts(phase.goals, "\(label) goals", 1...6)
                texts(phase.precautions, "\(label) precautions", 0...6)
                texts(phase.progressionCriteria, "\(label) progressionCriteria", 1...6)
                for (block, items, range) in [("warmUp", phase.warmUp, 0...4), ("main", phase.main, 2...10), ("coolDown", phase.coolDown, 0...4)]
                where !range.contains(items.count) {
                    bad("\(label): \(block) has \(range.lowerBound) to \(range.upperBound) exercises")
                }
                var named = Set<String>()
                for item in phase.warmUp + phase.main + phase.coolDown {
                    guard let exercise = exercises.exercise(id: item.exercise) else {
                        bad("\(label): unknown exercise \(item.exercise)")
                        continue
                    }
                    if !named.insert(item.exercise).inserted { bad("\(label): \(item.exercise) appears twice") }
                    for problem in (item.dose ?? DoseChange()).applied(to: exercise.dose).problems {
                        bad("\(label): \(item.exercise) dose: \(problem)")
                    }
                    if let note = item.note, !(3...300).contains(note.count) { bad("\(label): a note is 3 to 300 characters") }
                }
            }
        }
        return problems.sorted { ($0.exerciseID, $0.message) < ($1.exerciseID, $1.message) }
    }
}

#if canImport(Foundation)
import Foundation

extension ProtocolLibrary {
    /// The protocols from their files (one JSON object each).
    public static func load(files: [(name: String, data: Data)], exercises: ExerciseLibrary) throws -> ProtocolLibrary {
        var all: [ConditionProtocol] = []
        for file in files {
            do {
                all.append(try JSONDecoder().decode(ConditionProtocol.self, from: file.data))
            } catch let error as DecodingError {
                throw ExerciseLibrary.ProblemList(problems: [.init(exerciseID: file.name, message: ExerciseLibrary.describe(error))])
            }
        }
        return try ProtocolLibrary(all, exercises: exercises)
    }
}
#endif
