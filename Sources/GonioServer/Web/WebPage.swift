import Vapor
import Leaf
import GonioCore

/// What every page's layout needs.
struct Layout: Encodable {
    struct NavUser: Encodable {
        var name: String
        var roleName: String
    }
    var title: String
    var user: NavUser?
    var csrf: String
    var notice: String?
    var error: String?
}

struct Page<Body: Encodable>: Encodable {
    var layout: Layout
    var page: Body
}

struct Empty: Encodable {}

enum WebPage {
    /// Renders `template` inside the shared layout with the given status.
    static func render<Body: Encodable>(
        _ req: Request, _ template: String, title: String, _ body: Body,
        notice: String? = nil, error: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        var notice = notice
        if notice == nil, req.storage[SignedOutKey.self] == true {
            notice = "You were signed out after a period without activity. Sign in again to continue."
        }
        let user = req.currentUser.map { Layout.NavUser(name: $0.name, roleName: $0.role.displayName) }
        let layout = Layout(title: title, user: user, csrf: req.csrfToken, notice: notice, error: error)
        let view = try await req.view.render(template, Page(layout: layout, page: body))
        let response = try await view.encodeResponse(for: req)
        response.status = status
        return response
    }

    /// Runs a form's action; when a rule refuses it (invalid input or a conflict), shows the
    /// page again with the message and the real status instead of an error page.
    static func submitting(_ action: () async throws -> Response,
                           orShow page: (_ message: String, _ status: HTTPResponseStatus) async throws -> Response) async throws -> Response {
        do {
            return try await action()
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await page(error.message, HTTPResponseStatus(domain: error))
        }
    }

    static func errorPage(_ req: Request, status: HTTPResponseStatus, message: String) async throws -> Response {
        struct ErrorContext: Encodable {
            var code: UInt
            var heading: String
            var message: String
        }
        let heading = switch status {
        case .notFound: "Page not found"
        case .forbidden: "Not allowed"
        case .tooManyRequests: "Too many attempts"
        case .internalServerError: "Something went wrong"
        default: status.reasonPhrase
        }
        return try await render(req, "error", title: heading,
                                ErrorContext(code: status.code, heading: heading, message: message), status: status)
    }
}

extension HTTPResponseStatus {
    /// The status a DomainError maps to, for re-rendering a form with the error.
    init(domain error: DomainError) {
        self = GonioErrorMiddleware.describe(error).0
    }
}
