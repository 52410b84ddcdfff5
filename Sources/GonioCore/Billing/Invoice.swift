/// An invoice's lines and what has been paid against it: one invoice per visit, subscription
/// period or package. Taxes are none by default (physical therapy is generally exempt from US
/// sales tax); discounts are lines of their own, so the patient sees them.
public struct InvoiceLine: Codable, Equatable, Sendable {
    public var description: String
    /// A CPT code or a price-list item, when there is one.
    public var code: String?
    public var quantity: Int
    /// Per unit, in the invoice's currency (negative for a discount line).
    public var unitMinor: Int64

    public init(description: String, code: String? = nil, quantity: Int = 1, unitMinor: Int64) {
        self.description = description
        self.code = code
        self.quantity = quantity
        self.unitMinor = unitMinor
    }

    public var amountMinor: Int64 { unitMinor * Int64(quantity) }

    enum CodingKeys: String, CodingKey { case description, code, quantity, unitMinor }

    /// A quantity left out is one.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        description = try c.decode(String.self, forKey: .description)
        code = try c.decodeIfPresent(String.self, forKey: .code)
        quantity = try c.decodeIfPresent(Int.self, forKey: .quantity) ?? 1
        unitMinor = try c.decode(Int64.self, forKey: .unitMinor)
    }
}

public enum InvoiceStatus: String, Codable, CaseIterable, Sendable {
    case open, paid, void
}

public enum PaymentMethod: String, Codable, CaseIterable, Sendable {
    /// Through the payment provider's checkout (card data never touches Gonio).
    case card
    case cash, terminal, cheque
    /// Money back, against earlier payments.
    case refund

    public var isOutside: Bool { self == .cash || self == .terminal || self == .cheque }
}

public enum InvoiceRules {
    /// Lines: 1 to 50, quantities 1 to 100, descriptions 1 to 200 characters, a total that is
    /// not negative and under $100,000.
    public static func validate(_ lines: [InvoiceLine]) throws(DomainError) -> [InvoiceLine] {
        guard (1...50).contains(lines.count) else { throw .invalid("lines-invalid", "An invoice has 1 to 50 lines.") }
        let checked = try lines.enumerated().map { (i, line) throws(DomainError) -> InvoiceLine in
            var l = line
            l.description = line.description.trimmingWhitespace()
            guard (1...200).contains(l.description.count) else { throw .invalid("lines-invalid", "Line \(i + 1): a description of 1 to 200 characters.") }
            guard (1...100).contains(l.quantity) else { throw .invalid("lines-invalid", "Line \(i + 1): a quantity of 1 to 100.") }
            l.code = line.code.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
            guard (l.code?.count ?? 0) <= 40 else { throw .invalid("lines-invalid", "Line \(i + 1): a code of at most 40 characters.") }
            guard abs(l.unitMinor) <= 10_000_000 else { throw .invalid("lines-invalid", "Line \(i + 1): the amount is too large.") }
            return l
        }
        let total = checked.reduce(0) { $0 + $1.amountMinor }
        guard (0...10_000_000).contains(total) else { throw .invalid("total-invalid", "An invoice's total is $0 to $100,000.") }
        return checked
    }

    public static func total(_ lines: [InvoiceLine]) -> Int64 { lines.reduce(0) { $0 + $1.amountMinor } }

    public static let discountCode = "SLIDING-SCALE"

    /// The clinic's approved sliding-scale discount as a line of its own, a percentage of what
    /// the other lines come to, rounded as the cost shown before booking is (`VisitCost`), so the
    /// invoice says what the patient was told. None when there is no discount, nothing to take
    /// it from, or the lines already carry it.
    public static func withDiscount(_ lines: [InvoiceLine], percent: Int, currency: String) -> [InvoiceLine] {
        let p = min(max(percent, 0), 100)
        let base = total(lines)
        guard p > 0, base > 0, !lines.contains(where: { $0.code == discountCode }) else { return lines }
        let off = Money(minor: base, currency: currency).share(basisPoints: p * 100).minor
        return lines + [InvoiceLine(description: "Sliding-scale discount (\(p)%)", code: discountCode, unitMinor: -off)]
    }

    /// A payment is more than zero and at most what is still owed; a refund is more than zero
    /// and at most what was paid and not yet refunded. A void invoice takes neither.
    public static func check(amount: Int64, method: PaymentMethod, total: Int64, paid: Int64, status: InvoiceStatus) throws(DomainError) {
        guard amount > 0 else { throw .invalid("amount-invalid", "The amount is more than zero.") }
        guard status != .void else { throw .conflict("invoice-void", "This invoice was voided: nothing can be paid or refunded on it.") }
        if method == .refund {
            guard amount <= paid else {
                throw .conflict("refund-too-large", "Only \(Money(minor: paid)) has been paid on this invoice; a refund cannot be more.")
            }
        } else {
            guard amount <= total - paid else {
                throw .conflict(total - paid == 0 ? "invoice-paid" : "payment-too-large",
                                total - paid == 0 ? "This invoice is already paid." : "Only \(Money(minor: total - paid)) is owed on this invoice.")
            }
        }
    }

    /// Paid once payments (less refunds) cover the total; open otherwise.
    public static func status(total: Int64, paid: Int64, void: Bool = false) -> InvoiceStatus {
        void ? .void : paid >= total ? .paid : .open
    }
}

/// A balance split into instalments with due dates: equal parts (the first ones take the odd
/// cents), every so many days from the first due date. Payments count against the instalments
/// in order, so the schedule says which are paid, which is next and which are overdue.
public enum PaymentPlan {
    public struct Instalment: Codable, Equatable, Sendable {
        public var dueOn: CalendarDay
        public var amountMinor: Int64
    }

    public enum State: String, Codable, Sendable { case paid, partlyPaid = "partly-paid", due, overdue }

    public static func schedule(balance: Int64, instalments: Int, firstDue: CalendarDay, everyDays: Int, today: CalendarDay) throws(DomainError) -> [Instalment] {
        guard balance > 0 else { throw .conflict("invoice-paid", "Nothing is owed on this invoice.") }
        guard (2...24).contains(instalments) else { throw .invalid("plan-invalid", "A payment plan has 2 to 24 instalments.") }
        guard (7...31).contains(everyDays) else { throw .invalid("plan-invalid", "Instalments are 7 to 31 days apart.") }
        guard firstDue >= today.adding(days: -31), firstDue <= today.adding(days: 90) else {
            throw .invalid("plan-invalid", "The first instalment is due within 90 days.")
        }
        return Money(minor: balance).split(into: instalments).enumerated().map { i, part in
            Instalment(dueOn: firstDue.adding(days: i * everyDays), amountMinor: part.minor)
        }
    }

    /// Each instalment's state, given what has been paid towards the plan since it was made.
    public static func states(_ plan: [Instalment], paidTowardsPlan: Int64, today: CalendarDay) -> [State] {
        var left = paidTowardsPlan
        return plan.map { i in
            let covered = min(max(left, 0), i.amountMinor)
            left -= i.amountMinor
            if covered == i.amountMinor { return .paid }
            if i.dueOn < today { return .overdue }
            return covered > 0 ? .partlyPaid : .due
        }
    }
}
