import Fluent
import Foundation

final class ClinicalNoteModel: Model, @unchecked Sendable {
    static let schema = "clinical_notes"
    @ID(key: .id) var id: UUID?
    @Field(key: "patient_id") var patientID: UUID
    @Field(key: "kind") var kind: String
    /// `draft` or `signed`.
    @Field(key: "status") var status: String
    /// The `SOAPNote` as JSON.
    @Field(key: "body") var body: String
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "signed_at") var signedAt: Date?

    init() {}
    init(patientID: UUID, kind: String, body: String, authorID: UUID, now: Date) {
        self.patientID = patientID
        self.kind = kind
        self.status = "draft"
        self.body = body
        self.authorID = authorID
        self.createdAt = now
        self.updatedAt = now
    }
}

final class NoteAddendumModel: Model, @unchecked Sendable {
    static let schema = "note_addenda"
    @ID(key: .id) var id: UUID?
    @Field(key: "note_id") var noteID: UUID
    @Field(key: "text") var text: String
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}
    init(noteID: UUID, text: String, authorID: UUID, now: Date) {
        self.noteID = noteID
        self.text = text
        self.authorID = authorID
        self.createdAt = now
    }
}
