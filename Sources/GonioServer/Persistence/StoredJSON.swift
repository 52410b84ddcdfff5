import Foundation

/// A Codable value kept as JSON text in one column (intake answers, triage reasons, notes,
/// measure answers). It encodes itself as a single string, so Fluent stores it as text on both
/// SQLite and PostgreSQL, and models read and write the typed value, never JSON by hand. One
/// encoder with sorted keys, so equal values store as equal text.
struct StoredJSON<Value: Codable & Sendable>: Codable, Sendable {
    var value: Value

    init(_ value: Value) {
        self.value = value
    }

    private static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        value = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(decoding: try Self.encoder.encode(value), as: UTF8.self))
    }
}

extension StoredJSON: Equatable where Value: Equatable {}
