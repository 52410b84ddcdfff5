import Fluent
import GonioCore

/// Runs an insert; a unique-index violation becomes the domain conflict the caller names.
/// Check-then-insert code uses this so that two racing requests get a clear 409, not a 500.
func insertingUniquely(or conflict: DomainError, _ insert: () async throws -> Void) async throws {
    do {
        try await insert()
    } catch let error as any DatabaseError where error.isConstraintFailure {
        throw conflict
    }
}
