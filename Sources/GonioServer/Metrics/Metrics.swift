import Vapor
import Metrics
import Prometheus

/// Prometheus metrics. swift-metrics can be bootstrapped once per process, so the registry is
/// a process-wide constant; every Application in the process (tests make many) shares it.
enum GonioMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Configured maximum of database connections per event loop, and time to run a trivial query.
    static let poolMax = Gauge(label: "gonio_database_pool_max_connections_per_loop")
    static let dbPing = Metrics.Timer(label: "gonio_database_ping_duration_seconds")
    static let dbInUse = Gauge(label: "gonio_http_requests_in_flight")

    static func render() -> String {
        var buffer = [UInt8]()
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// Counts requests being served right now (each may hold a database connection).
struct InFlightRequests: AsyncMiddleware {
    private static let counter = ManagedAtomicCounter()

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        GonioMetrics.dbInUse.record(Self.counter.add(1))
        defer { GonioMetrics.dbInUse.record(Self.counter.add(-1)) }
        return try await next.respond(to: req)
    }
}

final class ManagedAtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func add(_ delta: Int) -> Int {
        lock.withLock {
            value += delta
            return value
        }
    }
}
