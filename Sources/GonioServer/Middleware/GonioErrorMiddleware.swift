import Vapor
import GonioCore
import Leaf
import Fluent

/// The one place errors become responses. JSON for the API (`{"error":{"code","message"}}`),
/// an error page for the web; the real status is kept; internal details never reach clients.
struct GonioErrorMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: req)
        } catch {
            var (status, code, message) = Self.describe(error)
            var headers = HTTPHeaders()
            // Headers an error carries (the `Allow` of a 405) reach the client.
            if let abort = error as? any AbortError, !(error is DomainError) {
                for (name, value) in abort.headers where name.lowercased() == "allow" { headers.replaceOrAdd(name: name, value: value) }
            }
            if error is RouteNotFound {
                let allowed = Self.methodsAllowed(at: req.url.path, in: req.application.routes)
                if !allowed.isEmpty {
                    headers.replaceOrAdd(name: .allow, value: allowed.joined(separator: ", "))
                    (status, code, message) = (.methodNotAllowed, "method-not-allowed", "Use \(allowed.joined(separator: " or ")) on this path.")
                }
            }
            if status == .internalServerError {
                req.logger.error("unhandled error", metadata: ["error-type": .string(String(reflecting: type(of: error)))])
            } else {
                req.logger.info("request refused", metadata: ["status": .stringConvertible(status.code), "code": .string(code)])
            }
            if let wait = (error as? DomainError)?.retryAfter {
                headers.replaceOrAdd(name: .retryAfter, value: String(wait))
            } else if status == .serviceUnavailable {
                headers.replaceOrAdd(name: .retryAfter, value: "5")
            }
            if status == .unauthorized, Paths.isAPI(req.url.path) {
                headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer realm=\"gonio\"")
            }
            if req.wantsHTML {
                if status == .unauthorized {
                    let next = InputRules.localRedirectPath(req.url.path) ?? Paths.dashboard()
                    return WebPage.seeOther(Paths.login(query: ["next": next]))
                }
                if let page = try? await WebPage.errorPage(req, status: status, message: message) {
                    page.status = status
                    headers.forEach { page.headers.replaceOrAdd(name: $0.name, value: $0.value) }
                    return page
                }
            }
            let response = Response(status: status, headers: headers)
            try response.content.encode(ErrorBody(error: .init(code: code, message: message)), as: .json)
            return response
        }
    }

    /// The methods registered for a path. Like the router, a constant segment wins over a
    /// parameter at the same position (`/notes/template` is not `/notes/:noteID`).
    static func methodsAllowed(at path: String, in routes: Routes) -> [String] {
        let segments = path.split(separator: "/").map(String.init)
        var candidates = routes.all.filter { route in
            route.path.count == segments.count && zip(route.path, segments).allSatisfy { component, segment in
                switch component {
                case .constant(let c): c == segment
                case .parameter, .anything, .catchall: true
                }
            }
        }
        for (index, segment) in segments.enumerated() {
            let exact = candidates.filter { if case .constant(segment) = $0.path[index] { true } else { false } }
            if !exact.isEmpty { candidates = exact }
        }
        return Array(Set(candidates.map(\.method.rawValue))).sorted()
    }

    static func describe(_ error: any Error) -> (HTTPResponseStatus, String, String) {
        switch error {
        case let e as DomainError:
            let status: HTTPResponseStatus = switch e.kind {
            case .invalid: .unprocessableEntity
            case .notFound: .notFound
            case .forbidden: .forbidden
            case .conflict: .conflict
            case .unauthenticated: .unauthorized
            case .rateLimited: .tooManyRequests
            case .unavailable: .serviceUnavailable
            }
            return (status, e.code, e.message)
        case let e as DecodingError:
            return describe(decoding: e)
        case let e as AbortError:
            if e.status == .internalServerError { return (e.status, "internal", "Something went wrong on our side.") }
            let code = e.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "-")
            let message = e.status == .badRequest && e.reason.contains("Decod") ? "The request body could not be read." : e.reason
            return (e.status, code, message)
        case is ConnectionPoolTimeoutError:
            // Every database connection stayed busy: say so, rather than fail as if broken.
            return (.serviceUnavailable, "busy", "Gonio is busy right now. Try again in a moment.")
        default:
            if let refusal = DatabaseRefusal.domainError(error) { return describe(refusal) }
            return (.internalServerError, "internal", "Something went wrong on our side.")
        }
    }

    static func describe(decoding e: DecodingError) -> (HTTPResponseStatus, String, String) {
        func path(_ ctx: DecodingError.Context) -> String {
            let p = ctx.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "the body" : "'\(p)'"
        }
        switch e {
        case .keyNotFound(let key, let ctx):
            let full = (ctx.codingPath + [key]).map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return (.unprocessableEntity, "field-missing", "The field '\(full)' is required.")
        case .valueNotFound(_, let ctx):
            return (.unprocessableEntity, "field-missing", "A value for \(path(ctx)) is required.")
        case .typeMismatch(let type, let ctx):
            return (.unprocessableEntity, "field-type", "\(path(ctx)) must be \(Self.typeName(type)).")
        case .dataCorrupted(let ctx):
            if ctx.codingPath.isEmpty {
                return (.badRequest, "malformed-body", "The request body is not valid JSON or form data.")
            }
            return (.unprocessableEntity, "field-invalid", "\(path(ctx)) has an invalid value.")
        @unknown default:
            return (.badRequest, "malformed-body", "The request body could not be read.")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is UUID.Type: "an id"
        case is Date.Type: "a date-time"
        default: String(describing: type).hasPrefix("Array") ? "a list" : "an object"
        }
    }
}
