/// An amount of money in integer minor units (cents) with its currency: never floating point,
/// so sums, discounts and refunds are exact. Amounts in different currencies never mix.
public struct Money: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Minor units (cents for USD).
    public var minor: Int64
    /// ISO 4217 code, upper case.
    public var currency: String

    public init(minor: Int64, currency: String = "USD") {
        self.minor = minor
        self.currency = currency
    }

    public static func zero(_ currency: String = "USD") -> Money { Money(minor: 0, currency: currency) }

    /// The currencies Gonio prices in, with their minor-unit digits (ISO 4217).
    public static let currencies: [String: Int] = ["USD": 2, "CAD": 2, "EUR": 2, "GBP": 2, "AUD": 2]

    /// Reads "25", "25.5", "25.50" or "1,250.00" in the currency's digits; refuses more digits
    /// than the currency has, negative amounts and anything else.
    public static func parse(_ text: String, currency: String = "USD") throws(DomainError) -> Money {
        guard let digits = currencies[currency] else { throw .invalid("currency-unknown", "The currency is one of \(currencies.keys.sorted().joined(separator: ", ")).") }
        var cleaned = String(text.trimmingWhitespace().filter { $0 != "," })
        if currency == "USD", cleaned.hasPrefix("$") { cleaned.removeFirst() }
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, whole < 100_000_000,
              parts[0].allSatisfy(\.isNumber) else {
            throw .invalid("amount-invalid", "Give the amount as a number such as 25 or 25.00.")
        }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard !f.isEmpty, f.count <= digits, f.allSatisfy(\.isNumber), let value = Int64(f) else {
                throw .invalid("amount-invalid", "Give the amount with at most \(digits) digits after the point.")
            }
            fraction = value * pow10(digits - f.count)
        }
        return Money(minor: whole * pow10(digits) + fraction, currency: currency)
    }

    static func pow10(_ n: Int) -> Int64 { (0..<n).reduce(1) { r, _ in r * 10 } }

    /// "$25.00", "-$5.50"; other currencies as "25.00 EUR".
    public var description: String {
        let digits = Self.currencies[currency] ?? 2
        let scale = Self.pow10(digits)
        let sign = minor < 0 ? "-" : ""
        let whole = abs(minor) / scale, fraction = abs(minor) % scale
        var grouped = String(whole)
        var i = grouped.count - 3
        while i > 0 { grouped.insert(",", at: grouped.index(grouped.startIndex, offsetBy: i)); i -= 3 }
        let frac = String(fraction).leftPadded(to: digits)
        let number = digits > 0 ? "\(grouped).\(frac)" : grouped
        return currency == "USD" ? "\(sign)$\(number)" : "\(sign)\(number) \(currency)"
    }

    public static func < (a: Money, b: Money) -> Bool { a.minor < b.minor }

    /// Sums of one currency; a mixed sum is a programming error the caller must not make.
    public static func + (a: Money, b: Money) -> Money {
        precondition(a.currency == b.currency, "adding \(a.currency) to \(b.currency)")
        return Money(minor: a.minor + b.minor, currency: a.currency)
    }

    public static func - (a: Money, b: Money) -> Money {
        precondition(a.currency == b.currency, "subtracting \(b.currency) from \(a.currency)")
        return Money(minor: a.minor - b.minor, currency: a.currency)
    }

    public static func * (a: Money, n: Int) -> Money { Money(minor: a.minor * Int64(n), currency: a.currency) }

    /// `percent` of the amount (basis points: 2500 = 25%), rounded half away from zero to the
    /// minor unit: the one place a share of money is taken.
    public func share(basisPoints: Int) -> Money {
        let product = minor * Int64(basisPoints)
        let (q, r) = product.quotientAndRemainder(dividingBy: 10_000)
        let rounded = abs(r) * 2 >= 10_000 ? q + (product < 0 ? -1 : 1) : q
        return Money(minor: rounded, currency: currency)
    }

    /// Splits the amount into `count` parts that add up to it exactly: the first parts take
    /// the odd cents (a payment plan's instalments).
    public func split(into count: Int) -> [Money] {
        precondition(count > 0)
        let (q, r) = minor.quotientAndRemainder(dividingBy: Int64(count))
        return (0..<count).map { Money(minor: q + (Int64($0) < r ? 1 : 0), currency: currency) }
    }
}

extension String {
    package func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
