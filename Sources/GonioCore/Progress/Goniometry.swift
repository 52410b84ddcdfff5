/// Range of motion measured by hand with a goniometer, by the therapist in a visit: the joint
/// motion, the side, the range in degrees from its start (0 when the joint starts from neutral;
/// a knee that lacks 5° of extension starts at 5) to its end, and whether the patient moved
/// actively or the therapist moved the joint (passive).
///
/// Normal ranges are the American Academy of Orthopaedic Surgeons' (Joint Motion: Method of
/// Measuring and Recording, 1965), as tabled in Norkin & White, Measurement of Joint Motion
/// (5th ed., 2016). They are shown beside a measurement for orientation, never as a goal: a
/// goal is the therapist's. Uncertain: quoted from the tables, not re-checked against the
/// original booklet.
public enum JointMotion: String, Codable, CaseIterable, Sendable {
    case shoulderFlexion = "shoulder-flexion"
    case shoulderExtension = "shoulder-extension"
    case shoulderAbduction = "shoulder-abduction"
    case shoulderInternalRotation = "shoulder-internal-rotation"
    case shoulderExternalRotation = "shoulder-external-rotation"
    case elbowFlexion = "elbow-flexion"
    case hipFlexion = "hip-flexion"
    case hipExtension = "hip-extension"
    case hipAbduction = "hip-abduction"
    case hipInternalRotation = "hip-internal-rotation"
    case hipExternalRotation = "hip-external-rotation"
    case kneeFlexion = "knee-flexion"
    case ankleDorsiflexion = "ankle-dorsiflexion"
    case anklePlantarflexion = "ankle-plantarflexion"

    public var name: String {
        switch self {
        case .shoulderFlexion: "Shoulder flexion"
        case .shoulderExtension: "Shoulder extension"
        case .shoulderAbduction: "Shoulder abduction"
        case .shoulderInternalRotation: "Shoulder internal rotation"
        case .shoulderExternalRotation: "Shoulder external rotation"
        case .elbowFlexion: "Elbow flexion"
        case .hipFlexion: "Hip flexion"
        case .hipExtension: "Hip extension"
        case .hipAbduction: "Hip abduction"
        case .hipInternalRotation: "Hip internal rotation"
        case .hipExternalRotation: "Hip external rotation"
        case .kneeFlexion: "Knee flexion"
        case .ankleDorsiflexion: "Ankle dorsiflexion"
        case .anklePlantarflexion: "Ankle plantarflexion"
        }
    }

    /// The AAOS normal end of range, in degrees from 0.
    public var normalEnd: Double {
        switch self {
        case .shoulderFlexion, .shoulderAbduction: 180
        case .shoulderExtension: 60
        case .shoulderInternalRotation: 70
        case .shoulderExternalRotation: 90
        case .elbowFlexion: 150
        case .hipFlexion: 120
        case .hipExtension: 30
        case .hipAbduction, .hipInternalRotation, .hipExternalRotation: 45
        case .kneeFlexion: 135
        case .ankleDorsiflexion: 20
        case .anklePlantarflexion: 50
        }
    }
}

public struct GoniometerMeasurement: Codable, Equatable, Sendable {
    public enum Side: String, Codable, Sendable { case left, right }

    public var motion: JointMotion
    public var side: Side
    /// Where the range starts (0: from neutral; more: the joint cannot reach neutral).
    public var start: Double
    /// Where it ends.
    public var end: Double
    /// Active (the patient moved) or passive (the therapist moved the joint).
    public var active: Bool
    public var measuredOn: CalendarDay
    public var note: String?

    public init(motion: JointMotion, side: Side, start: Double = 0, end: Double, active: Bool = true, measuredOn: CalendarDay, note: String? = nil) {
        self.motion = motion
        self.side = side
        self.start = start
        self.end = end
        self.active = active
        self.measuredOn = measuredOn
        self.note = note
    }

    /// Refuses what a goniometer cannot read: degrees outside -30 to 200, an end before its
    /// start, a day after `today` or more than a year back, a note over 500 characters.
    public func validated(today: CalendarDay) throws(DomainError) -> GoniometerMeasurement {
        for (name, value) in [("start", start), ("end", end)] where !(value.isFinite && (-30...200).contains(value)) {
            throw .invalid("rom-invalid", "\(name) is in degrees, -30 to 200.")
        }
        guard end > start else { throw .invalid("rom-invalid", "The end of the range is past its start.") }
        guard measuredOn <= today else { throw .invalid("rom-in-future", "measuredOn is a day up to today.") }
        guard measuredOn >= today.adding(days: -366) else { throw .invalid("rom-too-old", "measuredOn is within the last year.") }
        var copy = self
        copy.note = try PlanContent.text(note, "The note", 500)
        return copy
    }

    /// The series it belongs to on the progress charts: one per motion and side.
    public var seriesKey: String { "goniometer:\(motion.rawValue):\(side.rawValue)" }
    public var seriesName: String { "\(motion.name), \(side.rawValue) (by goniometer)" }

    /// "Knee flexion, right: 5°–115° active (normal 0°–135°)".
    public var summary: String {
        "\(motion.name), \(side.rawValue): \(Progression.n(start))°–\(Progression.n(end))° \(active ? "active" : "passive") (normal 0°–\(Progression.n(motion.normalEnd))°)"
    }
}
