import Foundation

/// Who else may be in a video visit besides the patient and the therapist: one person the
/// patient's side (or the therapist) invites, a caregiver or an interpreter. The call is a
/// small mesh of browsers, so it holds three people at most (see `CallGuests.maxPeople`).
public enum GuestKind: String, Codable, CaseIterable, Sendable {
    case caregiver
    case interpreter

    public var displayName: String { self == .caregiver ? "Caregiver" : "Interpreter" }
}

public enum CallGuests {
    /// Therapist, patient and one guest: each browser sends its video to each other, and more
    /// than two outgoing streams is too much for an older phone on a modest connection.
    public static let maxPeople = 3

    /// A guest's name as the others will see it: 1 to 80 characters, no control characters.
    public static func name(_ raw: String) throws(DomainError) -> String {
        let name = raw.trimmingWhitespace()
        guard !name.isEmpty, name.count <= 80, !InputRules.hasControlCharacter(name, allowingLineBreaks: false) else {
            throw .invalid("guest-name-invalid", "Give the guest's name as the others will see it (1 to 80 characters).")
        }
        return name
    }

    /// Guests are invited to booked video visits that have not ended.
    public static func checkInvitable(status: VisitStatus, modality: VisitModality, end: Date, now: Date) throws(DomainError) {
        guard modality == .video else { throw .invalid("not-a-video-visit", "Guests join video visits; this one takes place in person.") }
        guard status == .booked, now < end else {
            throw .conflict("visit-not-booked", "Guests can be invited to booked visits that have not ended.")
        }
    }
}
