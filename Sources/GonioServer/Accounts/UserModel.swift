import Fluent
import Foundation
import GonioCore

final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"
    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Enum(key: "role") var role: Role
    @Field(key: "password_hash") var passwordHash: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "password_changed_at", on: .none) var passwordChangedAt: Date?

    init() {}
    init(id: UUID? = nil, email: String, name: String, role: Role, passwordHash: String) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
    }
}
