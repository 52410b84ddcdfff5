/// A patient's insurance coverage as the front desk records it: who pays, the member's ids,
/// what the patient pays (copay, coinsurance, deductible left), visit limits, prior
/// authorisation and eligibility. Primary and secondary are separate records.
public struct Coverage: Codable, Equatable, Sendable {
    public enum Rank: String, Codable, CaseIterable, Sendable { case primary, secondary }
    public enum Relationship: String, Codable, CaseIterable, Sendable { case `self`, spouse, child, other }
    public enum Eligibility: String, Codable, CaseIterable, Sendable { case verified, unverified, inactive }

    public struct Authorisation: Codable, Equatable, Sendable {
        public var number: String
        public var visits: Int
        public var from: CalendarDay
        public var through: CalendarDay

        public init(number: String, visits: Int, from: CalendarDay, through: CalendarDay) {
            self.number = number
            self.visits = visits
            self.from = from
            self.through = through
        }
    }

    public var payerKind: PayerKind
    public var payerName: String
    public var plan: String?
    public var memberId: String
    public var groupNumber: String?
    public var subscriberName: String
    public var relationship: Relationship
    /// Per visit, in cents.
    public var copayMinor: Int64?
    /// The patient's share after the deductible, in percent.
    public var coinsurancePercent: Int?
    public var deductibleMinor: Int64?
    public var deductibleMetMinor: Int64?
    public var visitLimit: Int?
    public var visitsUsed: Int?
    public var authorisation: Authorisation?
    public var eligibility: Eligibility
    public var eligibilityCheckedOn: CalendarDay?
    /// Who recorded that status and date: set by Gonio from the person saving, never by a client.
    public var eligibilityCheckedBy: String?
    /// Medicare: allowed amounts this calendar year so far (the KX running total), in cents.
    public var medicareAllowedThisYearMinor: Int64?
    /// For electronic claims: the payer's id at the clearinghouse, and the subscriber's address.
    public var payerId: String?
    public var subscriberAddress: PostalAddress?

    public init(payerKind: PayerKind, payerName: String, plan: String? = nil, memberId: String, groupNumber: String? = nil,
                subscriberName: String, relationship: Relationship = .`self`, copayMinor: Int64? = nil, coinsurancePercent: Int? = nil,
                deductibleMinor: Int64? = nil, deductibleMetMinor: Int64? = nil, visitLimit: Int? = nil, visitsUsed: Int? = nil,
                authorisation: Authorisation? = nil, eligibility: Eligibility = .unverified, eligibilityCheckedOn: CalendarDay? = nil,
                medicareAllowedThisYearMinor: Int64? = nil, payerId: String? = nil, subscriberAddress: PostalAddress? = nil) {
        self.payerId = payerId
        self.subscriberAddress = subscriberAddress
        self.payerKind = payerKind
        self.payerName = payerName
        self.plan = plan
        self.memberId = memberId
        self.groupNumber = groupNumber
        self.subscriberName = subscriberName
        self.relationship = relationship
        self.copayMinor = copayMinor
        self.coinsurancePercent = coinsurancePercent
        self.deductibleMinor = deductibleMinor
        self.deductibleMetMinor = deductibleMetMinor
        self.visitLimit = visitLimit
        self.visitsUsed = visitsUsed
        self.authorisation = authorisation
        self.eligibility = eligibility
        self.eligibilityCheckedOn = eligibilityCheckedOn
        self.medicareAllowedThisYearMinor = medicareAllowedThisYearMinor
    }

    public func validated(today: CalendarDay) throws(DomainError) -> Coverage {
        guard payerKind != .selfPay else { throw .invalid("coverage-invalid", "Self-pay is no coverage: remove the record instead.") }
        var c = self
        func text(_ value: String, _ name: String, max: Int) throws(DomainError) -> String {
            let t = value.trimmingWhitespace()
            guard (1...max).contains(t.count) else { throw .invalid("coverage-invalid", "\(name) is 1 to \(max) characters.") }
            return t
        }
        c.payerName = try text(payerName, "payerName", max: 120)
        c.memberId = try text(memberId, "memberId", max: 40)
        c.subscriberName = try text(subscriberName, "subscriberName", max: 120)
        c.plan = try PlanContent.text(plan, "plan", 120)
        c.groupNumber = try PlanContent.text(groupNumber, "groupNumber", 40)
        for (name, value) in [("copayMinor", copayMinor), ("deductibleMinor", deductibleMinor), ("deductibleMetMinor", deductibleMetMinor),
                              ("medicareAllowedThisYearMinor", medicareAllowedThisYearMinor)] {
            if let value, !(0...10_000_000).contains(value) { throw .invalid("coverage-invalid", "\(name) is 0 to 10,000,000 cents.") }
        }
        if let p = coinsurancePercent, !(0...100).contains(p) { throw .invalid("coverage-invalid", "coinsurancePercent is 0 to 100.") }
        if let d = deductibleMinor, let met = deductibleMetMinor, met > d { throw .invalid("coverage-invalid", "deductibleMetMinor is at most deductibleMinor.") }
        if let l = visitLimit, !(0...365).contains(l) { throw .invalid("coverage-invalid", "visitLimit is 0 to 365.") }
        if let u = visitsUsed, !(0...365).contains(u) { throw .invalid("coverage-invalid", "visitsUsed is 0 to 365.") }
        if let a = authorisation {
            guard a.from <= a.through else { throw .invalid("coverage-invalid", "The authorisation ends after it starts.") }
            guard (1...365).contains(a.visits) else { throw .invalid("coverage-invalid", "Authorised visits are 1 to 365.") }
            c.authorisation?.number = try text(a.number, "authorisation.number", max: 40)
        }
        if let checked = eligibilityCheckedOn, checked > today { throw .invalid("coverage-invalid", "eligibilityCheckedOn is a day up to today.") }
        c.payerId = try PlanContent.text(payerId, "payerId", 40)
        if let id = c.payerId, !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            throw .invalid("coverage-invalid", "payerId is the payer's electronic id: letters and digits.")
        }
        do { c.subscriberAddress = try subscriberAddress?.validated("subscriberAddress") } catch { throw .invalid("coverage-invalid", error.message) }
        if medicareAllowedThisYearMinor != nil, payerKind != .medicare {
            throw .invalid("coverage-invalid", "The therapy-threshold running total is for Medicare only.")
        }
        return c
    }

    /// What the patient is likely to pay for a visit the payer allows `allowed` for: the copay
    /// if there is one; else the deductible left, then coinsurance on the rest. An estimate,
    /// said as such: the payer decides.
    public func estimate(allowed: Money) -> Money {
        if let copay = copayMinor { return Money(minor: min(copay, allowed.minor), currency: allowed.currency) }
        let left = max(0, (deductibleMinor ?? 0) - (deductibleMetMinor ?? 0))
        let towardsDeductible = min(left, allowed.minor)
        let rest = Money(minor: allowed.minor - towardsDeductible, currency: allowed.currency)
        return Money(minor: towardsDeductible, currency: allowed.currency) + rest.share(basisPoints: (coinsurancePercent ?? 0) * 100)
    }
}
