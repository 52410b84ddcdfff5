import GonioMotion
/// The exercises Gonio ships, checked against the authors' rules and searchable. Built once at
/// start-up; searching is a walk over a few hundred prepared records.
public struct ExerciseLibrary: Sendable {
    public let exercises: [Exercise]
    private let byID: [String: Int]
    private let words: [[String]]

    /// A rule an exercise breaks, named by its id.
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public var exerciseID: String
        public var message: String
        public var description: String { "\(exerciseID): \(message)" }
    }

    /// Builds the library; throws every problem found, not only the first.
    public init(_ exercises: [Exercise]) throws(ProblemList) {
        let problems = Self.problems(in: exercises)
        guard problems.isEmpty else { throw ProblemList(problems: problems) }
        self.exercises = exercises.sorted { $0.name.lowercased() < $1.name.lowercased() }
        byID = Dictionary(uniqueKeysWithValues: self.exercises.enumerated().map { ($1.id, $0) })
        words = self.exercises.map(Self.searchWords)
    }

    public struct ProblemList: Error, Sendable, CustomStringConvertible {
        public var problems: [Problem]
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    public func exercise(id: String) -> Exercise? { byID[id].map { exercises[$0] } }

    // MARK: Rules

    public static let idPattern = "lower-case letters and digits in words joined by -"

    static func isWordsJoinedByDash(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 60, !text.hasPrefix("-"), !text.hasSuffix("-"), !text.contains("--") else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// Every rule of `Resources/Exercises/README.md` that a decoded value can break.
    /// `alsoKnown`: other ids links may name (a clinic's exercise may link to the library);
    /// `posesRequired`: a clinic's own exercise may go without key poses (it has media instead).
    public static func problems(in exercises: [Exercise], alsoKnown: Set<String> = [], posesRequired: Bool = true) -> [Problem] {
        var problems: [Problem] = []
        var seen: [String: Int] = [:]
        for e in exercises { seen[e.id, default: 0] += 1 }
        let known = Set(exercises.map(\.id)).union(alsoKnown)
        for (id, count) in seen where count > 1 {
            problems.append(Problem(exerciseID: id, message: "the id is used \(count) times"))
        }
        for e in exercises {
            func bad(_ message: String) { problems.append(Problem(exerciseID: e.id, message: message)) }
            func texts(_ list: [String], _ name: String, _ range: ClosedRange<Int>) {
                if !range.contains(list.count) || list.contains(where: { $0.trimmingWhitespace().count < 3 || $0.count > 400 }) {
                    bad("\(name) must be \(range.lowerBound) to \(range.upperBound) sentences of text")
                }
            }
            if !isWordsJoinedByDash(e.id) { bad("the id must be \(idPattern)") }
            if !(3...60).contains(e.name.count) { bad("the name must be 3 to 60 characters") }
            if !(3...200).contains(e.summary.count) { bad("the summary must be 3 to 200 characters") }
            if e.regions.isEmpty { bad("name at least one region") }
            if e.equipment.isEmpty || (e.equipment.contains(.none) && e.equipment.count > 1) { bad("equipment: known values, and 'none' alone") }
            if !(1...5).contains(e.difficulty) { bad("difficulty is 1 to 5") }
            texts(e.instructions, "instructions", 2...8)
            texts(e.cues, "cues", 1...4)
            texts(e.mistakes, "mistakes", 1...4)
            texts(e.safety, "safety", 1...4)
            for problem in e.dose.problems { bad("dose: \(problem)") }
            for (name, links) in [("easier", e.easier), ("harder", e.harder)] {
                for other in links where !known.contains(other) { bad("\(name) names an unknown exercise \(other)") }
                if links.contains(e.id) { bad("\(name) names the exercise itself") }
            }
            if !e.tags.allSatisfy(isWordsJoinedByDash) { bad("tags are \(idPattern)") }
            if let spec = e.motionSpec, MotionSpecs.spec(spec) == nil {
                bad("motionSpec names no tracked exercise (gonio motion exercises lists them): \(spec)")
            }
            if !(2...4).contains(e.keyPoses.count), posesRequired || !e.keyPoses.isEmpty { bad("2 to 4 key poses") }
            for pose in e.keyPoses {
                if pose.label.trimmingWhitespace().isEmpty { bad("each key pose has a label") }
                if pose.angles.values.contains(where: { !KeyPose.angleRange.contains($0) }) { bad("angles are -90 to 180 degrees") }
            }
            if e.keyPoses.count >= 2, e.keyPoses.allSatisfy({ $0.base == e.keyPoses[0].base && $0.view == e.keyPoses[0].view && $0.angles == e.keyPoses[0].angles }) {
                bad("the key poses must differ: the demonstration moves between them")
            }
        }
        return problems.sorted { ($0.exerciseID, $0.message) < ($1.exerciseID, $1.message) }
    }

    // MARK: Search

    /// What a therapist or patient looks for.
    public struct Query: Sendable, Equatable {
        public var text: String?
        public var region: ExerciseRegion?
        public var category: ExerciseCategory?
        /// Exercises that use this equipment (`none`: those that need nothing).
        public var equipment: Equipment?
        public var position: ExercisePosition?
        /// At most this difficulty.
        public var maxDifficulty: Int?
        public var tag: String?

        public init(text: String? = nil, region: ExerciseRegion? = nil, category: ExerciseCategory? = nil, equipment: Equipment? = nil,
                    position: ExercisePosition? = nil, maxDifficulty: Int? = nil, tag: String? = nil) {
            self.text = text
            self.region = region
            self.category = category
            self.equipment = equipment
            self.position = position
            self.maxDifficulty = maxDifficulty
            self.tag = tag
        }
    }

    /// Exercises matching every filter and, with text, every word of it (as the start of a word
    /// of the name, summary, tags, regions, category or equipment). Those whose name matches come
    /// first; then easier before harder, then by name.
    public func search(_ query: Query) -> [Exercise] { search(query, adding: []) }

    /// The same over the library and `extra` exercises (a clinic's own), ranked together.
    public func search(_ query: Query, adding extra: [Exercise]) -> [Exercise] {
        let all = extra.isEmpty ? exercises : exercises + extra
        let allWords = extra.isEmpty ? words : words + extra.map(Self.searchWords)
        let terms = Self.tokens(query.text ?? "")
        var hits: [(rank: Int, index: Int)] = []
        for (index, e) in all.enumerated() {
            if let region = query.region, !e.regions.contains(region) { continue }
            if let category = query.category, e.category != category { continue }
            if let equipment = query.equipment, !e.equipment.contains(equipment) { continue }
            if let position = query.position, e.position != position { continue }
            if let max = query.maxDifficulty, e.difficulty > max { continue }
            if let tag = query.tag, !e.tags.contains(tag) { continue }
            var rank = 0
            if !terms.isEmpty {
                let these = allWords[index]
                guard terms.allSatisfy({ term in these.contains { $0.hasPrefix(term) } }) else { continue }
                let nameWords = Self.tokens(e.name)
                rank = terms.allSatisfy({ term in nameWords.contains { $0.hasPrefix(term) } }) ? 0 : 1
            }
            hits.append((rank, index))
        }
        return hits.sorted { a, b in
            let x = all[a.index], y = all[b.index]
            return (a.rank, x.difficulty, x.name.lowercased(), a.index) < (b.rank, y.difficulty, y.name.lowercased(), b.index)
        }.map { all[$0.index] }
    }

    static func searchWords(_ e: Exercise) -> [String] {
        let text = [e.name, e.summary, e.tags.joined(separator: " "), e.regions.map(\.rawValue).joined(separator: " "),
                    e.regions.map(\.displayName).joined(separator: " "), e.category.rawValue, e.category.displayName,
                    e.equipment.map(\.rawValue).joined(separator: " ")].joined(separator: " ")
        return Array(Set(tokens(text)))
    }

    /// Lower-case words of letters and digits.
    static func tokens(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }
}

#if canImport(Foundation)
import Foundation

extension ExerciseLibrary {
    /// The library from its files (JSON arrays of exercises), each problem named with its file.
    public static func load(files: [(name: String, data: Data)]) throws -> ExerciseLibrary {
        var all: [Exercise] = []
        for file in files {
            do {
                all += try JSONDecoder().decode([Exercise].self, from: file.data)
            } catch let error as DecodingError {
                throw ProblemList(problems: [Problem(exerciseID: file.name, message: Self.describe(error))])
            }
        }
        return try ExerciseLibrary(all)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing \(path(context)).\(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type at \(path(context))"
        case .dataCorrupted(let context): return "unreadable at \(path(context)): \(context.debugDescription)"
        @unknown default: return "unreadable"
        }
    }
}
#endif
