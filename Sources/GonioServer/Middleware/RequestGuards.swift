import Vapor
import GonioCore

/// Settles the request's id: the client's `X-Request-Id` only if short and well-formed
/// (`InputRules.acceptableRequestID`), otherwise a new one. Logs and audit entries carry it,
/// and the response returns it.
struct RequestIdentity: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let id = InputRules.acceptableRequestID(req.headers.first(name: .xRequestId)) ?? UUID().uuidString
        req.storage[RequestIDKey.self] = id
        req.logger[metadataKey: "request-id"] = .string(id)
        let response = try await next.respond(to: req)
        response.headers.replaceOrAdd(name: .xRequestId, value: id)
        return response
    }
}

/// The last word on every response: a header value holding CR, LF or NUL would split the
/// response or smuggle a header (`Set-Cookie`), so it is dropped, whatever wrote it.
struct HeaderGuard: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: req)
        let unsafe = response.headers.filter { name, value in
            name.utf8.contains { $0 < 0x21 || $0 == 0x7f } || value.utf8.contains { $0 == 0x0d || $0 == 0x0a || $0 == 0x00 }
        }
        for (name, _) in unsafe {
            response.headers.remove(name: name)
            req.logger.error("dropped a response header holding a line break", metadata: ["header": .string(String(name.prefix(40)))])
        }
        return response
    }
}

/// Checks input before any route reads it:
/// - a path with a segment over 255 bytes, or over 2,048 bytes in all, names nothing here: 404
///   (the file system would refuse it and the lookup answered 500);
/// - a query string with a control character is refused (422);
/// - a body still arriving `bodyTimeout` seconds after the request's head is refused (408), so a
///   client cannot hold a request open by trickling less than its Content-Length.
/// Text inside bodies is checked as it is decoded (`TextCheckingDecoder`).
struct InputGuard: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = req.url.path
        guard path.utf8.count <= 2048, !path.split(separator: "/").contains(where: { $0.utf8.count > 255 }) else {
            throw DomainError.notFound("not-found", "There is nothing at this address.")
        }
        if let decodedPath = path.removingPercentEncoding, InputRules.hasControlCharacter(decodedPath, allowingLineBreaks: false) {
            throw DomainError.notFound("not-found", "There is nothing at this address.")
        }
        if let query = req.url.query {
            let decoded = query.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? query
            guard !InputRules.hasControlCharacter(decoded, allowingLineBreaks: false) else { throw Self.refusal }
        }
        if req.body.data == nil, req.method != .GET, req.method != .HEAD {
            try await collectBody(req)
        }
        return try await next.respond(to: req)
    }

    static let refusal = DomainError.invalid("control-character", "The request holds a control character (such as NUL) that no field accepts.")

    /// Waits for the whole body, at most the app's body limit, and at most the body timeout.
    private func collectBody(_ req: Request) async throws {
        // Media uploads (pictures, videos) may be larger than any other body.
        let max = req.method == .POST && Paths.allowsLargeBody(req.url.path)
            ? req.application.gonioConfig.mediaMaxBytes : req.application.routes.defaultMaxBodySize.value
        let seconds = req.application.gonioConfig.bodyTimeout
        let promise = req.eventLoop.makePromise(of: Void.self)
        let settled = OnceFlag()
        req.body.collect(max: max).whenComplete { result in
            guard settled.set() else { return }
            switch result {
            case .success: promise.succeed(())
            case .failure(let error): promise.fail(error)
            }
        }
        let timer = req.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
            guard settled.set() else { return }
            promise.fail(Abort(.requestTimeout, reason: "The request body did not arrive in time."))
        }
        defer { timer.cancel() }
        try await promise.futureResult.get()
    }

    /// Whether any text in a decoded value (strings, dictionary keys, nested values) holds a
    /// control character other than tab and line breaks.
    static func holdsControlCharacter(_ value: Any) -> Bool {
        switch value {
        case let text as String: return InputRules.hasControlCharacter(text, allowingLineBreaks: true)
        // Leaves without text, and lists of numbers (measure answers), need no walk.
        case is Double, is Int, is Bool, is UUID, is Date, is [Double?], is [Double], is [Int]: return false
        default: return Mirror(reflecting: value).children.contains { holdsControlCharacter($0.value) }
        }
    }
}

/// Decodes a request body as usual, then refuses it (422) if any text the app reads holds a
/// control character: NUL and the like never reach a database (PostgreSQL refuses NUL in
/// text). Fields the app does not read are ignored, as the API contract says.
struct TextCheckingDecoder: ContentDecoder {
    let inner: any ContentDecoder

    func decode<D: Decodable>(_ decodable: D.Type, from body: ByteBuffer, headers: HTTPHeaders) throws -> D {
        try decode(decodable, from: body, headers: headers, userInfo: [:])
    }

    func decode<D: Decodable>(_ decodable: D.Type, from body: ByteBuffer, headers: HTTPHeaders,
                              userInfo: [CodingUserInfoKey: any Sendable]) throws -> D {
        let value = try inner.decode(decodable, from: body, headers: headers, userInfo: userInfo)
        if InputGuard.holdsControlCharacter(value) { throw InputGuard.refusal }
        return value
    }
}

/// True the first time `set` is called, false after: settles a race between two callbacks.
final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func set() -> Bool {
        lock.withLock {
            defer { done = true }
            return !done
        }
    }
}

/// Serves Gonio's own static files (`/css/`, `/js/`, `/img/`) and nothing else from disk, so no
/// other path costs a file-system look-up.
struct PublicFiles: AsyncMiddleware {
    let files: FileMiddleware

    init(publicDirectory: String) {
        files = FileMiddleware(publicDirectory: publicDirectory, defaultFile: nil)
    }

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard req.method == .GET || req.method == .HEAD, Paths.isAsset(req.url.path) else {
            return try await next.respond(to: req)
        }
        return try await files.respond(to: req, chainingTo: next)
    }
}
