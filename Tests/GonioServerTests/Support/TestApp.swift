import Foundation
import Fluent
import SQLKit
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// Every test gets its own application and database: in-memory SQLite, or a schema of its own
/// in the PostgreSQL named by DATABASE_URL (so suites can run in parallel against one server).
/// Demo accounts are seeded with a cheap bcrypt cost; `history` adds the demo patients' care.
func withTestApp(
    seed: Bool = true, history: Bool = false, onDisk: Bool = false, clock: GonioClock? = nil, adjust: (inout AppConfig) -> Void = { _ in },
    _ body: (Application) async throws -> Void
) async throws {
    // On one shared PostgreSQL, cap how many tests hold connections at once.
    if usingPostgres { await PostgresSlots.shared.acquire() }
    defer { if usingPostgres { Task { await PostgresSlots.shared.release() } } }
    let app = try await Application.make(.testing)
    var config = AppConfig(passwordCost: 4)
    var schema: String?
    var directory: String?
    if onDisk {
        // A real file with WAL, as `gonio serve` uses: concurrent connections behave as in production.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gonio-test-\(UUID().uuidString)").path
        directory = dir
        config.database = .sqliteFile(dir + "/gonio.sqlite")
    }
    // Tests check what requests do, not how many the machine can serve: every suite runs at
    // once in one process, so a burst may wait long for its connection without being refused.
    config.databaseWait = 120
    // Likewise a request that waits its turn for the write lock while every other suite runs:
    // the server's idle timeout (15 s, counted while a handler works too) must not cut it. The
    // hardening tests set their own short timeout.
    config.idleTimeout = 120
    if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        schema = name
        config.database = .postgres(url: url)
        config.postgresSearchPath = [name]
        // Many tests run at once against one server: keep each one's pool small.
        config.databasePoolPerLoop = 1
    }
    adjust(&config)
    if let clock { app.clock = clock }
    defer { if let directory { try? FileManager.default.removeItem(atPath: directory) } }
    do {
        try await configure(app, config: config)
        try await prepareDatabase(app)
        if let schema, let sql = app.db as? any SQLDatabase {
            try await sql.raw("CREATE SCHEMA \(unsafeRaw: schema)").run()
        }
        try await app.autoMigrate()
        if seed { try await DemoSeed.seedIfEmpty(app.systemContext("seed"), history: history) }
        try await body(app)
    } catch {
        await dropSchema(schema, app)
        try? await app.asyncShutdown()
        throw error
    }
    await dropSchema(schema, app)
    try await app.asyncShutdown()
}

private func dropSchema(_ schema: String?, _ app: Application) async {
    guard let schema, let sql = app.db as? any SQLDatabase else { return }
    try? await sql.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run()
}

/// A counting semaphore for tests that talk to the shared PostgreSQL server.
actor PostgresSlots {
    static let shared = PostgresSlots(limit: 12)
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { free = limit }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

var usingPostgres: Bool { !(ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "").isEmpty }

enum Demo {
    static let admin = "admin@example.com"
    static let therapist = "therapist@example.com"
    static let unverified = "unverified@example.com"
    static let patient = "patient@example.com"
    static let patient2 = "patient2@example.com"
    /// Seeded with the history only: discharged, with a home maintenance program.
    static let patient3 = "patient3@example.com"
    static let caregiver = "caregiver@example.com"
    static let platform = "platform@example.com"
    static let everyone = [admin, therapist, unverified, patient, patient2, caregiver, platform]
}

struct TestResponse {
    var status: HTTPStatus
    var headers: HTTPHeaders
    var text: String

    var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    /// A list: a bare array, or the `items` of a page (`{"items": [...], "metadata": {...}}`).
    var array: [[String: Any]] { json as? [[String: Any]] ?? object["items"] as? [[String: Any]] ?? [] }
    var metadata: [String: Any] { object["metadata"] as? [String: Any] ?? [:] }
    var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(text.utf8))
    }
}

extension Application {
    /// Sends one request through the whole middleware stack.
    func send(
        _ method: HTTPMethod, _ path: String, token: String? = nil, json: [String: Any]? = nil,
        body: String? = nil, headers: HTTPHeaders = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if let token { headers.bearerAuthorization = .init(token: token) }
        var buffer: ByteBuffer?
        if let json {
            headers.contentType = .json
            buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        } else if let body {
            if headers.contentType == nil { headers.contentType = .json }
            buffer = ByteBuffer(string: body)
        }
        let response = try await testing().sendRequest(method, path, headers: headers, body: buffer)
        return TestResponse(status: response.status, headers: response.headers, text: response.body.string)
    }

    func token(_ email: String, password: String = DemoSeed.password) async throws -> String {
        let response = try await send(.POST, "/api/v1/auth/token", json: ["email": email, "password": password])
        #expect(response.status == .ok, "sign-in of \(email): \(response.text)")
        return response.object["token"] as? String ?? ""
    }

    func me(_ token: String) async throws -> [String: Any] {
        try await send(.GET, "/api/v1/me", token: token).object
    }

    func patientID(of email: String) async throws -> String {
        let token = try await token(email)
        return try await me(token)["patientId"] as? String ?? ""
    }

    func therapistID(of email: String) async throws -> String {
        let token = try await token(email)
        return try await me(token)["therapistId"] as? String ?? ""
    }
}

/// A date as `YYYY-MM-DD` in UTC, as forms and the API take it.
func isoDay(_ date: Date) -> String { CalendarDay(utc: date).description }

/// Collects what a command prints.
final class OutputBuffer: @unchecked Sendable {
    var out = ""
    var err = ""
}

/// A JSON object as text (to send from concurrent tasks).
func jsonText(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}
