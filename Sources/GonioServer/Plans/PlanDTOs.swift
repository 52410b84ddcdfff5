import Vapor
import GonioCore

/// A plan as the API shows it: the current version, each exercise with its dose and the
/// exercise itself (instructions, cues, safety, key poses), so a client can run the session
/// from this one answer.
struct PlanDTO: Content {
    struct Item: Content {
        var id: String
        var exerciseId: String
        var block: PlanItem.Block
        var dose: Dose
        var doseSummary: String
        var frequency: String
        /// ISO weekdays, 1 Monday ... 7 Sunday.
        var weekdays: [Int]
        var notes: String?
        var exercise: Exercise
    }

    var id: UUID
    var patientId: UUID
    var status: String
    var version: Int
    var title: String
    var startDate: CalendarDay
    var endDate: CalendarDay?
    var protocolId: String?
    var phase: String?
    var notes: String?
    /// Why this version was made, when and by whom.
    var reason: String
    var changedAt: Date
    var timeZone: String
    var items: [Item]

    init(_ current: PlanService.Current, patient: AuthorizedPatient, exercise: (String) -> Exercise?) throws {
        let c = current.content
        id = try current.plan.requireID()
        patientId = patient.id
        status = current.plan.status.rawValue
        version = current.version.version
        title = c.title
        startDate = c.startDate
        endDate = c.endDate
        protocolId = c.protocolID
        phase = c.phase
        notes = c.notes
        reason = current.version.reason
        changedAt = current.version.createdAt
        timeZone = patient.timeZone.identifier
        items = c.items.compactMap { item in
            exercise(item.exerciseID).map { e in
                Item(id: item.id, exerciseId: item.exerciseID, block: item.block, dose: item.dose, doseSummary: item.dose.summary,
                     frequency: item.dose.frequency, weekdays: item.days.sorted(), notes: item.notes, exercise: e)
            }
        }
    }
}

struct PlanVersionDTO: Content {
    var version: Int
    var reason: String
    var createdAt: Date
    var createdBy: String?
    var effectiveDay: String
    var title: String
    var exercises: Int
}

/// What a client sends to make or change a plan. With `protocolId` (and `protocolPhase`,
/// 1-based) the exercises come from that phase; `items`, when given, are the exercises.
struct PlanInput: Content {
    struct Item: Content {
        /// Keep the id an item had, so its practice history follows it; new items may leave it out.
        var id: String?
        var exerciseId: String
        var block: PlanItem.Block?
        /// Changes to the exercise's usual dose.
        var dose: DoseChange?
        var weekdays: [Int]?
        var notes: String?
    }

    var title: String?
    var startDate: CalendarDay?
    var endDate: CalendarDay?
    var notes: String?
    var phase: String?
    var protocolId: String?
    var protocolPhase: Int?
    var items: [Item]?
    /// Why the plan changes (required for a new version).
    var reason: String?
    /// The version the change was made from.
    var baseVersion: Int?

    /// The content this input describes, starting from `base` (the current version) if any.
    func content(base: PlanContent?, today: CalendarDay, library: ClinicalContent, exercise: (String) -> Exercise?) throws -> PlanContent {
        var content = base ?? PlanContent(title: "Home exercise plan", startDate: today, items: [])
        if let protocolId {
            guard let found = library.protocols.protocol(id: protocolId) else {
                throw DomainError.invalid("protocol-unknown", "No protocol \(protocolId); GET /api/v1/protocols lists them.")
            }
            content = try PlanContent.from(found, phase: (protocolPhase ?? 1) - 1, start: startDate ?? today, exercises: library.exercises) {
                UUID().uuidString.lowercased()
            }
        }
        if let title { content.title = title }
        if let startDate { content.startDate = startDate }
        if let endDate { content.endDate = endDate }
        if let notes { content.notes = notes }
        if let phase { content.phase = phase }
        if let items {
            content.items = try items.enumerated().map { index, item in
                guard let e = exercise(item.exerciseId) else {
                    throw DomainError.invalid("exercise-unknown", "Exercise \(index + 1): no exercise \(item.exerciseId) in the library.")
                }
                let kept = item.id.flatMap { id in content.items.first { $0.id == id } }
                return PlanItem(id: item.id ?? UUID().uuidString.lowercased(), exerciseID: e.id, block: item.block ?? kept?.block ?? .main,
                                dose: (item.dose ?? DoseChange()).applied(to: kept?.exerciseID == e.id ? kept!.dose : e.dose),
                                weekdays: item.weekdays, notes: item.notes)
            }
        }
        return content
    }
}
