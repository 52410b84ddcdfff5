/// A patient's statement of account for a span of days: what was owed before it, each charge,
/// payment and refund in it in order with the balance after each, and what is owed at its end.
/// Built from the invoices and their payments as they were written; a void invoice is no charge.
public enum Statement {
    public struct Charge: Equatable, Sendable {
        public var day: CalendarDay
        public var invoice: String
        public var description: String
        public var amountMinor: Int64
        public var void: Bool

        public init(day: CalendarDay, invoice: String, description: String, amountMinor: Int64, void: Bool = false) {
            self.day = day
            self.invoice = invoice
            self.description = description
            self.amountMinor = amountMinor
            self.void = void
        }
    }

    public struct Payment: Equatable, Sendable {
        public var day: CalendarDay
        public var invoice: String
        public var method: PaymentMethod
        /// Positive, as recorded; `method` says whether it is money in or a refund.
        public var amountMinor: Int64
        public var reference: String?

        public init(day: CalendarDay, invoice: String, method: PaymentMethod, amountMinor: Int64, reference: String? = nil) {
            self.day = day
            self.invoice = invoice
            self.method = method
            self.amountMinor = amountMinor
            self.reference = reference
        }
    }

    public enum Kind: String, Codable, Sendable { case charge, payment, refund }

    public struct Entry: Codable, Equatable, Sendable {
        public var day: CalendarDay
        public var kind: Kind
        public var invoice: String
        public var description: String
        /// What it does to the balance: a charge or refund adds, a payment takes away.
        public var changeMinor: Int64
        public var balanceMinor: Int64
    }

    public struct Account: Codable, Equatable, Sendable {
        public var from: CalendarDay
        public var to: CalendarDay
        public var currency: String
        public var openingMinor: Int64
        public var entries: [Entry]
        public var chargedMinor: Int64
        public var paidMinor: Int64
        public var refundedMinor: Int64
        public var closingMinor: Int64
    }

    /// The longest span one statement covers (a statement is read, not an export).
    public static let maxDays = 3660

    public static func account(charges: [Charge], payments: [Payment], from: CalendarDay, to: CalendarDay,
                               currency: String) throws(DomainError) -> Account {
        guard from <= to else { throw DomainError.invalid("range-invalid", "from is on or before to.") }
        guard from.days(to: to) < maxDays else { throw DomainError.invalid("range-invalid", "A statement covers at most ten years.") }
        // Same day: the charge first, then what was paid against it.
        var all: [(day: CalendarDay, order: Int, entry: (kind: Kind, invoice: String, description: String, change: Int64))] = []
        for c in charges where !c.void {
            all.append((c.day, 0, (.charge, c.invoice, c.description, c.amountMinor)))
        }
        for p in payments {
            let refund = p.method == .refund
            let how = refund ? "Refund" : "Payment by \(p.method.rawValue)"
            all.append((p.day, refund ? 2 : 1, (refund ? .refund : .payment, p.invoice,
                                                how + (p.reference.map { " (\($0))" } ?? ""), refund ? p.amountMinor : -p.amountMinor)))
        }
        // A stable order: by day, then kind, then invoice number.
        all.sort { ($0.day, $0.order, $0.entry.invoice) < ($1.day, $1.order, $1.entry.invoice) }
        var balance: Int64 = 0
        var entries: [Entry] = []
        var charged: Int64 = 0, paid: Int64 = 0, refunded: Int64 = 0
        var opening: Int64 = 0
        for item in all where item.day <= to {
            balance += item.entry.change
            if item.day < from { opening = balance; continue }
            switch item.entry.kind {
            case .charge: charged += item.entry.change
            case .payment: paid -= item.entry.change
            case .refund: refunded += item.entry.change
            }
            entries.append(Entry(day: item.day, kind: item.entry.kind, invoice: item.entry.invoice, description: item.entry.description,
                                 changeMinor: item.entry.change, balanceMinor: balance))
        }
        return Account(from: from, to: to, currency: currency, openingMinor: opening, entries: entries,
                       chargedMinor: charged, paidMinor: paid, refundedMinor: refunded, closingMinor: balance)
    }
}
