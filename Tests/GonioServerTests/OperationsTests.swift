import Foundation
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

@Suite struct OperationsTests {
    @Test func healthReportsTheDatabase() async throws {
        try await withTestApp(seed: false) { app in
            let r = try await app.send(.GET, "/health")
            #expect(r.status == .ok)
            #expect(r.object["status"] as? String == "ok")
            #expect(r.object["database"] as? String == (usingPostgres ? "postgres" : "sqlite"))
        }
    }

    @Test func metricsCountRequestsByRoute() async throws {
        try await withTestApp(seed: false) { app in
            _ = try await app.send(.GET, "/health")
            let r = try await app.send(.GET, "/metrics")
            #expect(r.status == .ok)
            #expect(r.text.contains("# TYPE http_requests_total counter"))
            #expect(r.text.contains("path=\"/health\""))
            #expect(r.text.contains("http_request_duration_seconds"))
            #expect(r.text.contains("gonio_database_pool_max_connections_per_loop"))
        }
    }

    @Test func openAPIDocumentIsServedAndNamesTheRoutes() async throws {
        try await withTestApp(seed: false) { app in
            let r = try await app.send(.GET, "/api/v1/openapi.json")
            #expect(r.status == .ok)
            #expect(r.object["openapi"] as? String == "3.1.0")
            let paths = r.object["paths"] as? [String: Any] ?? [:]
            for path in ["/api/v1/auth/token", "/api/v1/me", "/api/v1/patients", "/api/v1/patients/{patientId}", "/api/v1/audit"] {
                #expect(paths[path] != nil, "\(path) is documented")
            }
        }
    }

    /// Every API route the app registers is in the OpenAPI document, with its method: the
    /// document cannot fall behind the routes.
    @Test func theOpenAPIDocumentCoversEveryAPIRoute() async throws {
        try await withTestApp(seed: false) { app in
            let spec = try await app.send(.GET, "/api/v1/openapi.json").object
            let paths = spec["paths"] as? [String: [String: Any]] ?? [:]
            func shape(_ path: String) -> String {
                path.replacingOccurrences(of: "\\{[^}]+\\}", with: "{}", options: .regularExpression)
            }
            var documented: [String: Set<String>] = [:]
            for (path, operations) in paths {
                documented[shape(path), default: []].formUnion(operations.keys.map { $0.uppercased() })
                // A query value with control characters is refused with 422 (InputGuard): every
                // operation that takes a query says so.
                for (method, operation) in operations {
                    guard let operation = operation as? [String: Any] else { continue }
                    let parameters = operation["parameters"] as? [[String: Any]] ?? []
                    if parameters.contains(where: { $0["in"] as? String == "query" }) {
                        let responses = operation["responses"] as? [String: Any] ?? [:]
                        #expect(responses["422"] != nil, "\(method) \(path) documents 422 for a bad query")
                    }
                }
            }
            let routes = app.routes.all.filter { $0.path.first?.description == "api" }
            #expect(routes.count >= 50)
            for route in routes {
                let path = "/" + route.path.map { component -> String in
                    if case .parameter = component { return "{}" }
                    return component.description
                }.joined(separator: "/")
                #expect(documented[path]?.contains(route.method.rawValue) == true, "\(route.method) \(path) is documented")
            }
        }
    }

    @Test func everyResponseCarriesSecurityHeadersAndARequestID() async throws {
        try await withTestApp(seed: false) { app in
            for path in ["/", "/health", "/api/v1/me", "/nope"] {
                let r = try await app.send(.GET, path)
                #expect(r.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(path)")
                #expect(r.headers.first(name: "X-Frame-Options") == "DENY")
                #expect(r.headers.first(name: "Content-Security-Policy") != nil)
                #expect(r.headers.first(name: "X-Request-Id") != nil)
            }
        }
    }

    @Test func oversizedBodiesAreRefused() async throws {
        try await withTestApp(seed: false) { app in
            // Limits apply to streamed bodies, so this runs a real server on a free port.
            let big = "{\"email\":\"" + String(repeating: "a", count: 2_000_000) + "\",\"password\":\"x\"}"
            let port = Int.random(in: 20_000...40_000)
            let r = try await app.testing(method: .running(hostname: "127.0.0.1", port: port)).sendRequest(
                .POST, "/api/v1/auth/token", headers: ["Content-Type": "application/json"], body: ByteBuffer(string: big))
            #expect(r.status == .payloadTooLarge)
        }
    }
}

@Suite struct ConfigTests {
    @Test func developmentDefaults() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        let config = try AppConfig.fromEnvironment(["GONIO_DATA_DIR": dir])
        #expect(config.database == .sqliteFile(dir + "/gonio.sqlite"))
        #expect(config.hostname == "127.0.0.1" && config.port == 8080)
        #expect(config.seedDemoData && !config.isProduction)
        #expect(config.sessionPolicy == .standard)
        let again = try AppConfig.fromEnvironment(["GONIO_DATA_DIR": dir])
        #expect(again.secret == config.secret, "the development secret is kept")
    }

    @Test func environmentOverrides() throws {
        let config = try AppConfig.fromEnvironment([
            "HOST": "0.0.0.0", "PORT": "9000", "DATABASE_URL": "postgres://u:p@db:5432/gonio", "GONIO_SECRET": String(repeating: "s", count: 40),
            "GONIO_SESSION_IDLE_MINUTES": "15", "GONIO_SEED_DEMO": "0", "GONIO_PT_COMPACT_STATES": "CO,UT", "GONIO_PT_COMPACT_AS_OF": "2026-06-01",
        ])
        #expect(config.hostname == "0.0.0.0" && config.port == 9000)
        #expect(config.database.kindName == "postgres")
        #expect(config.sessionPolicy.idleTimeout == 900)
        #expect(!config.seedDemoData)
        #expect(config.compact.members == [try Jurisdiction("CO"), try Jurisdiction("UT")])
    }

    @Test(arguments: [
        ["GONIO_ENV": "production"],
        ["GONIO_ENV": "production", "GONIO_SECRET": String(repeating: "s", count: 40), "GONIO_PUBLIC_URL": "https://x.org"],
        ["GONIO_ENV": "production", "GONIO_SECRET": String(repeating: "s", count: 40), "DATABASE_URL": "postgres://a@b/c"],
        ["GONIO_ENV": "production", "GONIO_SECRET": String(repeating: "s", count: 40), "DATABASE_URL": "postgres://a@b/c",
         "GONIO_PUBLIC_URL": "http://pt.example.org"],
        ["GONIO_SECRET": "too-short"],
        ["PORT": "eighty"],
        ["PORT": "70000"],
        ["DATABASE_URL": "mysql://x"],
        ["GONIO_SESSION_IDLE_MINUTES": "-5"],
        ["GONIO_PT_COMPACT_STATES": "CO,Atlantis"],
    ])
    func badOrMissingSettingsStopStartUp(env: [String: String]) {
        var env = env
        env["GONIO_DATA_DIR"] = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        #expect(throws: AppConfig.Problem.self) { try AppConfig.fromEnvironment(env) }
    }

    @Test func productionWithItsSecretsStartsAndNeverSeeds() throws {
        let config = try AppConfig.fromEnvironment([
            "GONIO_ENV": "production", "GONIO_SECRET": String(repeating: "s", count: 40),
            "DATABASE_URL": "postgres://a@b/c", "GONIO_PUBLIC_URL": "https://pt.example.org",
        ])
        #expect(config.isProduction && !config.seedDemoData && config.secureCookies && config.jsonLogs)
    }
}
