import Foundation
import Logging
import AsyncHTTPClient
import Testing
import VaporTesting
@testable import GonioServer
#if canImport(Glibc)
import Glibc
#endif

extension Application {
    /// Runs the real HTTP server on a free port for `body`: requests arrive over sockets, from
    /// 127.0.0.1, concurrently, as in production.
    func running<T>(_ body: (Int) async throws -> T) async throws -> T {
        try await server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(http.server.shared.localAddress?.port)
        do {
            let result = try await body(port)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }

    /// One request to the running server on `port`.
    func live(_ method: HTTPMethod, port: Int, _ path: String, token: String? = nil, json: [String: Any]? = nil,
              body: String? = nil, headers: HTTPHeaders = [:]) async throws -> TestResponse {
        var headers = headers
        if let token { headers.bearerAuthorization = .init(token: token) }
        // A new connection each time: servers in tests come and go on reused port numbers.
        headers.replaceOrAdd(name: .connection, value: "close")
        var buffer: ByteBuffer?
        if let json {
            headers.contentType = .json
            buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        } else if let body {
            if headers.contentType == nil { headers.contentType = .json }
            buffer = ByteBuffer(string: body)
        }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers = headers
        if let buffer { request.body = .bytes(buffer) }
        let response = try await LiveClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 10 << 20)
        return TestResponse(status: response.status, headers: response.headers, text: String(buffer: body))
    }
}

/// One HTTP client for every test that talks to a running server, with room for bursts of
/// concurrent requests (races send fifty at once).
enum LiveClient {
    static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.timeout = .init(connect: .seconds(30), read: .seconds(60))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}

extension Application {
}

/// A bare TCP connection, for clients that misbehave on purpose (slow, half-finished requests).
final class RawConnection {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(fd) }

    func send(_ text: String) {
        _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Everything the server sends until it closes the connection or `seconds` pass; `closed`
    /// says whether it closed.
    func readUntilClosed(within seconds: Double) -> (text: String, closed: Bool) {
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received = [UInt8]()
        let deadline = Date().addingTimeInterval(seconds)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if n > 0 { received += chunk[0..<n] }
        }
        return (String(decoding: received, as: UTF8.self), false)
    }
}

/// Collects every log line an application writes, message and metadata, for searching.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    private var messages: [(String, Logger.Metadata)] = []

    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    /// How many SQL statements were logged ("Executing query").
    var queryCount: Int { lock.withLock { messages.count { $0.0 == "Executing query" } } }

    func reset() { lock.withLock { lines = []; messages = [] } }

    func append(_ message: String, _ metadata: Logger.Metadata) {
        lock.withLock {
            lines.append("\(message) \(metadata.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
            messages.append((message, metadata))
        }
    }

    func logger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "capture") { _ in CaptureHandler(capture: self) }
        logger.logLevel = level
        return logger
    }

    struct CaptureHandler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
                 source: String, file: String, function: String, line: UInt) {
            capture.append(message.description, metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }))
        }
    }
}
