import Fluent
import Foundation
import GonioCore

/// One read or write of patient data, allowed, denied or failed. Rows are only ever inserted
/// (database triggers refuse UPDATE and DELETE).
final class AuditEntryModel: Model, @unchecked Sendable {
    static let schema = "audit_entries"
    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @OptionalParent(key: "actor_user_id") var actor: UserModel?
    /// A role, or `system` / `anonymous`.
    @Field(key: "actor_role") var actorRole: String
    /// The operation (`note.sign`, `patient.list`, `account.register`).
    @Field(key: "action") var action: String
    /// The one patient concerned; a list names its patients in `audit_entry_patients`.
    @OptionalField(key: "patient_id") var patientID: UUID?
    @OptionalField(key: "clinic_id") var clinicID: UUID?
    @Field(key: "resource") var resource: String
    @Field(key: "client_address") var clientAddress: String
    @Enum(key: "outcome") var outcome: AuditOutcome
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "request_id") var requestID: String?
    @Children(for: \.$entry) var patients: [AuditEntryPatientModel]

    init() {}
    init(id: UUID, at: Date, actorUserID: UUID?, actorRole: String, action: String, patientID: UUID?, clinicID: UUID?,
         resource: String, clientAddress: String, outcome: AuditOutcome, reason: String?, requestID: String?) {
        self.id = id
        self.at = at
        self.$actor.id = actorUserID
        self.actorRole = actorRole
        self.action = action
        self.patientID = patientID
        self.clinicID = clinicID
        self.resource = resource
        self.clientAddress = clientAddress
        self.outcome = outcome
        self.reason = reason
        self.requestID = requestID
    }
}

/// A patient named by a list entry: one entry per list shown, one row per patient on it.
final class AuditEntryPatientModel: Model, @unchecked Sendable {
    static let schema = "audit_entry_patients"
    @ID(key: .id) var id: UUID?
    @Parent(key: "entry_id") var entry: AuditEntryModel
    @Field(key: "patient_id") var patientID: UUID

    init() {}
    init(entryID: UUID, patientID: UUID) {
        self.$entry.id = entryID
        self.patientID = patientID
    }
}
