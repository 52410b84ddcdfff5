import Vapor
import GonioCore

/// CSRF protection for the web pages: every unsafe request carries a token, either the
/// session's (signed in) or a pre-session cookie's (sign-in and registration forms), in the
/// `_csrf` form field or the `X-CSRF-Token` header. SameSite=Lax cookies are a second line.
struct CSRFProtection: AsyncMiddleware {
    static let cookieName = "gonio_csrf"

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if ![.GET, .HEAD, .OPTIONS].contains(req.method) {
            // The body is whole by now: InputGuard collected it, within the app's limit and deadline.
            let expected = req.currentUser?.csrfToken ?? req.cookies[Self.cookieName]?.string ?? ""
            let provided = req.headers.first(name: "X-CSRF-Token") ?? (try? req.content.get(String.self, at: "_csrf")) ?? ""
            guard !expected.isEmpty, Secrets.constantTimeEqual(expected, provided) else {
                throw DomainError.forbidden("csrf-token-invalid", "This form has expired. Go back, reload the page and try again.")
            }
        }
        let response = try await next.respond(to: req)
        if let fresh = req.storage[FreshCSRFKey.self] {
            response.cookies[Self.cookieName] = HTTPCookies.Value(
                string: fresh, expires: nil, maxAge: 2 * 60 * 60, domain: nil, path: "/",
                isSecure: req.config.secureCookies, isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }
}

struct FreshCSRFKey: StorageKey { typealias Value = String }

extension Request {
    /// The token to put in forms on this page.
    var csrfToken: String {
        if let user = currentUser { return user.csrfToken }
        if let cookie = cookies[CSRFProtection.cookieName]?.string, !cookie.isEmpty { return cookie }
        if let fresh = storage[FreshCSRFKey.self] { return fresh }
        let token = Secrets.newToken()
        storage[FreshCSRFKey.self] = token
        return token
    }
}
