import Foundation
import Testing
import VaporTesting
import Fluent
@testable import GonioServer
@testable import GonioCore

/// The account over time: statements and receipts, subscriptions that renew and end, the
/// sliding scale on what is charged, refunds at the desk, and set-up billed once per episode.
@Suite struct StatementTests {
    @Test func theStatementAddsUpAndIsTheirsAlone() async throws {
        try await withTestApp(history: true) { app in
            let maria = try await app.patientID(of: Demo.patient), robert = try await app.patientID(of: Demo.patient3)
            let own = try await app.send(.GET, "/api/v1/patients/\(maria)/statement", token: try await app.token(Demo.patient))
            #expect(own.status == .ok)
            let invoices = try await app.send(.GET, "/api/v1/patients/\(maria)/invoices", token: try await app.token(Demo.admin)).array
            let owed = invoices.reduce(0) { $0 + (($1["balanceMinor"] as? Int) ?? 0) }
            #expect(own.object["closingMinor"] as? Int == owed && own.object["openingMinor"] as? Int == 0, "\(own.object)")
            let entries = own.object["entries"] as? [[String: Any]] ?? []
            // Paid at the desk and online by mistake the same day; the desk returned the second.
            #expect(entries.map { $0["kind"] as? String ?? "" } == ["charge", "payment", "payment", "refund", "charge"], "\(entries)")
            #expect(entries.last?["balanceMinor"] as? Int == owed)
            // Robert: three half-price subscription periods, two paid.
            let his = try await app.send(.GET, "/api/v1/patients/\(robert)/statement", token: try await app.token(Demo.admin))
            let kinds = (his.object["entries"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds == ["charge", "payment", "charge", "payment", "charge"], "\(kinds)")
            #expect(his.object["chargedMinor"] as? Int == 3 * 2_450 && his.object["paidMinor"] as? Int == 2 * 2_450
                    && his.object["closingMinor"] as? Int == 2_450, "\(his.object)")
            // A span before anything: nothing in it, nothing owed.
            let early = try await app.send(.GET, "/api/v1/patients/\(robert)/statement?from=2020-01-01&to=2020-12-31", token: try await app.token(Demo.patient3))
            #expect(early.status == .ok && (early.object["entries"] as? [Any])?.isEmpty == true && early.object["closingMinor"] as? Int == 0)
            for bad in ["from=2026-02-01&to=2026-01-01", "from=yesterday", "to=2026-13-01", "from=2000-01-01&to=2026-01-01", "to=", "from="] {
                #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/statement?\(bad)", token: try await app.token(Demo.patient)).errorCode == "range-invalid", "\(bad)")
            }
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/statement", token: try await app.token(Demo.therapist)).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/statement", token: try await app.token(Demo.caregiver)).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/statement", token: try await app.token(Demo.patient2)).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/patients/\(maria)/statement").status == .unauthorized)
            // The printable page and a receipt.
            var own3 = WebTests.Browser(app: app)
            try await own3.signIn(Demo.patient3)
            let page = try await own3.get("/patients/\(robert)/billing/statement")
            #expect(page.status == .ok && page.text.contains("Statement of account") && page.text.contains("Payment by cheque (Cheque 1042)")
                    && page.text.contains("id=\"statement-closing\">$24.50"))
            #expect(try await own3.get("/patients/\(robert)/billing/statement?from=nope").status == .unprocessableEntity)
            let bills = try await own3.get("/patients/\(robert)/billing")
            #expect(bills.text.contains("Statement of account") && bills.text.contains("renews on") && bills.text.contains("End the subscription"))
            let receipts = bills.text.components(separatedBy: "/billing/receipts/").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
            #expect(receipts.count == 2)
            let receipt = try await own3.get("/patients/\(robert)/billing/receipts/\(receipts[0])")
            #expect(receipt.status == .ok && receipt.text.contains("Receipt") && receipt.text.contains("Owed on the invoice after this"))
            var own1 = WebTests.Browser(app: app)
            try await own1.signIn(Demo.patient)
            #expect(try await own1.get("/patients/\(robert)/billing/receipts/\(receipts[0])").status == .notFound)
            #expect(try await own3.get("/patients/\(robert)/billing/receipts/\(UUID())").status == .notFound)
        }
    }

    @Test func aSubscriptionRenewsEachPeriodOnceUntilItIsEnded() async throws {
        let (clock, time) = GonioClock.manual(ReminderTests.monday)
        try await withTestApp(history: true, clock: clock) { app in
            while try await JobRunner.runDue(app) > 0 {}
            let james = try await app.patientID(of: Demo.patient2)
            var admin = try await app.token(Demo.admin), patient = try await app.token(Demo.patient2)
            let made = try await app.send(.POST, "/api/v1/patients/\(james)/enrollments", token: admin, json: ["itemId": "home-plus-two"])
            #expect(made.status == .created && made.object["renews"] as? Bool == true && made.object["visits"] as? Int == 2)
            let first = try #require(made.object["id"] as? String)
            let end = try #require(made.object["endsOn"] as? String)
            #expect(try await app.send(.POST, "/api/v1/patients/\(james)/enrollments", token: admin, json: ["itemId": "home-plus-two"]).errorCode == "already-enrolled")
            // Nothing renews before the period ends; the day after, one new period and its invoice.
            #expect(try await JobRunner.runDue(app) == 0)
            time.set(try CalendarDay(end).adding(days: 1).start(in: PatientTimeZone.usual(for: "US-CA").timeZone).addingTimeInterval(60))
            while try await JobRunner.runDue(app) > 0 {}
            // A month on, sessions have expired: sign in again.
            admin = try await app.token(Demo.admin)
            patient = try await app.token(Demo.patient2)
            var periods = try await app.send(.GET, "/api/v1/patients/\(james)/enrollments", token: patient).array.filter { $0["itemId"] as? String == "home-plus-two" }
            let next = try CalendarDay(end).adding(days: 1).description
            #expect(periods.count == 2 && periods[0]["startsOn"] as? String == next)
            let invoices = try await app.send(.GET, "/api/v1/patients/\(james)/invoices", token: patient).array.filter { ($0["description"] as? String)?.hasPrefix("Home program") == true }
            #expect(invoices.count == 2 && invoices.allSatisfy { $0["totalMinor"] as? Int == 12_900 })
            // Gonio renewing at the same moment from several workers still makes one period.
            let second = try #require(periods[0]["id"] as? String)
            time.advance(by: 30 * 86400)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let ctx = app.systemContext(CoverService.renewalJob)
                        _ = try? await ctx.gate.change(.subscriptionRenew, patientID: UUID(uuidString: james)!) { p, tx in
                            try await CoverService(ctx: tx).renew(p, enrollmentID: UUID(uuidString: second)!)?.id
                        }
                    }
                }
                try await group.waitForAll()
            }
            admin = try await app.token(Demo.admin)
            patient = try await app.token(Demo.patient2)
            periods = try await app.send(.GET, "/api/v1/patients/\(james)/enrollments", token: patient).array.filter { $0["itemId"] as? String == "home-plus-two" }
            #expect(periods.count == 3)
            // James ends it: the current period runs out and nothing follows.
            let current = try #require(periods[0]["id"] as? String)
            #expect(try await app.send(.POST, "/api/v1/patients/\(james)/enrollments/\(current)/cancel", token: try await app.token(Demo.therapist)).status == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/patients/\(james)/enrollments/\(current)/cancel", token: try await app.token(Demo.patient)).status == .notFound)
            #expect(try await app.send(.POST, "/api/v1/patients/\(james)/enrollments/\(first)/cancel", token: patient).errorCode == "not-current")
            let ended = try await app.send(.POST, "/api/v1/patients/\(james)/enrollments/\(current)/cancel", token: patient)
            #expect(ended.status == .ok && ended.object["renews"] as? Bool == false && ended.object["cancelledOn"] as? String != nil)
            #expect(try await app.send(.POST, "/api/v1/patients/\(james)/enrollments/\(current)/cancel", token: patient).status == .ok, "ending again is the same")
            let package = try #require(try await app.send(.GET, "/api/v1/patients/\(james)/enrollments", token: patient).array.first { $0["kind"] as? String == "package" }?["id"] as? String)
            #expect(try await app.send(.POST, "/api/v1/patients/\(james)/enrollments/\(package)/cancel", token: admin).errorCode == "not-a-subscription")
            #expect(try await app.send(.POST, "/api/v1/patients/\(james)/enrollments/\(UUID())/cancel", token: admin).status == .notFound)
            // Taken back before the period ends, it renews again; ended, it does not.
            let resumed = try await app.send(.POST, "/api/v1/patients/\(james)/enrollments", token: admin, json: ["itemId": "home-plus-two"])
            #expect(resumed.status == .ok && resumed.object["id"] as? String == current && resumed.object["renews"] as? Bool == true)
            _ = try await app.send(.POST, "/api/v1/patients/\(james)/enrollments/\(current)/cancel", token: admin)
            time.advance(by: 31 * 86400)
            while try await JobRunner.runDue(app) > 0 {}
            patient = try await app.token(Demo.patient2)
            #expect(try await app.send(.GET, "/api/v1/patients/\(james)/enrollments", token: patient).array.count { $0["itemId"] as? String == "home-plus-two" } == 3)
            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$action == "enrollment.cancel").filter(\.$outcome == .allowed).count()
            #expect(audit == 3)
        }
    }

    @Test func theSlidingScaleIsOnWhatIsChargedAndTheDeskRefunds() async throws {
        try await withTestApp(history: true) { app in
            let robert = try await app.patientID(of: Demo.patient3)
            let invoices = try await app.send(.GET, "/api/v1/patients/\(robert)/invoices", token: try await app.token(Demo.admin)).array
            // Each period at half price, the discount a line of its own.
            #expect(invoices.map { $0["totalMinor"] as? Int ?? 0 } == [2_450, 2_450, 2_450])
            let discounted = try #require(invoices.first { $0["totalMinor"] as? Int == 2_450 })
            let lines = discounted["lines"] as? [[String: Any]] ?? []
            #expect(lines.last?["code"] as? String == "SLIDING-SCALE" && lines.last?["unitMinor"] as? Int == -2_450)
            let issued = try await app.send(.POST, "/api/v1/patients/\(robert)/invoices", token: try await app.token(Demo.admin), json: [
                "description": "Resistance band", "lines": [["description": "Band", "unitMinor": 1_000]]])
            #expect(issued.object["totalMinor"] as? Int == 500)
            // The desk refunds from the page: no more than was paid.
            let paid = try #require(invoices.first { $0["status"] as? String == "paid" && $0["totalMinor"] as? Int == 2_450 }?["id"] as? String)
            var desk = WebTests.Browser(app: app)
            try await desk.signIn(Demo.admin)
            let page = try await desk.get("/patients/\(robert)/billing")
            #expect(page.text.contains("Record the refund"))
            let csrf = try #require(WebTests.Browser.csrf(in: page.text))
            let tooMuch = try await desk.post("/patients/\(robert)/billing/\(paid)/record", form: ["amount": "30", "method": "refund"], csrf: csrf)
            #expect(tooMuch.status == .conflict && tooMuch.text.contains("a refund cannot be more"))
            let ok = try await desk.post("/patients/\(robert)/billing/\(paid)/record", form: ["amount": "10", "method": "refund", "reference": "Goodwill"], csrf: csrf)
            #expect(ok.status == .seeOther && ok.headers.first(name: .location)?.contains("notice=refunded") == true)
            let after = try await app.send(.GET, "/api/v1/patients/\(robert)/invoices", token: try await app.token(Demo.patient3)).array.first { $0["id"] as? String == paid }
            #expect(after?["balanceMinor"] as? Int == 1_000 && after?["status"] as? String == "open")
        }
    }

    @Test func setUpIsSupportedOnlyInTheEpisodesFirstPeriod() async throws {
        try await withTestApp(history: true) { app in
            let robert = try await app.patientID(of: Demo.patient3)
            let therapist = try await app.token(Demo.therapist)
            let now = try await app.send(.GET, "/api/v1/patients/\(robert)/rtm", token: therapist)
            let began = try #require(now.object["monitoringStart"] as? String)
            #expect(now.object["episodeStart"] as? String != nil && now.object["setupSupported"] as? Bool == false)
            let first = try await app.send(.GET, "/api/v1/patients/\(robert)/rtm?start=\(began)", token: therapist)
            #expect(first.object["setupSupported"] as? Bool == true && first.object["device"] as? String != nil, "\(first.object)")
            let later = try CalendarDay(began).adding(days: 30)
            let second = try await app.send(.GET, "/api/v1/patients/\(robert)/rtm?start=\(later)", token: therapist)
            #expect(second.object["setupSupported"] as? Bool == false)
            // The period's own evidence names 98975 once.
            let csv = try await app.send(.GET, "/api/v1/patients/\(robert)/rtm?start=\(began)&format=csv", token: therapist)
            #expect(csv.text.contains("98975"))
            #expect(try await app.send(.GET, "/api/v1/patients/\(robert)/rtm?month=2026-1", token: therapist).errorCode == "month-invalid")
        }
    }

    @Test func aVisitHeldInTheMonthIsItsLiveContact() async throws {
        try await withTestApp(history: true) { app in
            let james = try await app.patientID(of: Demo.patient2)
            let therapist = try await app.token(Demo.therapist)
            let visit = try #require(try await Self.visits(app, james, token: try await app.token(Demo.admin)).first { $0["status"] as? String == "completed" })
            let day = String(try #require(visit["start"] as? String).prefix(10))
            let month = String(day.prefix(7))
            // Twelve minutes of review without a call: with the visit that month, 98979 (2026 rules).
            let logged = try await app.send(.POST, "/api/v1/patients/\(james)/rtm/time", token: therapist,
                                            json: ["day": day, "minutes": 12, "interactive": false, "activity": "Reviewed his logs and check-ins"])
            #expect(logged.status == .created)
            let ledger = try await app.send(.GET, "/api/v1/patients/\(james)/rtm?start=\(day)&month=\(month)", token: therapist)
            let contacts = ledger.object["contacts"] as? [[String: Any]] ?? []
            #expect(contacts.count == 1 && contacts.first?["kind"] as? String == "visit in person" && ledger.object["interactive"] as? Bool == true)
            #expect((ledger.object["minutes"] as? Int ?? 0) >= 12)
            if month >= "2026-01" { #expect((ledger.object["management"] as? [String])?.first == "98979", "\(ledger.object)") }
            let csv = try await app.send(.GET, "/api/v1/patients/\(james)/rtm?start=\(day)&month=\(month)&format=csv", token: therapist)
            #expect(csv.text.contains("live-contact,James Chen,\(day),visit in person"))
        }
    }
}

extension StatementTests {
    static func visits(_ app: Application, _ patientID: String, token: String) async throws -> [[String: Any]] {
        let r = try await app.send(.GET, "/api/v1/visits", token: token)
        return ((r.object["items"] as? [[String: Any]]) ?? []).filter { ($0["patientId"] as? String)?.lowercased() == patientID.lowercased() }
    }

    @Test func theDeskInvoicesAHeldVisitOnceAtWhatThePatientPays() async throws {
        try await withTestApp(history: true, onDisk: true) { app in
            let robert = try await app.patientID(of: Demo.patient3), maria = try await app.patientID(of: Demo.patient), james = try await app.patientID(of: Demo.patient2)
            let admin = try await app.token(Demo.admin)
            let now = Date()
            func held(_ visits: [[String: Any]]) -> [String] {
                visits.filter { ($0["start"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }.map { $0 < now } ?? false }.compactMap { $0["id"] as? String }
            }
            let robertsVisit = try #require(held(try await Self.visits(app, robert, token: admin)).first)
            // The desk's page offers it; insured or covered visits are explained, not guessed.
            var desk = WebTests.Browser(app: app)
            try await desk.signIn(Demo.admin)
            let page = try await desk.get("/patients/\(robert)/billing")
            #expect(page.text.contains("Visits held without an invoice") && page.text.contains("Invoice this visit"))
            #expect(!(try await desk.get("/patients/\(james)/billing")).text.contains("Invoice this visit"), "his package covers his visit")
            let mariasVisit = try #require(held(try await Self.visits(app, maria, token: admin)).first)
            #expect(try await app.send(.POST, "/api/v1/visits/\(mariasVisit)/invoice", token: admin).errorCode == "awaiting-payer")
            let jamesVisit = try #require(held(try await Self.visits(app, james, token: admin)).first)
            #expect(try await app.send(.POST, "/api/v1/visits/\(jamesVisit)/invoice", token: admin).errorCode == "visit-covered")
            let mariasVisits = try await Self.visits(app, maria, token: admin)
            let ahead = try #require(mariasVisits.compactMap { $0["id"] as? String }.first { !held(mariasVisits).contains($0) })
            #expect(try await app.send(.POST, "/api/v1/visits/\(ahead)/invoice", token: admin).errorCode == "visit-not-held")
            #expect(try await app.send(.POST, "/api/v1/visits/\(robertsVisit)/invoice", token: try await app.token(Demo.therapist)).status == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/visits/\(robertsVisit)/invoice", token: try await app.token(Demo.patient3)).status == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/visits/\(robertsVisit)/invoice", token: try await app.token(Demo.patient)).status == .notFound)
            // Ten desks at once: one invoice, at the discharge visit's price less his 50%.
            try await app.running { port in
                let statuses = try await ConcurrencyTests.atOnce(10) { _ in
                    try await app.live(.POST, port: port, "/api/v1/visits/\(robertsVisit)/invoice", token: admin)
                }
                #expect(statuses.count { $0 == 201 } == 1 && statuses.allSatisfy { $0 == 201 || $0 == 409 }, "\(statuses)")
            }
            let invoices = try await app.send(.GET, "/api/v1/patients/\(robert)/invoices", token: admin).array
            let visitInvoice = try #require(invoices.first { $0["visitId"] as? String == robertsVisit })
            #expect(visitInvoice["totalMinor"] as? Int == 4_250 && invoices.count { $0["visitId"] as? String == robertsVisit } == 1)
            // The desk's other forms: enrolling and a one-line invoice.
            let csrf = try #require(WebTests.Browser.csrf(in: page.text))
            let enrolled = try await desk.post("/patients/\(robert)/billing/enrollments", form: ["itemId": "low-back-8"], csrf: csrf)
            #expect(enrolled.status == .seeOther && enrolled.headers.first(name: .location)?.contains("notice=enrolled") == true)
            #expect(try await desk.post("/patients/\(robert)/billing/enrollments", form: ["itemId": "nope"], csrf: csrf).status == .unprocessableEntity)
            let band = try await desk.post("/patients/\(robert)/billing/invoices", form: ["description": "Resistance band", "amount": "12.00"], csrf: csrf)
            #expect(band.status == .seeOther)
            #expect(try await desk.post("/patients/\(robert)/billing/invoices", form: ["description": "", "amount": "12"], csrf: csrf).status == .unprocessableEntity)
            #expect(try await desk.post("/patients/\(robert)/billing/invoices", form: ["description": "Band", "amount": "twelve"], csrf: csrf).status == .unprocessableEntity)
            let after = try await app.send(.GET, "/api/v1/patients/\(robert)/invoices", token: admin).array
            #expect(after.contains { $0["description"] as? String == "Resistance band" && $0["totalMinor"] as? Int == 600 })
            #expect(after.contains { ($0["description"] as? String)?.hasPrefix("Low back pain") == true && $0["totalMinor"] as? Int == 24_000 })
        }
    }
}
