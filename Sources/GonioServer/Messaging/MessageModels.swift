import Fluent
import Foundation
import GonioCore

/// A conversation between a patient's side and their care team (M0018).
final class ThreadModel: Model, @unchecked Sendable {
    static let schema = "message_threads"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Field(key: "subject") var subject: String
    @OptionalParent(key: "created_by") var createdBy: UserModel?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_message_at") var lastMessageAt: Date

    init() {}
}

/// One message: text, and perhaps a photo and a reference to an exercise or a log.
final class SecureMessageModel: Model, @unchecked Sendable {
    static let schema = "messages"
    @ID(key: .id) var id: UUID?
    @Parent(key: "thread_id") var thread: ThreadModel
    @Parent(key: "patient_id") var patient: PatientModel
    @OptionalParent(key: "sender_id") var sender: UserModel?
    @Field(key: "sender_name") var senderName: String
    /// The sender's role: patient, caregiver or therapist.
    @Field(key: "sender_role") var senderRole: String
    @Field(key: "body") var body: String
    @OptionalField(key: "ref_kind") var refKind: String?
    @OptionalField(key: "ref_id") var refID: String?
    @OptionalField(key: "attachment_type") var attachmentType: String?
    @OptionalField(key: "attachment") var attachment: Data?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var fromCareTeam: Bool { senderRole == Role.therapist.rawValue }
}

/// When each person last read a conversation: what came after is unread.
final class ThreadReadModel: Model, @unchecked Sendable {
    static let schema = "message_reads"
    @ID(key: .id) var id: UUID?
    @Parent(key: "thread_id") var thread: ThreadModel
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "read_at") var readAt: Date

    init() {}
}
