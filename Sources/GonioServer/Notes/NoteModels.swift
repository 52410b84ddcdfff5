import Fluent
import Foundation
import GonioCore

final class ClinicalNoteModel: Model, @unchecked Sendable {
    static let schema = "clinical_notes"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Enum(key: "kind") var kind: NoteKind
    @Enum(key: "status") var status: NoteStatus
    @Field(key: "body") var body: StoredJSON<SOAPNote>
    @Parent(key: "author_id") var author: UserModel
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "signed_at") var signedAt: Date?
    /// The visit the note records, when it was written for one (M0014).
    @OptionalField(key: "visit_id") var visitID: UUID?
    @Children(for: \.$note) var addenda: [NoteAddendumModel]

    init() {}
    init(patientID: UUID, kind: NoteKind, body: SOAPNote, authorID: UUID, now: Date) {
        self.$patient.id = patientID
        self.kind = kind
        self.status = .draft
        self.body = StoredJSON(body)
        self.$author.id = authorID
        self.createdAt = now
        self.updatedAt = now
    }
}

final class NoteAddendumModel: Model, @unchecked Sendable {
    static let schema = "note_addenda"
    @ID(key: .id) var id: UUID?
    @Parent(key: "note_id") var note: ClinicalNoteModel
    @Field(key: "text") var text: String
    @Parent(key: "author_id") var author: UserModel
    @Field(key: "created_at") var createdAt: Date

    init() {}
    init(noteID: UUID, text: String, authorID: UUID, now: Date) {
        self.$note.id = noteID
        self.text = text
        self.$author.id = authorID
        self.createdAt = now
    }
}
