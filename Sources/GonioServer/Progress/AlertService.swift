import Vapor
import Fluent
import Crypto
import GonioCore

/// Alerts for the therapist between visits. A painful session is flagged as it is logged
/// (`PracticeService`); the rest are found from what is recorded whenever they are asked for
/// (`ProgressAlerts`): pain rising week on week, days without practice, a worsening measure, a
/// red-flag answer in a check-in. Each finding has a stable key, so it is one alert however
/// often it is seen; marking it seen keeps a row with that key. Each links to its data.
struct AlertService {
    let ctx: CallContext

    struct AlertView: Content {
        var id: UUID
        /// pain-high, pain-rising, no-practice, worsening-measure, red-flag.
        var kind: String
        var title: String
        var detail: String
        var link: String
        var createdAt: Date
        var acknowledgedAt: Date?
    }

    static let rules = ProgressAlerts.Rules()

    /// A finding's id: the same for the same patient and key, every time it is found.
    static func id(patient: UUID, key: String) -> UUID {
        let digest = Array(SHA256.hash(data: Data("\(patient.uuidString)|\(key)".utf8)))
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50  // a name-based UUID (version 5 layout)
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    struct Finding {
        var kind: String
        var key: String
        var title: String
        var detail: String
        var link: String
        var at: Date
    }

    /// What the records show now, before anyone has marked it seen.
    func findings(_ patient: AuthorizedPatient) async throws -> [Finding] {
        let today = patient.day(at: ctx.now)
        let progress = Paths.progressPage(patient.id)
        var out: [Finding] = []
        // Pain rising: the worst pain of each session, this week against last.
        let logs = try await PracticeService(ctx: ctx).history(patient, since: today.adding(days: -14))
        let sessions = logs.compactMap { log -> (day: CalendarDay, pain: Int)? in
            guard let day = try? CalendarDay(log.day), let pain = log.report.worstPain else { return nil }
            return (day, pain)
        }
        if let rise = ProgressAlerts.painRising(sessions, today: today, rules: Self.rules) {
            out.append(Finding(kind: "pain-rising", key: "pain-rising:\(today.weekStart)", title: "Pain rising",
                               detail: "Session pain averaged \(Progression.n(rise.now))/10 this week, up from \(Progression.n(rise.before))/10 the week before.",
                               link: progress, at: ctx.now))
        }
        // No practice.
        if let plan = try await PlanService(ctx: ctx).active(patient) {
            let last = try await PracticeService(ctx: ctx).lastPractised([patient.id])[patient.id]
            let start = max(plan.content.startDate, patient.day(at: plan.plan.createdAt))
            if let idle = ProgressAlerts.noPractice(lastPractised: last, planStart: start, today: today, rules: Self.rules) {
                out.append(Finding(kind: "no-practice", key: "no-practice:\(last ?? start)", title: "No practice for \(idle) days",
                                   detail: last.map { "Last practised \($0.longName)." } ?? "Nothing practised since the plan started on \(start.longName).",
                                   link: Paths.practice(patient.id), at: ctx.now))
            }
        }
        // A worsening measure: each administration against the one before.
        let responses = try await MeasureService(ctx: ctx).responses(patient)
        for (code, rows) in Dictionary(grouping: responses, by: \.code) {
            guard let measure = MeasureLibrary.measure(code: code), rows.count >= 2 else { continue }
            let ordered = rows.sorted { $0.completedAt < $1.completedAt }
            let (previous, latest) = (ordered[ordered.count - 2], ordered[ordered.count - 1])
            if ProgressAlerts.worsening(measure, previous: previous.score, latest: latest.score) {
                out.append(Finding(kind: "worsening-measure", key: "worsening:\(latest.id?.uuidString ?? code)", title: "\(measure.name) worse",
                                   detail: "\(Progression.n(previous.score)) → \(Progression.n(latest.score)): worse by at least the meaningful change (\(measure.meaningfulChange?.summary ?? "")).",
                                   link: Paths.measures(patient.id), at: latest.completedAt))
            }
        }
        // Red flags in check-ins of the last two weeks.
        for row in try await CheckInService(ctx: ctx).list(patient, since: today.adding(days: -14))
        where TriageOutcome(rawValue: row.triage).map({ $0 != .clear }) == true {
            let result = row.checkIn.triage
            let day = (try? CalendarDay(row.day))?.longName ?? row.day
            out.append(Finding(kind: "red-flag", key: Self.redFlagKey(row), title: "Red flag in a check-in",
                               detail: "\(day): \(result.reasons.map(\.explanation).joined(separator: " ")) (\(result.outcome.rawValue.replacingOccurrences(of: "-", with: " ")))",
                               link: progress, at: row.recordedAt))
        }
        return out
    }

    static func redFlagKey(_ row: CheckInModel) -> String { "red-flag:\(row.id?.uuidString ?? row.day)" }

    /// The findings already marked seen, by key.
    func acknowledgedKeys(_ patient: AuthorizedPatient) async throws -> Set<String> {
        Set(try await PatientAlertModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$acknowledgedAt != nil).all().map(\.key))
    }

    /// Open alerts (or all of them), most recent first.
    func list(_ patient: AuthorizedPatient, openOnly: Bool) async throws -> [AlertView] {
        let seen = try await PatientAlertModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).all()
        let seenByKey = Dictionary(seen.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [AlertView] = try await findings(patient).compactMap { f in
            let row = seenByKey[f.key]
            if openOnly && row?.acknowledgedAt != nil { return nil }
            return AlertView(id: Self.id(patient: patient.id, key: f.key), kind: f.kind, title: f.title, detail: f.detail, link: f.link,
                             createdAt: row?.createdAt ?? f.at, acknowledgedAt: row?.acknowledgedAt)
        }
        if !openOnly {
            // Seen ones whose finding has since gone (practice resumed) stay in the history.
            let current = Set(out.map(\.id))
            out += seen.filter { !current.contains(Self.id(patient: patient.id, key: $0.key)) }.map {
                AlertView(id: Self.id(patient: patient.id, key: $0.key), kind: $0.kind, title: $0.title, detail: $0.detail, link: $0.link,
                          createdAt: $0.createdAt, acknowledgedAt: $0.acknowledgedAt)
            }
        }
        for a in try await PracticeService(ctx: ctx).alerts(patient, openOnly: openOnly) {
            out.append(AlertView(id: a.id, kind: "pain-high", title: "Pain \(a.pain)/10 in \(a.exerciseName)",
                                 detail: "\(a.day): above the 5/10 limit\(a.note.map { ". Note: \($0)" } ?? ".")",
                                 link: Paths.practice(patient.id), createdAt: a.createdAt, acknowledgedAt: a.acknowledgedAt))
        }
        return out.sorted { $0.createdAt > $1.createdAt }
    }

    /// Marks an alert seen (a painful session's, or a finding's); again changes nothing.
    func acknowledge(_ patient: AuthorizedPatient, alertID: UUID) async throws {
        if let finding = try await findings(patient).first(where: { Self.id(patient: patient.id, key: $0.key) == alertID }) {
            if let row = try await PatientAlertModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$key == finding.key).first() {
                guard row.acknowledgedAt == nil else { return }
                row.acknowledgedAt = ctx.now
                row.$acknowledgedBy.id = ctx.user?.userID
                try await row.update(on: ctx.db)
                if finding.kind == "red-flag" { try await ProgressionService(ctx: ctx).refresh(patient) }
                return
            }
            let row = PatientAlertModel()
            row.id = UUID()
            row.$patient.id = patient.id
            row.kind = finding.kind
            row.key = finding.key
            row.title = finding.title
            row.detail = finding.detail
            row.link = finding.link
            row.createdAt = finding.at
            row.acknowledgedAt = ctx.now
            row.$acknowledgedBy.id = ctx.user?.userID
            // Two marks at once: the (patient, key) unique key keeps one; the second is a no-op.
            do { try await row.create(on: ctx.db) } catch where DatabaseRefusal.domainError(error)?.kind == .conflict { return }
            // A red flag seen: progressions held for it may be suggested again.
            if finding.kind == "red-flag" { try await ProgressionService(ctx: ctx).refresh(patient) }
            return
        }
        try await PracticeService(ctx: ctx).acknowledge(patient, alertID: alertID)
    }

}
