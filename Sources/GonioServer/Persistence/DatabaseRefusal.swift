import Fluent
import FluentPostgresDriver
import GonioCore

/// Database refusals that mean "this conflicts with what is saved": a unique or foreign key,
/// or a trigger guarding append-only or signed rows. Both databases answer them as a 409.
enum DatabaseRefusal {
    static func domainError(_ error: any Error) -> DomainError? {
        if let e = error as? any DatabaseError, e.isConstraintFailure {
            return .conflict("conflict", "That conflicts with data already saved.")
        }
        // PostgreSQL's RAISE EXCEPTION in a guard trigger (SQLite's RAISE(ABORT) is a constraint failure).
        if let e = error as? PSQLError, e.serverInfo?[.sqlState] == "P0001" {
            return .conflict("record-locked", "That record cannot change any more.")
        }
        return nil
    }
}

/// Runs an insert; a unique-index violation becomes the domain conflict the caller names.
/// Check-then-insert code uses this so that two racing requests get a clear 409, not a 500.
func insertingUniquely(or conflict: DomainError, _ insert: () async throws -> Void) async throws {
    do {
        try await insert()
    } catch let error as any DatabaseError where error.isConstraintFailure {
        throw conflict
    }
}
