/// Whether an audited access went ahead. Stored as text.
public enum AuditOutcome: String, Codable, Sendable, CaseIterable {
    case allowed
    case denied
}

extension AccessDecision {
    public var auditOutcome: AuditOutcome { isAllowed ? .allowed : .denied }
}
