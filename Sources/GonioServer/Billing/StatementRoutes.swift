import Vapor
import Fluent
import GonioCore

/// The patient's account over time: the statement (charges, payments and refunds with the
/// balance after each, for a span of days), a receipt for each payment or refund, and the
/// packages and subscriptions, which the paying side or the desk may end.
struct StatementRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.statement, use: statementAPI)
        routes.web.get(Paths.statementPage, use: statementPage)
        routes.web.get(Paths.receiptPage, use: receiptPage)
        routes.api.get(Paths.API.enrollments, use: enrollmentsAPI)
        routes.api.post(Paths.API.enrollmentCancel, use: cancelAPI)
        routes.web.post(Paths.enrollmentCancelPage, use: cancelPage)
        routes.api.post(Paths.API.visitInvoice, use: visitInvoiceAPI)
        routes.web.post(Paths.visitInvoicePage, use: visitInvoicePage)
        routes.web.post(Paths.enrollPage, use: enrollPage)
        routes.web.post(Paths.invoiceIssuePage, use: issuePage)
    }

    // MARK: The desk's forms

    func visitInvoiceAPI(req: Request) async throws -> Response {
        let (visitID, patientID) = try await VisitRoutes.patientOf(req)
        let view = try await req.context.gate.change(.invoiceIssue, patientID: patientID, resource: "visit/\(visitID)/invoice") { patient, tx in
            BillingRoutes.InvoiceView(try await BillingService(ctx: tx).invoiceVisit(patient, visitID: visitID), payments: [])
        }
        return try await view.encodeResponse(status: .created, for: req)
    }

    /// Runs a desk form's change; a refusal the desk can act on is shown on the billing page.
    private func desk(_ req: Request, _ operation: PatientOperation, resource: String, notice: String,
                      _ body: @escaping @Sendable (AuthorizedPatient, CallContext) async throws -> UUID) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        do {
            _ = try await req.context.gate.change(operation, patientID: id, resource: resource, body)
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await BillingRoutes().render(req, message: error.message, status: HTTPResponseStatus(domain: error))
        }
        return WebPage.seeOther(Paths.billingPage(id, query: ["notice": notice]))
    }

    func visitInvoicePage(req: Request) async throws -> Response {
        let visitID = try req.uuidParameter("visitID")
        return try await desk(req, .invoiceIssue, resource: "visit/\(visitID)/invoice", notice: "issued") { patient, tx in
            try await BillingService(ctx: tx).invoiceVisit(patient, visitID: visitID).requireID()
        }
    }

    func enrollPage(req: Request) async throws -> Response {
        struct Form: Content { var itemId: String? }
        let item = String((try req.content.decode(Form.self).itemId ?? "").prefix(40))
        return try await desk(req, .enrollmentCreate, resource: BillingRoutes.resource(try req.uuidParameter("patientID")) + "/enrollments",
                              notice: "enrolled") { patient, tx in
            try await CoverService(ctx: tx).enroll(patient, itemID: item).row.requireID()
        }
    }

    func issuePage(req: Request) async throws -> Response {
        struct Form: Content { var description: String?; var amount: String? }
        let form = try req.content.decode(Form.self)
        return try await desk(req, .invoiceIssue, resource: BillingRoutes.resource(try req.uuidParameter("patientID")) + "/invoices",
                              notice: "issued") { patient, tx in
            let text = (form.description ?? "").trimmingWhitespace()
            guard !text.isEmpty else { throw DomainError.invalid("description-invalid", "Say what the invoice is for.") }
            let currency = try await CodingService(ctx: tx).prices(clinicID: patient.clinicID).list.currency
            let amount = try Money.parse(form.amount ?? "", currency: currency)
            return try await BillingService(ctx: tx).issue(patient, description: text, lines: [InvoiceLine(description: text, unitMinor: amount.minor)],
                                                           currency: currency).requireID()
        }
    }

    /// The span asked for (`from`, `to`: YYYY-MM-DD), by default the last twelve months to today.
    static func span(_ req: Request, today: CalendarDay) throws -> (from: CalendarDay, to: CalendarDay) {
        func day(_ name: String) throws -> CalendarDay? {
            // Left out, the default; given, it must be a date (an empty value is not one).
            guard let raw = try? req.query.get(String.self, at: name) else { return nil }
            guard let day = try? CalendarDay(String(raw.prefix(10))), raw.count == 10 else {
                throw DomainError.invalid("range-invalid", "\(name) is a date, YYYY-MM-DD.")
            }
            return day
        }
        let to = try day("to") ?? today
        return (try day("from") ?? to.adding(days: -364), to)
    }

    func statementAPI(req: Request) async throws -> Statement.Account {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.statementRead, patientID: id, resource: BillingRoutes.resource(id) + "/statement")
        let span = try Self.span(req, today: patient.day(at: ctx.now))
        return try await BillingService(ctx: ctx).statement(patient, from: span.from, to: span.to)
    }

    func statementPage(req: Request) async throws -> Response {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.statementRead, patientID: id, resource: BillingRoutes.resource(id) + "/statement")
        let clinic = try await ClinicModel.find(patient.clinicID, on: ctx.db)
        struct Row: Encodable { var day: String; var invoice: String; var description: String; var charge: String; var credit: String; var balance: String }
        struct Context: Encodable {
            var clinic: String; var patientName: String; var from: String; var to: String; var fromValue: String; var toValue: String
            var opening: String; var charged: String; var paid: String; var refunded: String; var closing: String
            var rows: [Row]; var back: String; var action: String; var issued: String
        }
        // A span that cannot be read or shown is said above the default statement.
        let today = patient.day(at: ctx.now)
        var span = (from: today.adding(days: -364), to: today)
        var error: String?
        let account: Statement.Account
        do {
            span = try Self.span(req, today: today)
            account = try await BillingService(ctx: ctx).statement(patient, from: span.from, to: span.to)
        } catch let e as DomainError where e.kind == .invalid {
            error = e.message
            span = (today.adding(days: -364), today)
            account = try await BillingService(ctx: ctx).statement(patient, from: span.from, to: span.to)
        }
        let money = { (minor: Int64) in Money(minor: minor, currency: account.currency).description }
        let context = Context(
            clinic: clinic?.name ?? "", patientName: patient.name, from: span.from.longName, to: span.to.longName,
            fromValue: span.from.description, toValue: span.to.description,
            opening: money(account.openingMinor), charged: money(account.chargedMinor), paid: money(account.paidMinor),
            refunded: money(account.refundedMinor), closing: money(account.closingMinor),
            rows: account.entries.map { e in
                Row(day: e.day.longName, invoice: e.invoice, description: e.description,
                    charge: e.changeMinor > 0 ? money(e.changeMinor) : "", credit: e.changeMinor < 0 ? money(-e.changeMinor) : "",
                    balance: money(e.balanceMinor))
            },
            back: Paths.billingPage(id), action: Paths.statementPage(id), issued: today.longName)
        return try await WebPage.render(req, "statement", title: "Statement", context, error: error,
                                        status: error == nil ? .ok : .unprocessableEntity)
    }

    func receiptPage(req: Request) async throws -> Response {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let paymentID = try req.uuidParameter("paymentID")
        let patient = try await ctx.gate.authorize(.receiptRead, patientID: id, resource: "payment/\(paymentID)/receipt")
        let (payment, invoice) = try await BillingService(ctx: ctx).receipt(patient, paymentID: paymentID)
        let clinic = try await ClinicModel.find(invoice.$clinic.id, on: ctx.db)
        let npi = try await CodingService(ctx: ctx).prices(clinicID: invoice.$clinic.id).npi
        let refund = payment.method == PaymentMethod.refund.rawValue
        // What was owed on the invoice just after this payment: its total less what was paid up to it.
        let upTo = (try await BillingService(ctx: ctx).payments(invoices: [try invoice.requireID()])[try invoice.requireID()] ?? [])
            .prefix { $0.id != payment.id } + [payment]
        let paid = upTo.reduce(Int64(0)) { $0 + ($1.method == PaymentMethod.refund.rawValue ? -$1.amountMinor : $1.amountMinor) }
        struct Context: Encodable {
            var title: String; var clinic: String; var clinicNPI: String?; var patientName: String; var number: String; var date: String
            var amount: String; var method: String; var reference: String?; var invoice: String; var invoiceTotal: String; var balanceAfter: String
            var back: String
        }
        let time = DateFormatter()
        time.dateStyle = .long
        time.timeStyle = .short
        time.timeZone = patient.timeZone.timeZone
        let methods = ["card": "Card (online)", "cash": "Cash", "terminal": "Card at the desk", "cheque": "Cheque", "refund": "Refund"]
        let money = { (minor: Int64) in Money(minor: minor, currency: invoice.currency).description }
        let title = refund ? "Refund receipt" : "Receipt"
        return try await WebPage.render(req, "receipt", title: title, Context(
            title: title, clinic: clinic?.name ?? "", clinicNPI: npi, patientName: patient.name,
            number: "R-" + String(paymentID.uuidString.prefix(8)), date: time.string(from: payment.recordedAt),
            amount: money(payment.amountMinor), method: methods[payment.method] ?? payment.method, reference: payment.reference,
            invoice: "\(invoice.number): \(invoice.description)", invoiceTotal: money(invoice.totalMinor),
            balanceAfter: money(invoice.totalMinor - paid), back: Paths.billingPage(id)))
    }

    func enrollmentsAPI(req: Request) async throws -> [BillingRoutes.EnrollmentView] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.invoiceList, patientID: id, resource: BillingRoutes.resource(id) + "/enrollments")
        return try await CoverService(ctx: ctx).enrollments(patient).map(BillingRoutes.EnrollmentView.init)
    }

    func cancelAPI(req: Request) async throws -> BillingRoutes.EnrollmentView {
        let id = try req.uuidParameter("patientID")
        let enrollmentID = try req.uuidParameter("enrollmentID")
        return try await req.context.gate.change(.enrollmentCancel, patientID: id, resource: "enrollment/\(enrollmentID)/cancel") { patient, tx in
            BillingRoutes.EnrollmentView(try await CoverService(ctx: tx).cancel(patient, enrollmentID: enrollmentID))
        }
    }

    func cancelPage(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let enrollmentID = try req.uuidParameter("enrollmentID")
        do {
            _ = try await req.context.gate.change(.enrollmentCancel, patientID: id, resource: "enrollment/\(enrollmentID)/cancel") { patient, tx in
                try await CoverService(ctx: tx).cancel(patient, enrollmentID: enrollmentID).requireID()
            }
        } catch let error as DomainError where error.kind == .conflict {
            return try await WebPage.errorPage(req, status: HTTPResponseStatus(domain: error), message: error.message)
        }
        return WebPage.seeOther(Paths.billingPage(id, query: ["notice": "ended"]))
    }
}

extension Statement.Account: Content {}
