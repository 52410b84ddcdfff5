import Foundation

/// JSON kept in text columns (intake answers, triage reasons, notes, measure answers): one
/// encoder with stable key order, so equal values store as equal text.
enum StoredJSON {
    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
