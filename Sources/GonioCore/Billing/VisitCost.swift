/// What a visit will cost the patient, said before they book: covered by a package or
/// subscription with visits left; else an insurance estimate (copay, or the deductible left
/// then coinsurance, on the clinic's price as the allowed amount: an estimate, the payer
/// decides); else the self-pay price less any sliding-scale discount the clinic approved.
public enum VisitCost {
    public struct Estimate: Codable, Equatable, Sendable {
        /// Nil when the clinic has not priced this visit.
        public var amountMinor: Int64?
        public var currency: String
        /// "package", "subscription", "insurance", "self-pay", "unpriced".
        public var basis: String
        public var words: String
    }

    public struct Cover: Sendable {
        public var name: String
        public var visitsLeft: Int
        public var isSubscription: Bool
        public init(name: String, visitsLeft: Int, isSubscription: Bool) {
            self.name = name
            self.visitsLeft = visitsLeft
            self.isSubscription = isSubscription
        }
    }

    public static func estimate(price: Money?, coverage: Coverage?, discountPercent: Int, cover: Cover?) -> Estimate {
        let currency = price?.currency ?? "USD"
        if let cover, cover.visitsLeft > 0 {
            return Estimate(amountMinor: 0, currency: currency, basis: cover.isSubscription ? "subscription" : "package",
                            words: "Covered by \(cover.name): \(cover.visitsLeft) visit\(cover.visitsLeft == 1 ? "" : "s") left.")
        }
        guard let price else {
            return Estimate(amountMinor: nil, currency: currency, basis: "unpriced", words: "The clinic has not set a price for this visit: ask the front desk.")
        }
        if let coverage {
            let share = coverage.estimate(allowed: price)
            let how: String
            if let copay = coverage.copayMinor { how = "your \(Money(minor: copay, currency: currency)) copay" }
            else {
                let left = max(0, (coverage.deductibleMinor ?? 0) - (coverage.deductibleMetMinor ?? 0))
                how = (left > 0 ? "\(Money(minor: left, currency: currency)) of deductible left, then " : "")
                    + "\(coverage.coinsurancePercent ?? 0)% coinsurance"
            }
            return Estimate(amountMinor: share.minor, currency: currency, basis: "insurance",
                            words: "About \(share) with \(coverage.payerName) (\(how)). An estimate: your insurer decides.")
        }
        let discount = min(max(discountPercent, 0), 100)
        guard discount > 0 else {
            return Estimate(amountMinor: price.minor, currency: currency, basis: "self-pay", words: "\(price) (self-pay).")
        }
        let due = price - price.share(basisPoints: discount * 100)
        return Estimate(amountMinor: due.minor, currency: currency, basis: "self-pay",
                        words: "\(due) with your \(discount)% sliding-scale discount (full price \(price)).")
    }
}
