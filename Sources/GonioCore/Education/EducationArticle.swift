/// A condition article in our own words, one per protocol: what the condition is, what to
/// expect, how exercise helps, pain and flare-ups, and when to get help. Assigned with a plan
/// built from its protocol; the therapist sees whether it was read.
public struct EducationArticle: Codable, Sendable, Equatable {
    public struct Section: Codable, Sendable, Equatable {
        public var heading: String
        public var paragraphs: [String]
        /// Signs to act on the same day (only in "When to get help").
        public var urgent: [String]?
    }

    public var id: String
    /// The protocol it goes with.
    public var `protocol`: String
    public var title: String
    public var summary: String
    public var readingMinutes: Int
    public var sections: [Section]
    public var sources: [String]

    /// The sections every article has, in this order.
    public static let headings = ["What it is", "What to expect", "How exercise helps", "Pain and flare-ups", "When to get help"]

    public var wordCount: Int {
        var words = 0
        for section in sections {
            for text in section.paragraphs + (section.urgent ?? []) {
                words += text.split(whereSeparator: { $0 == " " || $0 == "\n" }).count
            }
        }
        return words
    }
}

public struct EducationLibrary: Sendable {
    public let articles: [EducationArticle]

    public init(_ articles: [EducationArticle], protocols: ProtocolLibrary) throws(ExerciseLibrary.ProblemList) {
        var problems: [ExerciseLibrary.Problem] = []
        for a in articles {
            func bad(_ m: String) { problems.append(.init(exerciseID: a.id, message: m)) }
            if protocols.protocol(id: a.protocol) == nil { bad("names no protocol: \(a.protocol)") }
            if a.sections.map(\.heading) != EducationArticle.headings { bad("must have the sections \(EducationArticle.headings.joined(separator: ", ")), in order") }
            if a.sections.contains(where: { $0.paragraphs.isEmpty || $0.paragraphs.contains { $0.trimmingWhitespace().count < 3 } }) { bad("every section needs text") }
            if a.sections.last?.urgent?.isEmpty != false { bad("'When to get help' must list urgent signs") }
            if !(150...700).contains(a.wordCount) { bad("must be 150 to 700 words (is \(a.wordCount))") }
            if a.sources.isEmpty { bad("must cite its sources") }
            if !(1...15).contains(a.readingMinutes) { bad("reading time must be 1 to 15 minutes") }
        }
        if Set(articles.map(\.id)).count != articles.count { problems.append(.init(exerciseID: "education", message: "article ids repeat")) }
        guard problems.isEmpty else { throw ExerciseLibrary.ProblemList(problems: problems) }
        self.articles = articles.sorted { $0.title < $1.title }
    }

    public func article(id: String) -> EducationArticle? { articles.first { $0.id == id } }
    public func forProtocol(_ id: String) -> EducationArticle? { articles.first { $0.protocol == id } }
}

#if canImport(Foundation)
import Foundation

extension EducationLibrary {
    /// The articles from their files (one JSON object each).
    public static func load(files: [(name: String, data: Data)], protocols: ProtocolLibrary) throws -> EducationLibrary {
        var all: [EducationArticle] = []
        for file in files {
            do {
                all.append(try JSONDecoder().decode(EducationArticle.self, from: file.data))
            } catch let error as DecodingError {
                throw ExerciseLibrary.ProblemList(problems: [.init(exerciseID: file.name, message: ExerciseLibrary.describe(error))])
            }
        }
        return try EducationLibrary(all, protocols: protocols)
    }
}
#endif
