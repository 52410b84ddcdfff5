/// How an audited access ended. Stored as text.
public enum AuditOutcome: String, Codable, Sendable, CaseIterable {
    /// The policy allowed it and it was done.
    case allowed
    /// The policy refused it.
    case denied
    /// The policy allowed it but a rule refused the change (already submitted, not due...):
    /// nothing was changed.
    case failed
}

extension AccessDecision {
    public var auditOutcome: AuditOutcome { isAllowed ? .allowed : .denied }
}
