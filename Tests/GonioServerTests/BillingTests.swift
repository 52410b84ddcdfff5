import Foundation
import Testing
import VaporTesting
import Fluent
@testable import GonioServer
@testable import GonioCore

/// Invoices, payments, coverage and the RTM ledger: who may, the flows, and money that never
/// counts twice.
@Suite struct BillingTests {
    @Test func whoSeesTheMoney() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient), james = try await app.patientID(of: Demo.patient2)
            let own = try await app.send(.GET, "/api/v1/patients/\(maria)/invoices", token: try await app.token(Demo.patient))
            #expect(own.status == .ok && own.array.count == 2)
            #expect(Set(own.array.compactMap { $0["status"] as? String }) == ["paid", "open"])
            #expect(own.array.allSatisfy { ($0["number"] as? String)?.hasPrefix("INV-") == true && $0["total"] as? String == "$18.52" })
            let admin = try await app.token(Demo.admin)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/invoices", token: admin).array.count == 2)
            let package = try await app.send(.GET, "/api/v1/patients/\(james)/invoices", token: admin).array.first
            #expect(package?["balance"] as? String == "$320.00" && (package?["payments"] as? [[String: Any]])?.first?["method"] as? String == "cash")
            // Others: James and outsiders are told nothing exists; the care team's therapist and a
            // caregiver are refused (they see the record, not the money).
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/invoices", token: try await app.token(Demo.patient2)).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/invoices", token: try await app.token(Demo.platform)).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/invoices", token: try await app.token(Demo.therapist)).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/invoices", token: try await app.token(Demo.caregiver)).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/invoices").status == .unauthorized)
        }
    }

    @Test func paymentsAndRefundsKeepTheBalance() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            let admin = try await app.token(Demo.admin)
            let open = try #require(try await app.send(.GET, "/api/v1/patients/\(maria)/invoices", token: admin).array.first { $0["status"] as? String == "open" })
            let invoice = try #require(open["id"] as? String)
            let path = "/api/v1/invoices/\(invoice)/payments"
            let patientTry = try await app.send(.POST, path, token: try await app.token(Demo.patient), json: ["amount": "18.52", "method": "cash"])
            #expect(patientTry.status == .forbidden)
            #expect(try await app.send(.POST, path, token: admin, json: ["amount": "20", "method": "cash"]).errorCode == "payment-too-large")
            #expect(try await app.send(.POST, path, token: admin, json: ["amount": "18.521", "method": "cash"]).errorCode == "amount-invalid")
            #expect(try await app.send(.POST, path, token: admin, json: ["amount": "5", "method": "card"]).errorCode == "method-invalid")
            let id = UUID().uuidString
            let paid = try await app.send(.POST, path, token: admin, json: ["id": id, "amount": "18.52", "method": "cheque", "reference": "No. 1042"])
            #expect(paid.status == .created && paid.object["status"] as? String == "paid" && paid.object["balanceMinor"] as? Int == 0)
            let retry = try await app.send(.POST, path, token: admin, json: ["id": id, "amount": "18.52", "method": "cheque", "reference": "No. 1042"])
            #expect(retry.status == .ok && (retry.object["payments"] as? [Any])?.count == 1, "a retry is answered, not kept twice")
            #expect(try await app.send(.POST, path, token: admin, json: ["id": id, "amount": "", "method": "cheque"]).errorCode == "amount-invalid")
            #expect(try await app.send(.POST, path, token: admin, json: ["id": id, "amount": "10", "method": "cheque"]).errorCode == "payment-id-used")
            #expect(try await app.send(.POST, path, token: admin, json: ["amount": "1", "method": "cash"]).errorCode == "invoice-paid")
            let refund = try await app.send(.POST, path, token: admin, json: ["amount": "8.52", "method": "refund"])
            #expect(refund.object["status"] as? String == "open" && refund.object["balance"] as? String == "$8.52")
            #expect(try await app.send(.POST, path, token: admin, json: ["amount": "10.01", "method": "refund"]).errorCode == "refund-too-large")
            #expect(try await app.send(.POST, "/api/v1/invoices/\(UUID())/payments", token: admin, json: ["amount": "1", "method": "cash"]).status == .notFound)
            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$action == "payment.record").filter(\.$outcome == .allowed).count()
            #expect(audit >= 3)
            // A new invoice from the desk, numbered in the clinic's sequence.
            let issued = try await app.send(.POST, "/api/v1/patients/\(maria)/invoices", token: admin, json: [
                "description": "Home program subscription, December", "lines": [["description": "Monthly access", "unitMinor": 4900]]])
            #expect(issued.status == .created && issued.object["total"] as? String == "$49.00")
            let again = try await app.send(.POST, "/api/v1/patients/\(maria)/invoices", token: admin, json: [
                "description": "Band", "lines": [["description": "Resistance band", "unitMinor": 900]]])
            let numbers = [issued, again].compactMap { ($0.object["number"] as? String).flatMap { Int($0.suffix(4)) } }
            #expect(numbers.count == 2 && numbers[1] == numbers[0] + 1 && (issued.object["number"] as? String)?.hasPrefix("INV-20") == true)
            #expect(try await app.send(.POST, "/api/v1/patients/\(maria)/invoices", token: admin, json: ["description": "x", "lines": []]).errorCode == "lines-invalid")
            #expect(try await app.send(.POST, "/api/v1/patients/\(maria)/invoices", token: admin,
                                       json: ["description": "x", "lines": [["description": "y", "code": String(repeating: "0", count: 41), "unitMinor": 1]]]).errorCode == "lines-invalid")
            #expect(try await app.send(.POST, "/api/v1/patients/\(maria)/invoices", token: try await app.token(Demo.therapist),
                                       json: ["description": "x", "lines": [["description": "y", "unitMinor": 1]]]).status == .forbidden)
        }
    }

    @Test func twentyPaymentsOfTheLastDollarCountOnce() async throws {
        try await withTestApp(history: true, onDisk: true) { app in
            try await app.running { port in
                let maria = try await app.patientID(of: Demo.patient)
                let admin = try await app.token(Demo.admin)
                let open = try await app.live(.GET, port: port, "/api/v1/patients/\(maria)/invoices", token: admin).array.first { $0["status"] as? String == "open" }
                let invoice = try #require(open?["id"] as? String)
                let statuses = try await ConcurrencyTests.atOnce(20) { _ in
                    try await app.live(.POST, port: port, "/api/v1/invoices/\(invoice)/payments", token: admin, json: ["amount": "18.52", "method": "cash"])
                }
                #expect(statuses.count { $0 == 201 } == 1 && statuses.allSatisfy { $0 == 201 || $0 == 409 }, "\(statuses)")
                let after = try await app.live(.GET, port: port, "/api/v1/patients/\(maria)/invoices", token: admin).array.first { $0["id"] as? String == invoice }
                #expect(after?["paidMinor"] as? Int == 1852 && (after?["payments"] as? [Any])?.count == 1)
            }
        }
    }

    @Test func coverageIsReadByThePatientAndKeptByTheDesk() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            let mine = try await app.send(.GET, "/api/v1/patients/\(maria)/coverage", token: try await app.token(Demo.patient))
            let primary = try #require(mine.array.first)
            #expect(primary["rank"] as? String == "primary" && (primary["coverage"] as? [String: Any])?["payerKind"] as? String == "medicare")
            // $2,250 from elsewhere this year and her coded video visit here ($186): $44 short of
            // $2,480, so her next visit will need KX.
            #expect(primary["kxApplies"] as? Bool == false && primary["therapyThreshold"] as? String == "$2,480.00", "\(primary)")
            #expect(primary["medicareRunningTotal"] as? String == "$2,436.00")
            let admin = try await app.token(Demo.admin)
            let secondary: [String: Any] = ["payerKind": "commercial", "payerName": "Blue Harbor PPO", "memberId": "BHP-99812",
                                            "subscriberName": "Maria Lopez", "relationship": "self", "copayMinor": 2500, "eligibility": "unverified"]
            // Who checked eligibility is Gonio's to say, from the person saving it.
            #expect((primary["coverage"] as? [String: Any])?["eligibilityCheckedBy"] as? String == "Priya Natarajan")
            var claimed = secondary
            claimed["eligibilityCheckedBy"] = "Someone Else"
            let saved = try await app.send(.PUT, "/api/v1/patients/\(maria)/coverage/secondary", token: admin, json: claimed)
            #expect(saved.status == .ok && saved.object["rank"] as? String == "secondary")
            #expect((saved.object["coverage"] as? [String: Any])?["eligibilityCheckedBy"] as? String == "Priya Natarajan")
            var bad = secondary
            bad["coinsurancePercent"] = 150
            #expect(try await app.send(.PUT, "/api/v1/patients/\(maria)/coverage/secondary", token: admin, json: bad).errorCode == "coverage-invalid")
            #expect(try await app.send(.PUT, "/api/v1/patients/\(maria)/coverage/tertiary", token: admin, json: secondary).status == .notFound)
            #expect(try await app.send(.PUT, "/api/v1/patients/\(maria)/coverage/primary", token: try await app.token(Demo.patient), json: secondary).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/coverage", token: admin).array.count == 2)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/coverage", token: try await app.token(Demo.patient2)).status == .notFound)
        }
    }

    @Test func theMonitoringLedgerShowsDaysMinutesAndCodes() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist)
            let ledger = try await app.send(.GET, "/api/v1/patients/\(maria)/rtm", token: therapist)
            #expect(ledger.status == .ok)
            let days = (ledger.object["dataDays"] as? [Any])?.count ?? 0
            #expect((13...16).contains(days), "\(days) days with data")
            #expect(ledger.object["device"] as? String == (days >= 16 ? "98977" : "98985"))
            #expect(ledger.object["setupSupported"] as? Bool == true)
            // Management minutes count within the calendar month only; log an interactive call today.
            let today = try #require(try await app.send(.GET, "/api/v1/patients/\(maria)/progress", token: therapist).object["today"] as? String)
            let logged = try await app.send(.POST, "/api/v1/patients/\(maria)/rtm/time", token: therapist,
                                            json: ["day": today, "minutes": 25, "interactive": true, "activity": "Video call about stairs"])
            #expect(logged.status == .created)
            let month = try await app.send(.GET, "/api/v1/patients/\(maria)/rtm?start=\(today.prefix(8))01", token: therapist)
            #expect((month.object["minutes"] as? Int ?? 0) >= 25 && (month.object["management"] as? [String])?.first == "98980")
            #expect(try await app.send(.POST, "/api/v1/patients/\(maria)/rtm/time", token: therapist,
                                       json: ["day": today, "minutes": 0, "interactive": false, "activity": "x"]).errorCode == "minutes-invalid")
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/rtm", token: try await app.token(Demo.admin)).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/rtm", token: try await app.token(Demo.patient)).status == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/patients/\(maria)/rtm/time", token: try await app.token(Demo.admin),
                                       json: ["day": today, "minutes": 5, "interactive": false, "activity": "x"]).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/rtm?start=nope", token: therapist).status == .unprocessableEntity)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/rtm?format=xml", token: therapist).errorCode == "format-invalid")
        }
    }
}

/// Card payments through the provider's checkout: the session is made server to server, the
/// payment is recorded only from the signed webhook, once per event.
@Suite struct CardPaymentTests {
    @Test func aPatientPaysThroughTheCheckoutAndTheWebhookRecordsItOnce() async throws {
        let fake = try await FakePaymentProvider.start()
        defer { Task { try? await fake.stop() } }
        try await withTestApp(history: true, adjust: { config in
            config.payments = PaymentSettings(apiBase: "http://127.0.0.1:\(fake.port)", secretKey: FakePaymentProvider.secretKey,
                                              webhookSecret: FakePaymentProvider.webhookSecret)
        }) { app in
            let maria = try await app.patientID(of: Demo.patient)
            let token = try await app.token(Demo.patient)
            let open = try #require(try await app.send(.GET, "/api/v1/patients/\(maria)/invoices", token: token).array.first { $0["status"] as? String == "open" })
            let invoice = try #require(open["id"] as? String)
            let checkout = try await app.send(.POST, "/api/v1/invoices/\(invoice)/checkout", token: token)
            #expect(checkout.status == .ok && (checkout.object["url"] as? String)?.hasPrefix("http://127.0.0.1:\(fake.port)/pay/cs_test_") == true)
            let session = try #require(fake.lastSession)
            #expect(session.form["line_items[0][price_data][unit_amount]"] == "1852" && session.form["metadata[invoice_id]"] == invoice.uppercased())
            // Nothing is recorded until the provider says so.
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/invoices", token: token).array.first { $0["id"] as? String == invoice }?["status"] as? String == "open")

            // The billing page offers to pay online; its link goes to the provider's page.
            var browser = WebTests.Browser(app: app)
            try await browser.signIn(Demo.patient)
            let page = try await browser.get("/patients/\(maria)/billing")
            #expect(page.status == .ok && page.text.contains("Pay $18.52 online") && page.text.contains("Medicare therapy so far this year"))
            let pay = try await browser.get("/patients/\(maria)/billing/\(invoice)/pay")
            #expect(pay.status == .seeOther && pay.headers.first(name: .location)?.hasPrefix("http://127.0.0.1:\(fake.port)/pay/") == true)

            let (payload, signature) = fake.paidEvent(session, eventID: "evt_once")
            func deliver(_ payload: String, _ signature: String) async throws -> TestResponse {
                try await app.send(.POST, "/api/v1/payments/webhook", body: payload, headers: ["Stripe-Signature": signature, "Content-Type": "application/json"])
            }
            // A forged or stale signature changes nothing.
            #expect(try await deliver(payload, signature.replacingOccurrences(of: "v1=", with: "v1=00")).status == .unauthorized)
            let stale = fake.paidEvent(session, eventID: "evt_stale", at: Date().addingTimeInterval(-3600))
            #expect(try await deliver(stale.payload, stale.signature).errorCode == "signature-stale")
            let wrongSecret = fake.paidEvent(session, eventID: "evt_x", secret: "whsec_other")
            #expect(try await deliver(wrongSecret.payload, wrongSecret.signature).status == .unauthorized)
            let first = try await deliver(payload, signature)
            #expect(first.status == .ok && first.object["applied"] as? Bool == true)
            let replay = try await deliver(payload, signature)
            #expect(replay.status == .ok && replay.object["applied"] as? Bool == false, "a replayed event changes nothing")
            let after = try #require(try await app.send(.GET, "/api/v1/patients/\(maria)/invoices", token: token).array.first { $0["id"] as? String == invoice })
            #expect(after["status"] as? String == "paid" && (after["payments"] as? [[String: Any]])?.count == 1)
            #expect((after["payments"] as? [[String: Any]])?.first?["method"] as? String == "card")
            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$action == "payment.provider").filter(\.$resource == "invoice/\(invoice)/payments").count()
            #expect(audit == 1)
            // Paid now: no second checkout; James cannot start one for Maria.
            #expect(try await app.send(.POST, "/api/v1/invoices/\(invoice)/checkout", token: token).errorCode == "invoice-paid")
            #expect(try await app.send(.POST, "/api/v1/invoices/\(invoice)/checkout", token: try await app.token(Demo.patient2)).status == .notFound)
            // Events Gonio does not act on are acknowledged.
            let other = #"{"id":"evt_other","type":"invoice.created","data":{"object":{"id":"in_1"}}}"#
            let t = Int(Date().timeIntervalSince1970)
            let mac = HMAC<SHA256>.authenticationCode(for: Array("\(t).\(other)".utf8), using: SymmetricKey(data: Array(FakePaymentProvider.webhookSecret.utf8)))
            let ignored = try await deliver(other, "t=\(t),v1=\(mac.map { String(format: "%02x", $0) }.joined())")
            #expect(ignored.status == .ok && ignored.object["applied"] == nil)
        }
    }

    @Test func withoutAProviderTheDeskTakesPayment() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            let open = try #require(try await app.send(.GET, "/api/v1/patients/\(maria)/invoices", token: try await app.token(Demo.admin)).array.first { $0["status"] as? String == "open" })
            let invoice = try #require(open["id"] as? String)
            #expect(try await app.send(.POST, "/api/v1/invoices/\(invoice)/checkout", token: try await app.token(Demo.patient)).errorCode == "payments-off")
            #expect(try await app.send(.POST, "/api/v1/payments/webhook", body: "{}").status == .notFound)
            var desk = WebTests.Browser(app: app)
            try await desk.signIn(Demo.admin)
            let page = try await desk.get("/patients/\(maria)/billing")
            #expect(page.text.contains("Record a payment at the desk") && !page.text.contains("online</a>"))
            let csrf = try #require(WebTests.Browser.csrf(in: page.text))
            let wrong = try await desk.post("/patients/\(maria)/billing/\(invoice)/record", form: ["amount": "50", "method": "cash"], csrf: csrf)
            #expect(wrong.status == .conflict && wrong.text.contains("Only $18.52 is owed"))
            let ok = try await desk.post("/patients/\(maria)/billing/\(invoice)/record", form: ["amount": "$18.52", "method": "cash"], csrf: csrf)
            #expect(ok.status == .seeOther)
            #expect(try await desk.get("/patients/\(maria)/billing").text.contains("Owed now: <strong>$0.00</strong>"))
            var own = WebTests.Browser(app: app)
            try await own.signIn(Demo.patient)
            let mine = try await own.get("/patients/\(maria)/billing")
            #expect(mine.text.contains("Your bills") && !mine.text.contains("Record a payment at the desk"))
        }
    }
}

/// Prices, coding a visit, the claim and the superbill.
@Suite struct CodingTests {
    static func pastVisit(_ app: Application, _ patientID: String, token: String) async throws -> String {
        let from = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60 * 86_400))
        let visits = try await app.send(.GET, "/api/v1/visits?from=\(from)", token: token)
        let past = visits.array.filter {
            $0["patientId"] as? String == patientID && ($0["start"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }.map { $0 < Date() } == true
        }
        return try #require(past.first { $0["visitType"] as? String != "initial-evaluation" }?["id"] as? String ?? past.first?["id"] as? String)
    }

    @Test func theTherapistCodesAVisitAndTheDeskExportsTheClaim() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            let therapist = try await app.token(Demo.therapist), admin = try await app.token(Demo.admin)
            let visit = try await Self.pastVisit(app, maria, token: therapist)
            // The demo coded it: Medicare, 23 + 24 minutes → 3 units, 97112 two; telehealth at home.
            let coding = try await app.send(.GET, "/api/v1/visits/\(visit)/coding", token: therapist)
            #expect(coding.status == .ok && coding.object["placeOfService"] as? String == "10" && coding.object["totalUnits"] as? Int == 3, "\(coding.text)")
            let lines = coding.object["lines"] as? [[String: Any]] ?? []
            #expect(lines.map { $0["code"] as? String } == ["97110", "97112"] && lines.map { $0["units"] as? Int } == [1, 2])
            #expect(lines.allSatisfy { ($0["modifiers"] as? [String])?.first == "GP" })
            // Recoded with manual therapy: Medicare does not take 97140 by telehealth; the warning says so.
            let recoded = try await app.send(.PUT, "/api/v1/visits/\(visit)/coding", token: therapist,
                                             json: ["minutes": ["97110": 20, "97140": 10], "diagnoses": ["m170", "M25.561"], "byAssistant": false])
            #expect(recoded.status == .ok && (recoded.object["warnings"] as? [String])?.contains { $0.hasPrefix("97140") } == true)
            #expect((recoded.object["input"] as? [String: Any])?["diagnoses"] as? [String] == ["M17.0", "M25.561"])
            for bad in [["minutes": ["97110": 20], "diagnoses": []], ["minutes": ["99999": 20], "diagnoses": ["M17.0"]],
                        ["minutes": ["97110": 20], "diagnoses": ["17.0"]], ["minutes": [:], "diagnoses": ["M17.0"]],
                        ["evaluation": "97110", "minutes": [:], "diagnoses": ["M17.0"]]] as [[String: Any]] {
                #expect(try await app.send(.PUT, "/api/v1/visits/\(visit)/coding", token: therapist, json: bad).status == .unprocessableEntity, "\(bad)")
            }
            // Only the visit's therapist codes; the desk reads and exports; the patient does neither.
            #expect(try await app.send(.PUT, "/api/v1/visits/\(visit)/coding", token: admin, json: ["minutes": ["97110": 20], "diagnoses": ["M17.0"]]).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/visits/\(visit)/coding", token: try await app.token(Demo.patient)).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/visits/\(visit)/coding", token: try await app.token(Demo.patient2)).status == .notFound)
            let claim = try await app.send(.GET, "/api/v1/visits/\(visit)/claim", token: admin)
            #expect(claim.status == .ok && claim.object["payerKind"] as? String == "medicare" && claim.object["insuredId"] as? String == "1EG4-TE5-MK73")
            #expect(claim.object["billingNPI"] as? String == "1548762305" && claim.object["icdIndicator"] as? String == "0")
            let claimLines = claim.object["lines"] as? [[String: Any]] ?? []
            #expect(claimLines.first?["chargesMinor"] as? Int == 4_500 && claimLines.first?["renderingNPI"] as? String == "1987654328")
            #expect(claimLines.first?["diagnosisPointers"] as? [String] == ["A", "B"])
            let csv = try await app.send(.GET, "/api/v1/visits/\(visit)/claim?format=csv", token: admin)
            #expect(csv.status == .ok && csv.headers.contentType?.subType == "csv" && csv.text.hasPrefix(ClaimForm.csvHeader))
            #expect(csv.text.split(separator: "\r\n").count == 1 + claimLines.count)
            #expect(try await app.send(.GET, "/api/v1/visits/\(visit)/claim?format=xml", token: admin).status == .unprocessableEntity)
            // The 837P file: for the therapist and the desk, never the patient; without the
            // payer's electronic id it says what is missing.
            let x12 = try await app.send(.GET, "/api/v1/visits/\(visit)/claim?format=x12", token: admin)
            #expect(x12.status == .ok && x12.headers.contentType?.subType == "edi-x12" && x12.text.hasPrefix("ISA*00*"))
            #expect(x12.text.contains("ST*837*0001*005010X222A1~") && x12.text.contains("NM1*IL*1*LOPEZ*MARIA****MI*1EG4TE5MK73~"))
            #expect(x12.text.components(separatedBy: "SV1*HC:").count - 1 == claimLines.count)
            #expect(try await app.send(.GET, "/api/v1/visits/\(visit)/claim?format=x12", token: try await app.token(Demo.therapist)).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/visits/\(visit)/claim?format=x12", token: try await app.token(Demo.patient)).status == .forbidden)
            var coverage = try #require(try await app.send(.GET, "/api/v1/patients/\(maria)/coverage", token: admin).array.first?["coverage"] as? [String: Any])
            coverage["payerId"] = NSNull()
            #expect(try await app.send(.PUT, "/api/v1/patients/\(maria)/coverage/primary", token: admin, json: coverage).status == .ok)
            let incomplete = try await app.send(.GET, "/api/v1/visits/\(visit)/claim?format=x12", token: admin)
            #expect(incomplete.errorCode == "claim-incomplete" && incomplete.text.contains("the payer's electronic id"))
            coverage["subscriberAddress"] = ["line1": "418 Alder Street", "city": "San Jose", "state": "California", "zip": "95112"]
            #expect(try await app.send(.PUT, "/api/v1/patients/\(maria)/coverage/primary", token: admin, json: coverage).errorCode == "coverage-invalid")
            // The superbill prints for Maria.
            var own = WebTests.Browser(app: app)
            try await own.signIn(Demo.patient)
            let billing = try await own.get("/patients/\(maria)/billing")
            #expect(billing.text.contains("Superbill:"))
            let superbill = try await own.get("/patients/\(maria)/visits/\(visit)/superbill")
            #expect(superbill.status == .ok, "\(superbill.text.prefix(400))")
            #expect(superbill.text.contains("M17.0") && superbill.text.contains("97140") && superbill.text.contains("1987654328"))
            var james = WebTests.Browser(app: app)
            try await james.signIn(Demo.patient2)
            #expect(try await james.get("/patients/\(maria)/visits/\(visit)/superbill").status == .notFound)
        }
    }

    @Test func theClinicsPricesAreReadByAnyoneAndSetByItsAdmin() async throws {
        try await withTestApp(history: true) { app in
            let clinic = try await ClinicRulesTests.clinic(app)
            let prices = try await app.send(.GET, "/api/v1/clinics/\(clinic)/prices", token: try await app.token(Demo.patient))
            #expect(prices.status == .ok && prices.object["version"] as? Int == 1)
            let list = try #require(prices.object["prices"] as? [String: Any])
            #expect((list["packages"] as? [Any])?.count == 2 && (list["fees"] as? [String: Any])?["97110"] as? Int == 4500)
            let admin = try await app.token(Demo.admin)
            var changed = list
            changed["fees"] = ["97110": 4600]
            let saved = try await app.send(.PUT, "/api/v1/clinics/\(clinic)/prices", token: admin, json: ["baseVersion": 1, "npi": "1548762305", "prices": changed])
            #expect(saved.status == .ok && saved.object["version"] as? Int == 2, "\(saved.text)")
            #expect(try await app.send(.PUT, "/api/v1/clinics/\(clinic)/prices", token: admin, json: ["baseVersion": 1, "prices": changed]).errorCode == "prices-changed")
            #expect(try await app.send(.PUT, "/api/v1/clinics/\(clinic)/prices", token: admin, json: ["baseVersion": 2, "npi": "1548762306", "prices": changed]).errorCode == "npi-invalid")
            var bad = changed
            bad["fees"] = ["12345": 100]
            #expect(try await app.send(.PUT, "/api/v1/clinics/\(clinic)/prices", token: admin, json: ["baseVersion": 2, "prices": bad]).errorCode == "prices-invalid")
            #expect(try await app.send(.PUT, "/api/v1/clinics/\(clinic)/prices", token: try await app.token(Demo.therapist), json: ["baseVersion": 2, "prices": changed]).status == .forbidden)
            #expect(try await app.send(.PUT, "/api/v1/clinics/\(clinic)/prices", token: try await app.token(Demo.patient), json: ["baseVersion": 2, "prices": changed]).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/clinics/\(UUID())/prices", token: admin).status == .notFound)
        }
    }
}

/// Before booking: what a visit will cost; the sliding scale; packages that cover visits.
@Suite struct VisitCostTests {
    @Test func eachPatientSeesWhatAVisitWillCostThem() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient), james = try await app.patientID(of: Demo.patient2)
            let robert = try await app.patientID(of: Demo.patient3)
            // Maria: Medicare, deductible met, 20% of the clinic's $85 price.
            let m = try await app.send(.GET, "/api/v1/patients/\(maria)/visit-cost?visitType=follow-up&modality=video", token: try await app.token(Demo.patient))
            #expect(m.status == .ok && m.object["basis"] as? String == "insurance" && m.object["amountMinor"] as? Int == 1_700, "\(m.text)")
            #expect((m.object["words"] as? String)?.contains("Medicare Part B") == true)
            // James: his package covers it, with visits left.
            let j = try await app.send(.GET, "/api/v1/patients/\(james)/visit-cost?visitType=follow-up&modality=video", token: try await app.token(Demo.patient2))
            #expect(j.object["basis"] as? String == "package" && j.object["amountMinor"] as? Int == 0 && (j.object["words"] as? String)?.contains("visits left") == true)
            // Robert: self-pay at his approved 50%.
            let r = try await app.send(.GET, "/api/v1/patients/\(robert)/visit-cost?visitType=follow-up&modality=in-person", token: try await app.token(Demo.patient3))
            #expect(r.object["basis"] as? String == "self-pay" && r.object["amountMinor"] as? Int == 4_750 && (r.object["words"] as? String)?.contains("50% sliding-scale") == true)
            #expect(try await app.send(.GET, "/api/v1/patients/\(robert)/visit-cost?visitType=nope&modality=video", token: try await app.token(Demo.patient3)).errorCode == "visit-type-unknown")
            #expect(try await app.send(.GET, "/api/v1/patients/\(robert)/visit-cost?visitType=follow-up&modality=phone", token: try await app.token(Demo.patient3)).errorCode == "modality-invalid")
            #expect(try await app.send(.GET, "/api/v1/patients/\(robert)/visit-cost?visitType=follow-up&modality=video", token: try await app.token(Demo.patient)).status == .notFound)
            // The booking page says it before a time is chosen.
            var browser = WebTests.Browser(app: app)
            try await browser.signIn(Demo.patient2)
            let booking = try await browser.get("/visits?patient=\(james)&type=follow-up")
            #expect(booking.text.contains("What this visit will cost") && booking.text.contains("Covered by ACL rehabilitation"), "\(booking.status)")
        }
    }

    @Test func aPatientAppliesForTheSlidingScaleAndTheDeskDecides() async throws {
        try await withTestApp(history: true) { app in
            let james = try await app.patientID(of: Demo.patient2)
            let own = try await app.token(Demo.patient2), admin = try await app.token(Demo.admin)
            let path = "/api/v1/patients/\(james)/sliding-scale"
            // A household of 2 on $30,000 in 2026: 138% of $21,640 → the scale's 50%.
            let applied = try await app.send(.POST, path, token: own, json: ["householdSize": 2, "annualIncome": 30_000])
            #expect(applied.status == .created && applied.object["status"] as? String == "pending" && applied.object["discountPercent"] as? Int == 0)
            #expect((applied.object["application"] as? [String: Any])?["suggestedPercent"] as? Int == 50)
            #expect((applied.object["application"] as? [String: Any])?["percentOfGuideline"] as? Int == 138)
            #expect(try await app.send(.POST, path, token: own, json: ["householdSize": 0, "annualIncome": 30_000]).errorCode == "household-invalid")
            #expect(try await app.send(.POST, path + "/decision", token: own, json: ["approve": true]).status == .forbidden)
            #expect(try await app.send(.POST, path + "/decision", token: try await app.token(Demo.therapist), json: ["approve": true]).status == .forbidden)
            for (approve, percent) in [(false, 101), (true, 0), (true, 101)] {
                #expect(try await app.send(.POST, path + "/decision", token: admin, json: ["approve": approve, "discountPercent": percent]).errorCode == "discount-invalid")
            }
            let approved = try await app.send(.POST, path + "/decision", token: admin, json: ["approve": true, "discountPercent": 40])
            #expect(approved.object["status"] as? String == "approved" && approved.object["discountPercent"] as? Int == 40)
            #expect(try await app.send(.POST, path + "/decision", token: admin, json: ["approve": true]).errorCode == "no-application")
            #expect(try await app.send(.POST, path, token: try await app.token(Demo.patient), json: ["householdSize": 2, "annualIncome": 1]).status == .notFound)
            // Enrolling in a subscription issues its first month.
            let enrolled = try await app.send(.POST, "/api/v1/patients/\(james)/enrollments", token: admin, json: ["itemId": "home-program"])
            #expect(enrolled.status == .created && enrolled.object["kind"] as? String == "subscription" && enrolled.object["invoiceId"] is String)
            #expect(try await app.send(.POST, "/api/v1/patients/\(james)/enrollments", token: admin, json: ["itemId": "gym"]).errorCode == "item-unknown")
            #expect(try await app.send(.POST, "/api/v1/patients/\(james)/enrollments", token: own, json: ["itemId": "home-program"]).status == .forbidden)
            // On the page, the desk sees the application and the forms.
            var desk = WebTests.Browser(app: app)
            try await desk.signIn(Demo.admin)
            let page = try await desk.get("/patients/\(james)/billing")
            #expect(page.text.contains("Sliding scale: 40% off") && page.text.contains("Packages and subscriptions"))
        }
    }
}

extension BillingTests {
    @Test func theMonthsWorklistAndItsEvidence() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient)
            let admin = try await app.token(Demo.admin), therapist = try await app.token(Demo.therapist)
            let today = try #require(try await app.send(.GET, "/api/v1/patients/\(maria)/progress", token: therapist).object["today"] as? String)
            // Her logs of the last two weeks fall in this month or the last; look at both.
            let months = [String(today.prefix(7))] + [previousMonth(String(today.prefix(7)))]
            var found: [String: Any]?
            for month in months {
                let list = try await app.send(.GET, "/api/v1/rtm/worklist?month=\(month)", token: admin)
                #expect(list.status == .ok)
                found = found ?? (list.object["rows"] as? [[String: Any]])?.first { $0["patientId"] as? String == maria }
            }
            #expect(found?["device"] as? String != nil, "Maria's days of practice support a device code")
            #expect(try await app.send(.GET, "/api/v1/rtm/worklist?month=2026-13", token: admin).errorCode == "month-invalid")
            let mine = try await app.send(.GET, "/api/v1/rtm/worklist", token: try await app.token(Demo.patient))
            #expect(mine.status == .ok && (mine.object["rows"] as? [Any])?.isEmpty == true, "a patient bills nothing")
            let csv = try await app.send(.GET, "/api/v1/patients/\(maria)/rtm?format=csv", token: therapist)
            #expect(csv.status == .ok && csv.text.hasPrefix("record,patient,day") && csv.text.contains("data-day,Maria Lopez") && csv.text.contains("codes,"))
            var desk = WebTests.Browser(app: app)
            try await desk.signIn(Demo.admin)
            let page = try await desk.get("/rtm?month=\(months[0])")
            #expect(page.status == .ok && page.text.contains("Remote monitoring,"))
        }
    }

    func previousMonth(_ month: String) -> String {
        let parts = month.split(separator: "-").compactMap { Int($0) }
        let (y, m) = parts[1] == 1 ? (parts[0] - 1, 12) : (parts[0], parts[1] - 1)
        return String(format: "%04d-%02d", y, m)
    }
}

extension BillingTests {
    @Test func aPaymentPlanOnAnInvoice() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient), james = try await app.patientID(of: Demo.patient2)
            let admin = try await app.token(Demo.admin)
            // James's package: two instalments, the first paid in cash.
            let package = try #require(try await app.send(.GET, "/api/v1/patients/\(james)/invoices", token: admin).array.first)
            let packageID = try #require(package["id"] as? String)
            #expect(try await app.send(.POST, "/api/v1/invoices/\(packageID)/plan", token: admin,
                                       json: ["instalments": 2, "firstDue": "2026-12-01"]).errorCode == "plan-exists")
            var desk = WebTests.Browser(app: app)
            try await desk.signIn(Demo.admin)
            let page = try await desk.get("/patients/\(james)/billing")
            #expect(page.text.contains("Payment plan") && page.text.contains("$320.00 due") && page.text.contains(": paid"))
            // Maria's open invoice split in two from today.
            let open = try #require(try await app.send(.GET, "/api/v1/patients/\(maria)/invoices", token: admin).array.first { $0["status"] as? String == "open" })
            let today = try #require(try await app.send(.GET, "/api/v1/patients/\(maria)/progress", token: try await app.token(Demo.therapist)).object["today"] as? String)
            let made = try await app.send(.POST, "/api/v1/invoices/\(open["id"] as? String ?? "")/plan", token: admin,
                                          json: ["instalments": 2, "firstDue": today, "everyDays": 14])
            #expect(made.status == .created && (made.object["instalments"] as? [[String: Any]])?.map { $0["amountMinor"] as? Int } == [926, 926])
            #expect(try await app.send(.POST, "/api/v1/invoices/\(open["id"] as? String ?? "")/plan", token: try await app.token(Demo.patient),
                                       json: ["instalments": 2, "firstDue": today]).status == .forbidden)
        }
    }
}
