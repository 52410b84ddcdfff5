import Vapor
import NIOConcurrencyHelpers
import GonioCore

/// The exercise library, condition protocols and condition articles Gonio ships, read from `Resources/` once at
/// start-up and checked there: a broken file stops the server with every problem named, rather
/// than serving a library with holes.
struct ClinicalContent: Sendable {
    let exercises: ExerciseLibrary
    let protocols: ProtocolLibrary
    let education: EducationLibrary

    /// Read once per process and directory: the files do not change while Gonio runs, and
    /// tests start many applications.
    private static let loaded = NIOLockedValueBox<[String: ClinicalContent]>([:])

    static func load(resourcesDirectory: String) throws -> ClinicalContent {
        try loaded.withLockedValue { cache in
            if let content = cache[resourcesDirectory] { return content }
            let content = try read(resourcesDirectory)
            cache[resourcesDirectory] = content
            return content
        }
    }

    private static func read(_ resourcesDirectory: String) throws -> ClinicalContent {
        func files(_ folder: String) throws -> [(name: String, data: Data)] {
            let dir = URL(fileURLWithPath: resourcesDirectory).appendingPathComponent(folder)
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
            return try names.map { ($0, try Data(contentsOf: dir.appendingPathComponent($0))) }
        }
        let exercises = try ExerciseLibrary.load(files: try files("Exercises"))
        let protocols = try ProtocolLibrary.load(files: try files("Protocols"), exercises: exercises)
        return ClinicalContent(exercises: exercises, protocols: protocols,
                               education: try EducationLibrary.load(files: try files("Education"), protocols: protocols))
    }
}

struct ClinicalContentKey: StorageKey { typealias Value = ClinicalContent }

extension Application {
    var clinicalContent: ClinicalContent {
        get {
            guard let content = storage[ClinicalContentKey.self] else { fatalError("configure(_:config:) loads the clinical content first") }
            return content
        }
        set { storage[ClinicalContentKey.self] = newValue }
    }
}
