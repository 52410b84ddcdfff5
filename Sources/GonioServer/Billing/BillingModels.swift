import Vapor
import Fluent
import GonioCore

/// An invoice (M0022): its lines as written, the total, and what has been paid (payments less
/// refunds), kept in step with its payments in the same transaction.
final class InvoiceModel: Model, @unchecked Sendable {
    static let schema = "invoices"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Parent(key: "clinic_id") var clinic: ClinicModel
    @Field(key: "number") var number: String
    @Field(key: "description") var description: String
    @Field(key: "status") var status: String
    @Field(key: "issued_on") var issuedOn: String
    @Field(key: "due_on") var dueOn: String
    @Field(key: "currency") var currency: String
    @Field(key: "total_minor") var totalMinor: Int64
    @Field(key: "paid_minor") var paidMinor: Int64
    @Field(key: "lines") var lines: StoredJSON<[InvoiceLine]>
    @OptionalParent(key: "visit_id") var visit: VisitModel?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A payment or refund against an invoice (M0022). Amounts are positive; `method` says which.
final class PaymentModel: Model, @unchecked Sendable {
    static let schema = "payments"
    @ID(key: .id) var id: UUID?
    @Parent(key: "invoice_id") var invoice: InvoiceModel
    @Parent(key: "patient_id") var patient: PatientModel
    @Field(key: "amount_minor") var amountMinor: Int64
    @Field(key: "method") var method: String
    @OptionalField(key: "reference") var reference: String?
    /// The payment provider's event, at most once (a replayed webhook changes nothing).
    @OptionalField(key: "provider_event_id") var providerEventID: String?
    @OptionalParent(key: "recorded_by") var recordedBy: UserModel?
    @Field(key: "recorded_at") var recordedAt: Date

    init() {}
}

/// A coverage record (M0022), primary or secondary.
final class CoverageModel: Model, @unchecked Sendable {
    static let schema = "coverages"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Field(key: "rank") var rank: String
    @Field(key: "coverage") var coverage: StoredJSON<Coverage>
    @OptionalParent(key: "updated_by") var updatedBy: UserModel?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// Time the therapist spent on remote monitoring treatment management (M0022): append-only,
/// the evidence behind the month's management codes.
final class RTMTimeModel: Model, @unchecked Sendable {
    static let schema = "rtm_time"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Field(key: "day") var day: String
    @Field(key: "minutes") var minutes: Int
    @Field(key: "interactive") var interactive: Bool
    @Field(key: "activity") var activity: String
    @OptionalParent(key: "recorded_by") var recordedBy: UserModel?
    @Field(key: "recorded_at") var recordedAt: Date

    init() {}
}
