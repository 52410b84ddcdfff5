import Fluent
import Foundation
import GonioCore

/// An exercise a clinic wrote or copied from the library and changed. Only that clinic's staff
/// and patients see it; the shipped library never changes.
final class ClinicExerciseModel: Model, @unchecked Sendable {
    static let schema = "clinic_exercises"
    @ID(key: .id) var id: UUID?
    @Parent(key: "clinic_id") var clinic: ClinicModel
    /// The id plans use (`custom-…`).
    @Field(key: "exercise_id") var exerciseID: String
    /// The library exercise it was copied from.
    @OptionalField(key: "based_on") var basedOn: String?
    @Field(key: "name") var name: String
    @Field(key: "body") var body: StoredJSON<Exercise>
    @OptionalParent(key: "created_by") var createdBy: UserModel?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "archived_at") var archivedAt: Date?

    init() {}
    init(clinicID: UUID, exercise: Exercise, basedOn: String?, createdBy: UUID?, at: Date) {
        self.$clinic.id = clinicID
        exerciseID = exercise.id
        self.basedOn = basedOn
        name = exercise.name
        body = StoredJSON(exercise)
        self.$createdBy.id = createdBy
        createdAt = at
        updatedAt = at
    }
}

/// A picture, a video or a link a clinic attaches to an exercise (shipped or its own). Files
/// live in the data directory's `media/` folder, named by this row's id.
final class ExerciseMediaModel: Model, @unchecked Sendable {
    static let schema = "exercise_media"
    enum Kind: String, Codable, Sendable { case image, video, link }

    @ID(key: .id) var id: UUID?
    @Parent(key: "clinic_id") var clinic: ClinicModel
    @Field(key: "exercise_id") var exerciseID: String
    @Enum(key: "kind") var kind: Kind
    @Field(key: "title") var title: String
    @OptionalField(key: "content_type") var contentType: String?
    @OptionalField(key: "byte_count") var byteCount: Int?
    @OptionalField(key: "url") var url: String?
    @OptionalParent(key: "created_by") var createdBy: UserModel?
    @Field(key: "created_at") var createdAt: Date

    init() {}
    init(id: UUID, clinicID: UUID, exerciseID: String, kind: Kind, title: String, contentType: String?, byteCount: Int?, url: String?,
         createdBy: UUID?, at: Date) {
        self.id = id
        self.$clinic.id = clinicID
        self.exerciseID = exerciseID
        self.kind = kind
        self.title = title
        self.contentType = contentType
        self.byteCount = byteCount
        self.url = url
        self.$createdBy.id = createdBy
        createdAt = at
    }
}
