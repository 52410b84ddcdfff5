import Foundation
import Testing
import VaporTesting
@testable import GonioServer

/// A local stand-in for the payment provider, speaking the same HTTP shape: it creates Checkout
/// Sessions (checking the secret key and the form Gonio sends) and, when a test "pays", gives
/// the signed webhook event a provider would send. Never the internet.
final class FakePaymentProvider: @unchecked Sendable {
    static let secretKey = "sk_test_gonio"
    static let webhookSecret = "whsec_test_gonio"

    struct Session { var id: String; var form: [String: String] }

    let app: Application
    private let lock = NSLock()
    private var sessions: [String: Session] = [:]
    private(set) var requests = 0
    var port = 0

    init(app: Application) { self.app = app }

    static func start() async throws -> FakePaymentProvider {
        let app = try await Application.make(.testing)
        let fake = FakePaymentProvider(app: app)
        app.post("v1", "checkout", "sessions") { req async throws -> Response in
            guard req.headers.bearerAuthorization?.token == secretKey else {
                return Response(status: .unauthorized, body: .init(string: #"{"error":{"message":"Invalid API Key"}}"#))
            }
            let form = Self.parseForm(req.body.string ?? "")
            guard form["mode"] == "payment", let amount = form["line_items[0][price_data][unit_amount]"], Int(amount) != nil,
                  form["metadata[invoice_id]"] != nil, form["success_url"] != nil, req.headers.first(name: "Idempotency-Key") != nil else {
                return Response(status: .badRequest, body: .init(string: #"{"error":{"message":"Missing parameter"}}"#))
            }
            let id = "cs_test_\(UUID().uuidString.prefix(8))"
            fake.lock.withLock {
                fake.sessions[id] = Session(id: id, form: form)
                fake.requests += 1
            }
            return try await ["id": id, "url": "http://127.0.0.1:\(fake.port)/pay/\(id)", "object": "checkout.session"].encodeResponse(for: req)
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        fake.port = try #require(app.http.server.shared.localAddress?.port)
        return fake
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    var lastSession: Session? { lock.withLock { sessions.values.first } }

    /// The `checkout.session.completed` event for a session, and its `Stripe-Signature` header
    /// (HMAC-SHA256 of "t.payload", computed here independently of Gonio's code).
    func paidEvent(_ session: Session, eventID: String = "evt_\(UUID().uuidString.prefix(12))", at time: Date = Date(),
                   secret: String = webhookSecret) -> (payload: String, signature: String) {
        let object: [String: Any] = [
            "id": session.id, "object": "checkout.session", "payment_status": "paid",
            "amount_total": Int(session.form["line_items[0][price_data][unit_amount]"] ?? "0") ?? 0,
            "currency": session.form["line_items[0][price_data][currency]"] ?? "usd",
            "client_reference_id": session.form["client_reference_id"] ?? "",
            "metadata": ["invoice_id": session.form["metadata[invoice_id]"] ?? ""],
        ]
        let event: [String: Any] = ["id": eventID, "type": "checkout.session.completed", "data": ["object": object]]
        let payload = String(decoding: try! JSONSerialization.data(withJSONObject: event, options: [.sortedKeys]), as: UTF8.self)
        let t = Int(time.timeIntervalSince1970)
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(t).\(payload)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return (payload, "t=\(t),v1=\(mac.map { String(format: "%02x", $0) }.joined())")
    }

    static func parseForm(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if kv.count == 2 { out[kv[0]] = kv[1] }
        }
        return out
    }
}
