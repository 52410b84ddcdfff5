import Vapor
import Fluent
import SQLKit
import GonioCore

/// Home practice: what is due today (on the patient's own calendar), the logs the patient or a
/// caregiver sends (each accepted once, by the id its client made), the pain alerts they raise,
/// and adherence: sessions done over sessions due, per week, and the streak.
struct PracticeService {
    let ctx: CallContext

    // MARK: DTOs

    struct TodayItem: Content {
        var itemId: String
        var exerciseId: String
        var name: String
        var block: PlanItem.Block
        var dose: Dose
        var doseSummary: String
        /// Times today (the dose's times a day), how many are logged, how many practised.
        var rounds: Int
        var logged: Int
        var practised: Int
        var status: PracticeSchedule.Status
    }

    struct Today: Content {
        var day: CalendarDay
        var timeZone: String
        var planId: UUID?
        var planVersion: Int?
        var status: PracticeSchedule.Status
        var sessions: Int
        var sessionsDone: Int
        var nextSession: Int?
        var items: [TodayItem]
    }

    struct LogInput: Content {
        /// Made by the client once per log and sent again on every retry.
        var id: UUID
        var itemId: String
        /// When it was done (a log kept offline arrives later); now if left out.
        var performedAt: Date?
        var outcome: PracticeSchedule.Outcome
        var setsDone: Int?
        var repsDone: Int?
        var painBefore: Int?
        var painDuring: Int?
        var painAfter: Int?
        var effort: Int?
        var feeling: PracticeReport.Feeling?
        var note: String?
        var motion: MotionSummary?

        var report: PracticeReport {
            PracticeReport(outcome: outcome, setsDone: setsDone ?? 0, repsDone: repsDone ?? 0, painBefore: painBefore, painDuring: painDuring,
                           painAfter: painAfter, effort: effort, feeling: feeling, note: note, motion: motion)
        }
    }

    struct Log: Content {
        var id: UUID
        var itemId: String
        var exerciseId: String
        var exerciseName: String
        var day: String
        var performedAt: Date
        var recordedAt: Date
        var outcome: PracticeSchedule.Outcome
        var setsDone: Int
        var repsDone: Int
        var painBefore: Int?
        var painDuring: Int?
        var painAfter: Int?
        var effort: Int?
        var feeling: PracticeReport.Feeling?
        var note: String?
        /// Pain went above the limit: the therapist was told.
        var alert: Bool
        /// What the patient should do now, after this report.
        var advice: String?
        /// What motion tracking counted, with what it suggests for the dose.
        var motion: MotionOut?
    }

    struct MotionOut: Content {
        var spec: String
        var source: MotionSummary.Source
        var repsCounted: Int
        var partialReps: Int
        var romMin: Double?
        var romMax: Double?
        var formScore: Int?
        var formScores: [Int]?
        /// Form fell off over the set (fatigue).
        var formDeclined: Bool
        /// Fewer repetitions than prescribed with hard effort.
        var fellShort: Bool
    }

    struct Week: Content {
        var start: CalendarDay
        var sessions: Int
        var sessionsDone: Int
        /// Done over due, 0 to 1; left out when nothing was due.
        var rate: Double?
    }

    struct Adherence: Content {
        var today: CalendarDay
        var weeks: [Week]
        var streak: Int
        var lastPractised: CalendarDay?
        var daysSincePractice: Int?
    }

    struct Alert: Content {
        var id: UUID
        var logId: UUID
        var exerciseId: String
        var exerciseName: String
        var pain: Int
        var day: String
        var createdAt: Date
        var acknowledgedAt: Date?
        var note: String?
    }

    // MARK: Today

    func today(_ patient: AuthorizedPatient) async throws -> Today {
        let day = patient.day(at: ctx.now)
        let plans = PlanService(ctx: ctx)
        guard let current = try await plans.active(patient) else {
            return Today(day: day, timeZone: patient.timeZone.identifier, planId: nil, planVersion: nil, status: .nothingDue, sessions: 0,
                         sessionsDone: 0, nextSession: nil, items: [])
        }
        let logs = try await PracticeLogModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$day == day.description)
            .sort(\.$performedAt).all()
        let summary = PracticeSchedule.today(current.content, on: day, logs: logs.compactMap(\.logged))
        let exercises = try await plans.exercises(for: patient, ids: current.content.items.map(\.exerciseID))
        return Today(
            day: day, timeZone: patient.timeZone.identifier, planId: current.plan.id, planVersion: current.version.version,
            status: summary.status, sessions: summary.sessions, sessionsDone: summary.sessionsDone, nextSession: summary.nextSession,
            items: summary.items.map { t in
                TodayItem(itemId: t.item.id, exerciseId: t.item.exerciseID, name: exercises(t.item.exerciseID)?.name ?? t.item.exerciseID,
                          block: t.item.block, dose: t.item.dose, doseSummary: t.item.dose.summary, rounds: t.rounds, logged: t.logged,
                          practised: t.practised, status: t.status)
            })
    }

    // MARK: Logs

    /// How far back a log kept on a device offline may be sent, and how far ahead of the
    /// server's clock a device's clock may run.
    static let offlineWindow: TimeInterval = 14 * 24 * 3600
    static let clockSkew: TimeInterval = 10 * 60

    /// `alerted`: the pain broke the clinic's limit when the log was kept (its alert).
    static func advice(_ report: PracticeReport, alerted: Bool) -> String? {
        if alerted {
            return "Pain this high is more than this exercise should cause. Stop this exercise for today and rest; your therapist has been told and will be in touch. If the pain is severe or you feel unwell, get medical help."
        }
        if let worst = report.worstPain, worst >= 3 {
            return "Some pain (up to 5 out of 10) is acceptable if it settles by tomorrow morning. If it has not, tell your therapist."
        }
        return nil
    }

    func dto(_ log: PracticeLogModel, name: String, alert: Bool) -> Log {
        let report = log.report
        let motion = report.motion.map { m in
            MotionOut(spec: m.spec, source: m.source, repsCounted: m.repsCounted, partialReps: m.partialReps, romMin: m.romMin, romMax: m.romMax,
                      formScore: m.formScore, formScores: m.formScores, formDeclined: m.formDeclined,
                      fellShort: log.fellShort)
        }
        return Log(id: log.id ?? UUID(), itemId: log.itemID, exerciseId: log.exerciseID, exerciseName: name, day: log.day,
                   performedAt: log.performedAt, recordedAt: log.recordedAt, outcome: log.outcome, setsDone: log.setsDone,
                   repsDone: log.repsDone, painBefore: log.painBefore, painDuring: log.painDuring, painAfter: log.painAfter,
                   effort: log.effort, feeling: log.feeling, note: log.note, alert: alert, advice: Self.advice(report, alerted: alert), motion: motion)
    }

    /// Records a log once. The same id again (a retry) answers with the log already kept and
    /// `created` false; the same id with a different exercise or outcome is a conflict.
    func record(_ patient: AuthorizedPatient, _ input: LogInput) async throws -> (log: Log, created: Bool) {
        let report = try input.report.validated()
        let plans = PlanService(ctx: ctx)
        if let existing = try await PracticeLogModel.find(input.id, on: ctx.db) {
            // A retry sends the same log again; anything else under this id is a client's mistake.
            let sameTime = input.performedAt.map { abs($0.timeIntervalSince(existing.performedAt)) < 0.001 } ?? true
            guard existing.$patient.id == patient.id, existing.itemID == input.itemId, existing.report == report, sameTime else {
                throw DomainError.conflict("log-id-used", "A different log already has this id; make a new id for each log.")
            }
            let alerted = try await PracticeAlertModel.query(on: ctx.db).filter(\.$log.$id == input.id).count() > 0
            let exercises = try await plans.exercises(for: patient, ids: [existing.exerciseID])
            return (dto(existing, name: exercises(existing.exerciseID)?.name ?? existing.exerciseID, alert: alerted), false)
        }
        let current = try await plans.requireActive(patient)
        var item = current.content.items.first { $0.id == input.itemId }
        var version = current.version.version
        if item == nil {
            // A log kept offline may name an exercise the plan has since dropped.
            for v in try await plans.versions(of: current.plan.requireID()).reversed() {
                if let found = v.content.value.items.first(where: { $0.id == input.itemId }) {
                    item = found
                    version = v.version
                    break
                }
            }
        }
        guard let item else { throw DomainError.invalid("item-unknown", "That exercise is not in the patient's plan.") }
        let performedAt = input.performedAt ?? ctx.now
        guard performedAt <= ctx.now.addingTimeInterval(Self.clockSkew) else {
            throw DomainError.invalid("performed-in-future", "performedAt is in the future; check the device's clock.")
        }
        guard performedAt >= ctx.now.addingTimeInterval(-Self.offlineWindow) else {
            throw DomainError.invalid("performed-too-long-ago", "Logs can be sent up to 14 days after the exercise.")
        }
        let log = PracticeLogModel(id: input.id, patientID: patient.id, planID: try current.plan.requireID(), planVersion: version,
                                   itemID: item.id, exerciseID: item.exerciseID, day: patient.day(at: performedAt), performedAt: performedAt,
                                   recordedAt: ctx.now, recordedBy: ctx.user?.userID, report: report)
        log.fellShort = report.fellShort(prescribedReps: item.dose.reps, sets: item.dose.sets)
        try await log.create(on: ctx.db)
        // The clinic's pain limits (CLINICAL.md §6 unless the clinic set its own).
        let breach = report.breachesPainLimit(try await ClinicRulesService(ctx: ctx).rules(clinicID: patient.clinicID).rules)
        if breach, let pain = report.worstPain {
            try await PracticeAlertModel(patientID: patient.id, logID: input.id, exerciseID: item.exerciseID, pain: pain, at: ctx.now)
                .create(on: ctx.db)
        }
        // The engine weighs the exercise again with this session (a suggestion may appear or go).
        try await ProgressionService(ctx: ctx).refresh(patient, itemID: item.id)
        let exercises = try await plans.exercises(for: patient, ids: [item.exerciseID])
        return (dto(log, name: exercises(item.exerciseID)?.name ?? item.exerciseID, alert: breach), true)
    }

    /// The patient's logs from `since` on (or of one plan), oldest first: for progress and the
    /// progression engine.
    func history(_ patient: AuthorizedPatient, since: CalendarDay? = nil, planID: UUID? = nil, itemID: String? = nil) async throws -> [PracticeLogModel] {
        var query = PracticeLogModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
        if let since { query = query.filter(\.$day >= since.description) }
        if let planID { query = query.filter(\.$plan.$id == planID) }
        if let itemID { query = query.filter(\.$itemID == itemID) }
        return try await query.sort(\.$performedAt).limit(5000).all()
    }

    /// Some of the patient's logs, by id (a message's reference).
    func logs(_ patient: AuthorizedPatient, ids: [UUID]) async throws -> [PracticeLogModel] {
        try await PracticeLogModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$id ~~ ids).all()
    }

    func logs(_ patient: AuthorizedPatient, page: ListPage) async throws -> (items: [Log], total: Int) {
        let query = PracticeLogModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
        let total = try await query.count()
        let rows = try await query.sort(\.$performedAt, .descending).offset(page.offset).limit(page.per).all()
        let exercises = try await PlanService(ctx: ctx).exercises(for: patient)
        let alerted = rows.isEmpty ? Set<UUID>() : Set(try await PracticeAlertModel.query(on: ctx.db)
            .filter(\.$log.$id ~~ rows.compactMap(\.id)).all().map(\.$log.id))
        return (rows.map { dto($0, name: exercises($0.exerciseID)?.name ?? $0.exerciseID, alert: alerted.contains($0.id!)) }, total)
    }

    // MARK: Adherence

    func adherence(_ patient: AuthorizedPatient, weeks: Int) async throws -> Adherence {
        let today = patient.day(at: ctx.now)
        let plans = PlanService(ctx: ctx)
        guard let plan = try await plans.latest(patient) else {
            return Adherence(today: today, weeks: [], streak: 0, lastPractised: nil, daysSincePractice: nil)
        }
        let versions = try await plans.versions(of: plan.requireID())
        let inForce = PlanService.inForce(versions)
        let ended = plan.endedAt.map { patient.day(at: $0) }
        let logs = try await PracticeLogModel.query(on: ctx.db).filter(\.$plan.$id == plan.requireID()).all().compactMap(\.logged)
        let since = versions.first?.content.value.startDate ?? today
        let a = PracticeSchedule.adherence(weeks: weeks, today: today, since: since,
                                           plan: { day in ended.map { day > $0 } == true ? nil : inForce(day) }, logs: logs)
        let last = try await lastPractised([patient.id])[patient.id]
        return Adherence(today: today, weeks: a.weeks.map { Week(start: $0.start, sessions: $0.sessions, sessionsDone: $0.sessionsDone, rate: $0.rate) },
                         streak: a.streak, lastPractised: last, daysSincePractice: last.map { max(0, $0.days(to: today)) })
    }

    /// The last day each patient practised anything (skips are not practice): one query.
    func lastPractised(_ patients: [UUID]) async throws -> [UUID: CalendarDay] {
        guard !patients.isEmpty, let sql = ctx.db as? any SQLDatabase else { return [:] }
        struct Row: Decodable {
            var patient_id: UUID
            var last: String
        }
        let rows = try await sql.select().column("patient_id").column(SQLFunction("MAX", args: SQLColumn("day")), as: "last")
            .from(PracticeLogModel.schema).where("patient_id", .in, patients).where("outcome", .notEqual, PracticeSchedule.Outcome.skipped.rawValue)
            .groupBy("patient_id").all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.compactMap { r in (try? CalendarDay(r.last)).map { (r.patient_id, $0) } })
    }

    // MARK: Alerts

    func alerts(_ patient: AuthorizedPatient, openOnly: Bool) async throws -> [Alert] {
        var query = PracticeAlertModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).with(\.$log)
        if openOnly { query = query.filter(\.$acknowledgedAt == nil) }
        let rows = try await query.sort(\.$createdAt, .descending).limit(50).all()
        let exercises = try await PlanService(ctx: ctx).exercises(for: patient)
        return rows.map { a in
            Alert(id: a.id!, logId: a.$log.id, exerciseId: a.exerciseID, exerciseName: exercises(a.exerciseID)?.name ?? a.exerciseID,
                  pain: a.pain, day: a.log.day, createdAt: a.createdAt, acknowledgedAt: a.acknowledgedAt, note: a.log.note)
        }
    }

    /// Marks an alert seen; marking it again changes nothing.
    func acknowledge(_ patient: AuthorizedPatient, alertID: UUID) async throws {
        try await ctx.lockRow(PracticeAlertModel.self, id: alertID)
        guard let alert = try await PracticeAlertModel.query(on: ctx.db).filter(\.$id == alertID).filter(\.$patient.$id == patient.id).first() else {
            throw DomainError.notFound("alert-not-found", "No such alert for this patient.")
        }
        guard alert.acknowledgedAt == nil else { return }
        alert.acknowledgedAt = ctx.now
        alert.$acknowledgedBy.id = ctx.user?.userID
        try await alert.update(on: ctx.db)
    }

    /// For a list of patients: who has an active plan, when each last practised, and how many
    /// alerts wait. Three queries.
    struct StatusLine: Encodable, Sendable {
        var hasPlan: Bool
        var lastPractised: String
        var daysSince: Int?
        var inactive: Bool
        var openAlerts: Int
        var text: String
    }

    /// Patients who have not practised for this many days are marked on the therapist's list.
    static let inactiveDays = ProgressAlerts.Rules().noPracticeDays

    func statuses(for patients: [AuthorizedPatient]) async throws -> [UUID: StatusLine] {
        guard !patients.isEmpty else { return [:] }
        let ids = patients.map(\.id)
        let plans = try await PlanModel.query(on: ctx.db).filter(\.$patient.$id ~~ ids).filter(\.$status == .active).all()
        let planStart = Dictionary(plans.map { ($0.$patient.id, $0.createdAt) }, uniquingKeysWith: { a, _ in a })
        let last = try await lastPractised(ids)
        var alerts: [UUID: Int] = [:]
        for a in try await PracticeAlertModel.query(on: ctx.db).filter(\.$patient.$id ~~ ids).filter(\.$acknowledgedAt == nil).all() {
            alerts[a.$patient.id, default: 0] += 1
        }
        var out: [UUID: StatusLine] = [:]
        for p in patients {
            let today = p.day(at: ctx.now)
            let day = last[p.id]
            let since = day.map { $0.days(to: today) }
            let hasPlan = planStart[p.id] != nil
            // Without any practice, the days count from the plan's start.
            let idle = since ?? planStart[p.id].map { p.day(at: $0).days(to: today) }
            let text: String
            switch (hasPlan, since) {
            case (false, _): text = "No active plan"
            case (true, nil): text = "Not practised yet"
            case (true, 0?): text = "Practised today"
            case (true, 1?): text = "Last practised yesterday"
            case (true, let n?): text = "No practice for \(n) days"
            }
            out[p.id] = StatusLine(hasPlan: hasPlan, lastPractised: day?.description ?? "", daysSince: since,
                                   inactive: hasPlan && (idle ?? 0) >= Self.inactiveDays, openAlerts: alerts[p.id] ?? 0, text: text)
        }
        return out
    }
}
