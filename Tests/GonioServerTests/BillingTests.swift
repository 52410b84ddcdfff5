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
            #expect(issued.status == .created && (issued.object["number"] as? String)?.hasSuffix("-0004") == true && issued.object["total"] as? String == "$49.00")
            #expect(try await app.send(.POST, "/api/v1/patients/\(maria)/invoices", token: admin, json: ["description": "x", "lines": []]).errorCode == "lines-invalid")
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
            #expect(primary["kxApplies"] as? Bool == false && primary["therapyThreshold"] != nil)
            let admin = try await app.token(Demo.admin)
            let secondary: [String: Any] = ["payerKind": "commercial", "payerName": "Blue Harbor PPO", "memberId": "BHP-99812",
                                            "subscriberName": "Maria Lopez", "relationship": "self", "copayMinor": 2500, "eligibility": "unverified"]
            let saved = try await app.send(.PUT, "/api/v1/patients/\(maria)/coverage/secondary", token: admin, json: secondary)
            #expect(saved.status == .ok && saved.object["rank"] as? String == "secondary")
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
        }
    }
}
