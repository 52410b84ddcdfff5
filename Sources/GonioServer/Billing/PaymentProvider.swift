import Vapor
import GonioCore

/// A card payment provider with the Stripe API's shape. Gonio never sees card data: it asks the
/// provider for a Checkout Session (server to server, over HTTPS, with an idempotency key), sends
/// the patient to the provider's page, and records the payment only when the provider's webhook
/// says the session was paid and its signature checks out. One event id is applied at most once.
struct StripeProvider {
    let settings: PaymentSettings
    let client: any Client

    struct Session: Sendable {
        var id: String
        var url: String
    }

    /// Creates a Checkout Session for what is owed on an invoice.
    func checkout(invoiceID: UUID, description: String, amount: Money, successURL: String, cancelURL: String,
                  idempotencyKey: String) async throws -> Session {
        var headers = HTTPHeaders()
        headers.bearerAuthorization = BearerAuthorization(token: settings.secretKey)
        headers.contentType = .urlEncodedForm
        headers.add(name: "Idempotency-Key", value: idempotencyKey)
        let form: [(String, String)] = [
            ("mode", "payment"), ("success_url", successURL), ("cancel_url", cancelURL),
            ("client_reference_id", invoiceID.uuidString), ("metadata[invoice_id]", invoiceID.uuidString),
            ("line_items[0][quantity]", "1"), ("line_items[0][price_data][currency]", amount.currency.lowercased()),
            ("line_items[0][price_data][unit_amount]", String(amount.minor)),
            ("line_items[0][price_data][product_data][name]", description),
        ]
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let response: ClientResponse
        do {
            response = try await client.post(URI(string: settings.apiBase + "/v1/checkout/sessions"), headers: headers) { req in
                req.body = ByteBuffer(string: body)
            }
        } catch {
            throw DomainError(.unavailable, code: "payments-unavailable", "The payment service could not be reached. Try again in a moment, or pay at the desk.")
        }
        struct Reply: Decodable { var id: String; var url: String? }
        guard response.status == .ok, let reply = try? response.content.decode(Reply.self), let url = reply.url, url.hasPrefix("http") else {
            throw DomainError(.unavailable, code: "payments-unavailable", "The payment service did not start the checkout (\(response.status.code)). Try again, or pay at the desk.")
        }
        return Session(id: reply.id, url: url)
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A verified `checkout.session.completed` event, paid.
    struct PaidEvent: Sendable, Equatable {
        var eventID: String
        var sessionID: String
        var invoiceID: UUID
        var amount: Money
    }

    /// Checks the `Stripe-Signature` header (`t=…,v1=…`: HMAC-SHA256 of "t.payload" with the
    /// webhook secret, within five minutes of now) and reads the event. Nil for an event Gonio
    /// does not act on (another type, or a session not paid).
    static func verify(payload: String, signature: String, secret: String, now: Date, tolerance: TimeInterval = 300) throws -> PaidEvent? {
        var timestamp: Int?
        var signatures: [String] = []
        for part in signature.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { continue }
            if kv[0] == "t" { timestamp = Int(kv[1]) }
            if kv[0] == "v1" { signatures.append(kv[1]) }
        }
        guard let timestamp, !signatures.isEmpty else {
            throw DomainError(.unauthenticated, code: "signature-invalid", "The webhook's signature header is missing or malformed.")
        }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else {
            throw DomainError(.unauthenticated, code: "signature-stale", "The webhook's timestamp is outside the tolerance.")
        }
        let expected = sign(payload: payload, timestamp: timestamp, secret: secret)
        guard signatures.contains(where: { constantTimeEqual($0, expected) }) else {
            throw DomainError(.unauthenticated, code: "signature-invalid", "The webhook's signature does not match.")
        }
        struct Event: Decodable {
            struct Data: Decodable { var object: Session }
            struct Session: Decodable {
                var id: String
                var client_reference_id: String?
                var amount_total: Int64?
                var currency: String?
                var payment_status: String?
                var metadata: [String: String]?
            }
            var id: String
            var type: String
            var data: Data
        }
        guard let event = try? JSONDecoder().decode(Event.self, from: Foundation.Data(payload.utf8)) else {
            throw DomainError.invalid("event-invalid", "The webhook's body is not an event.")
        }
        let session = event.data.object
        guard event.type == "checkout.session.completed", session.payment_status == "paid" else { return nil }
        guard let raw = session.metadata?["invoice_id"] ?? session.client_reference_id, let invoiceID = UUID(uuidString: raw),
              let total = session.amount_total, total > 0, let currency = session.currency else {
            throw DomainError.invalid("event-invalid", "The paid session does not name its invoice and amount.")
        }
        return PaidEvent(eventID: event.id, sessionID: session.id, invoiceID: invoiceID, amount: Money(minor: total, currency: currency.uppercased()))
    }

    /// The provider's signature: hex HMAC-SHA256 of "timestamp.payload".
    static func sign(payload: String, timestamp: Int, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).\(payload)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
