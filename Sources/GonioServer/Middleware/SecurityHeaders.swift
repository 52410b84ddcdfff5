import Vapor
import GonioCore

/// Strict headers on every response (ARCHITECTURE.md security model). No third-party origins
/// are allowed anywhere: every script, style and image is Gonio's own.
struct SecurityHeaders: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: req)
        let h = response.headers
        func set(_ name: String, _ value: String) {
            if !h.contains(name: name) { response.headers.replaceOrAdd(name: name, value: value) }
        }
        set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            + "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
        set("X-Content-Type-Options", "nosniff")
        set("X-Frame-Options", "DENY")
        set("Referrer-Policy", "same-origin")
        set("Permissions-Policy", "camera=(self), microphone=(self), geolocation=()")
        set("Cross-Origin-Opener-Policy", "same-origin")
        if req.config.secureCookies { set("Strict-Transport-Security", "max-age=31536000; includeSubDomains") }
        // Pages and API answers may hold patient data: never cache them in shared caches.
        if !Paths.isAsset(req.url.path) {
            set("Cache-Control", "no-store")
        }
        return response
    }
}

