import Vapor
import Fluent
import GonioCore

/// Money and insurance: a patient's invoices with their payments and balance (the patient and
/// the clinic's admins), payments recorded at the front desk and refunds (admins), coverage
/// records (read by the patient, kept by admins), and the remote-monitoring ledger (the care
/// team's therapist, who logs the time, and the admins' worklist).
struct BillingRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.invoices, use: invoicesAPI)
        routes.api.post(Paths.API.invoices, use: issueAPI)
        routes.api.post(Paths.API.invoicePayments, use: paymentAPI)
        routes.api.get(Paths.API.coverage, use: coverageAPI)
        routes.api.put(Paths.API.coverageRank, use: saveCoverageAPI)
        routes.api.get(Paths.API.rtm, use: rtmAPI)
        routes.api.post(Paths.API.rtmTime, use: rtmTimeAPI)
    }

    static func resource(_ id: UUID) -> String { "patient/\(id)/billing" }

    struct PaymentView: Content {
        var id: UUID
        var amount: String
        var amountMinor: Int64
        var method: String
        var reference: String?
        var recordedAt: Date

        init(_ p: PaymentModel, currency: String) {
            id = p.id ?? UUID()
            amountMinor = p.amountMinor
            amount = Money(minor: p.method == PaymentMethod.refund.rawValue ? -p.amountMinor : p.amountMinor, currency: currency).description
            method = p.method
            reference = p.reference
            recordedAt = p.recordedAt
        }
    }

    struct InvoiceView: Content {
        var id: UUID
        var number: String
        var description: String
        var status: String
        var issuedOn: String
        var dueOn: String
        var currency: String
        var totalMinor: Int64
        var paidMinor: Int64
        var balanceMinor: Int64
        var total: String
        var balance: String
        var lines: [InvoiceLine]
        var visitId: UUID?
        var payments: [PaymentView]

        init(_ i: InvoiceModel, payments: [PaymentModel]) {
            id = i.id ?? UUID()
            number = i.number
            description = i.description
            status = i.status
            issuedOn = i.issuedOn
            dueOn = i.dueOn
            currency = i.currency
            totalMinor = i.totalMinor
            paidMinor = i.paidMinor
            balanceMinor = i.totalMinor - i.paidMinor
            total = Money(minor: i.totalMinor, currency: i.currency).description
            balance = Money(minor: balanceMinor, currency: i.currency).description
            lines = i.lines.value
            visitId = i.$visit.id
            self.payments = payments.map { PaymentView($0, currency: i.currency) }
        }
    }

    func invoicesAPI(req: Request) async throws -> [InvoiceView] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.invoiceList, patientID: id, resource: Self.resource(id) + "/invoices")
        let service = BillingService(ctx: ctx)
        let invoices = try await service.invoices(patient)
        let payments = try await service.payments(invoices: invoices.compactMap(\.id))
        return invoices.map { InvoiceView($0, payments: payments[$0.id ?? UUID()] ?? []) }
    }

    struct InvoiceInput: Content {
        var description: String
        var lines: [InvoiceLine]
        var dueInDays: Int?
        var visitId: UUID?
    }

    func issueAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let view = try await req.context.gate.change(.invoiceIssue, patientID: id, resource: Self.resource(id) + "/invoices") { patient, tx in
            let input = try req.content.decode(InvoiceInput.self)
            guard (1...365).contains(input.dueInDays ?? 30) else { throw DomainError.invalid("due-invalid", "dueInDays is 1 to 365.") }
            if let visit = input.visitId { _ = try await VisitService(ctx: tx).visit(visit, of: patient) }
            let row = try await BillingService(ctx: tx).issue(patient, description: input.description, lines: input.lines,
                                                              visitID: input.visitId, dueInDays: input.dueInDays ?? 30)
            return InvoiceView(row, payments: [])
        }
        return try await view.encodeResponse(status: .created, for: req)
    }

    /// The invoice's patient, or 404 (an unknown id, or a malformed one).
    static func patientOf(_ req: Request) async throws -> (invoiceID: UUID, patientID: UUID) {
        let invoiceID = try req.uuidParameter("invoiceID")
        guard let invoice = try await InvoiceModel.find(invoiceID, on: req.context.db) else {
            throw DomainError.notFound("invoice-not-found", "No such invoice.")
        }
        return (invoiceID, invoice.$patient.id)
    }

    func paymentAPI(req: Request) async throws -> Response {
        let (invoiceID, patientID) = try await Self.patientOf(req)
        let (view, created) = try await req.context.gate.change(.paymentRecord, patientID: patientID,
                                                                resource: "invoice/\(invoiceID)/payments") { patient, tx in
            let input = try req.content.decode(BillingService.PaymentInput.self)
            let result = try await BillingService(ctx: tx).record(patient, invoiceID: invoiceID, input)
            let invoice = try await InvoiceModel.find(invoiceID, on: tx.db)!
            let payments = try await BillingService(ctx: tx).payments(invoices: [invoiceID])[invoiceID] ?? []
            return (InvoiceView(invoice, payments: payments), result.created)
        }
        return try await view.encodeResponse(status: created ? .created : .ok, for: req)
    }

    struct CoverageView: Content {
        var rank: String
        var coverage: Coverage
        var updatedAt: Date
        /// The KX threshold for the year and how far the running total is from it (Medicare).
        var therapyThreshold: String?
        var kxApplies: Bool?
    }

    func coverageAPI(req: Request) async throws -> [CoverageView] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.coverageRead, patientID: id, resource: Self.resource(id) + "/coverage")
        let year = patient.day(at: ctx.now).year
        return try await BillingService(ctx: ctx).coverages(patient).map { row in
            let c = row.coverage.value
            let threshold = c.payerKind == .medicare ? TherapyThreshold.threshold(year: year) : nil
            return CoverageView(rank: row.rank, coverage: c, updatedAt: row.updatedAt, therapyThreshold: threshold?.description,
                                kxApplies: threshold.map { t in (c.medicareAllowedThisYearMinor ?? 0) > t.minor })
        }
    }

    func saveCoverageAPI(req: Request) async throws -> CoverageView {
        let id = try req.uuidParameter("patientID")
        let rawRank = String((req.parameters.get("rank") ?? "").prefix(20))
        return try await req.context.gate.change(.coverageSave, patientID: id, resource: Self.resource(id) + "/coverage/\(rawRank)") { patient, tx in
            guard let rank = Coverage.Rank(rawValue: rawRank) else {
                throw DomainError.notFound("rank-unknown", "Coverage is primary or secondary.")
            }
            let row = try await BillingService(ctx: tx).saveCoverage(patient, rank: rank, try req.content.decode(Coverage.self))
            return CoverageView(rank: row.rank, coverage: row.coverage.value, updatedAt: row.updatedAt, therapyThreshold: nil, kxApplies: nil)
        }
    }

    func rtmAPI(req: Request) async throws -> RTMService.Ledger {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.rtmRead, patientID: id, resource: Self.resource(id) + "/rtm")
        let start: CalendarDay
        if let raw = try? req.query.get(String.self, at: "start") {
            guard let day = try? CalendarDay(raw) else { throw DomainError.invalid("start-invalid", "start is a day, YYYY-MM-DD.") }
            start = day
        } else {
            start = patient.day(at: ctx.now).adding(days: -29)
        }
        return try await RTMService(ctx: ctx).ledger(patient, start: start)
    }

    func rtmTimeAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let entry = try await req.context.gate.change(.rtmLog, patientID: id, resource: Self.resource(id) + "/rtm/time") { patient, tx in
            let row = try await RTMService(ctx: tx).log(patient, try req.content.decode(RTMService.TimeInput.self))
            return RTMService.Ledger.TimeEntry(id: row.id ?? UUID(), day: row.day, minutes: row.minutes, interactive: row.interactive,
                                               activity: row.activity, recordedBy: row.$recordedBy.id, recordedAt: row.recordedAt)
        }
        return try await entry.encodeResponse(status: .created, for: req)
    }
}
