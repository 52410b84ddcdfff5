import Vapor
import Fluent
import GonioCore
import GonioMotion

/// A patient's progress over time, as series for charts and tables: pain in sessions and on
/// waking, weekly adherence, outcome measures against their meaningful change, range of motion
/// (camera-counted practice and visit readings), reps and form per tracked exercise, the goals,
/// and a summary since the last visit the therapist reads in half a minute.
struct ProgressService {
    let ctx: CallContext

    /// How far back the series go.
    static let days = 56

    struct PainDay: Content {
        var day: CalendarDay
        /// The worst reported that day (several sessions: the worst of each).
        var before: Int?
        var during: Int?
        var after: Int?
    }

    struct Morning: Content {
        var day: CalendarDay
        var pain: Int
        /// The red-flag screen's outcome for that day's answers.
        var triage: String
    }

    struct Score: Content {
        var at: Date
        var score: Double
    }

    struct MeasureSeries: Content {
        var code: String
        var name: String
        var direction: String
        var scoreRange: [Double]
        /// The smallest change that matters, in words, with its source.
        var meaningfulChange: String?
        var meaningfulPoints: Double?
        var scores: [Score]
        /// First to latest, and whether it passes the meaningful change.
        var difference: Double?
        var meaningful: Bool?
    }

    struct RomPoint: Content {
        var day: CalendarDay
        var min: Double
        var max: Double
        /// "practice" (the player's camera), "visit" (the goniometer in a video visit) or
        /// "goniometer" (measured by hand).
        var source: String
    }

    struct RomSeries: Content {
        var exercise: String
        var exerciseName: String
        var measure: String
        var points: [RomPoint]
    }

    struct TrackedPoint: Content {
        var day: CalendarDay
        var reps: Int
        var formScore: Int?
    }

    struct TrackedSeries: Content {
        var exercise: String
        var exerciseName: String
        var points: [TrackedPoint]
    }

    struct GoalView: Content {
        var text: String
        var term: String
        var targetDate: CalendarDay
        var status: String
    }

    struct SinceLastVisit: Content {
        var since: CalendarDay?
        var lines: [String]
    }

    struct Progress: Content {
        var patientId: UUID
        var today: CalendarDay
        var from: CalendarDay
        var pain: [PainDay]
        var mornings: [Morning]
        var adherence: [PracticeService.Week]
        var measures: [MeasureSeries]
        var rom: [RomSeries]
        var tracked: [TrackedSeries]
        var goals: [GoalView]
        var sinceLastVisit: SinceLastVisit
    }

    func progress(_ patient: AuthorizedPatient) async throws -> Progress {
        let today = patient.day(at: ctx.now)
        let from = today.adding(days: -Self.days)
        let practice = PracticeService(ctx: ctx)
        let logs = try await practice.history(patient, since: from)
        let exercises = try await PlanService(ctx: ctx).exercises(for: patient, ids: Array(Set(logs.map(\.exerciseID))))

        // Pain per day.
        var pain: [CalendarDay: PainDay] = [:]
        for log in logs where log.outcome != .skipped {
            guard let day = try? CalendarDay(log.day) else { continue }
            var p = pain[day] ?? PainDay(day: day)
            func worst(_ a: Int?, _ b: Int?) -> Int? { [a, b].compactMap { $0 }.max() }
            p.before = worst(p.before, log.painBefore)
            p.during = worst(p.during, log.painDuring)
            p.after = worst(p.after, log.painAfter)
            pain[day] = p
        }
        let checkIns = try await CheckInService(ctx: ctx).list(patient, since: from)
        let mornings = checkIns.compactMap { row in (try? CalendarDay(row.day)).map { Morning(day: $0, pain: row.morningPain, triage: row.triage) } }

        // Measures.
        let responses = try await MeasureService(ctx: ctx).responses(patient)
        let measures: [MeasureSeries] = Dictionary(grouping: responses, by: \.code).compactMap { code, rows -> MeasureSeries? in
            guard let m = MeasureLibrary.measure(code: code) else { return nil }
            let ordered = rows.sorted { $0.completedAt < $1.completedAt }
            let change = ordered.count > 1 ? MeasureScoring.change(m, first: ordered.first!.score, latest: ordered.last!.score) : nil
            return MeasureSeries(code: code, name: m.name, direction: m.direction.rawValue, scoreRange: [m.scoreRange.lowerBound, m.scoreRange.upperBound],
                                 meaningfulChange: m.meaningfulChange?.summary, meaningfulPoints: m.meaningfulChange?.points,
                                 scores: ordered.map { Score(at: $0.completedAt, score: $0.score) }, difference: change?.difference, meaningful: change?.meaningful)
        }.sorted { $0.name < $1.name }

        // Range of motion and tracked sessions: from the player's camera and visit readings.
        var rom: [String: RomSeries] = [:]
        var tracked: [String: TrackedSeries] = [:]
        for log in logs {
            guard let motion = log.report.motion, let day = try? CalendarDay(log.day) else { continue }
            let name = MotionSpecs.spec(motion.spec)?.name ?? exercises(log.exerciseID)?.name ?? motion.spec
            if let lo = motion.romMin, let hi = motion.romMax {
                rom[motion.spec, default: RomSeries(exercise: motion.spec, exerciseName: name, measure: MotionSpecs.spec(motion.spec)?.measure.label ?? "range", points: [])]
                    .points.append(RomPoint(day: day, min: lo, max: hi, source: "practice"))
            }
            tracked[motion.spec, default: TrackedSeries(exercise: motion.spec, exerciseName: name, points: [])]
                .points.append(TrackedPoint(day: day, reps: motion.repsCounted, formScore: motion.formScore))
        }
        for row in try await VisitReadingService(ctx: ctx).readings(patient) {
            let r = row.reading.value
            let day = patient.day(at: row.recordedAt)
            guard day >= from else { continue }
            // The side that moved further is the one followed.
            let sides = [r.left, r.right].compactMap { $0 }
            guard let side = sides.max(by: { ($0.max - $0.min) < ($1.max - $1.min) }) else { continue }
            rom[r.exercise, default: RomSeries(exercise: r.exercise, exerciseName: r.exerciseName, measure: r.measure, points: [])]
                .points.append(RomPoint(day: day, min: side.min, max: side.max, source: "visit"))
        }

        // Measured by hand: one series per motion and side.
        for row in try await RomService(ctx: ctx).list(patient, since: from) {
            let m = row.measurement.value
            rom[m.seriesKey, default: RomSeries(exercise: m.seriesKey, exerciseName: m.seriesName, measure: m.motion.name.lowercased(), points: [])]
                .points.append(RomPoint(day: m.measuredOn, min: m.start, max: m.end, source: "goniometer"))
        }

        let goals = try await NoteService(ctx: ctx).currentGoals(patient)?.goals.map {
            GoalView(text: $0.text, term: $0.term.rawValue, targetDate: $0.targetDate, status: $0.status.rawValue)
        } ?? []
        let adherence = try await practice.adherence(patient, weeks: 8)
        let summary = try await sinceLastVisit(patient, today: today, logs: logs, mornings: mornings, measures: responses)
        return Progress(patientId: patient.id, today: today, from: from, pain: pain.values.sorted { $0.day < $1.day }, mornings: mornings,
                        adherence: adherence.weeks, measures: measures,
                        rom: rom.values.map { var s = $0; s.points.sort { $0.day < $1.day }; return s }.sorted { $0.exerciseName < $1.exerciseName },
                        tracked: tracked.values.sorted { $0.exerciseName < $1.exerciseName }, goals: goals, sinceLastVisit: summary)
    }

    /// Since the last attended visit, in a few plain lines: practice against plan, pain then and
    /// now, mornings, measures done, open alerts and suggestions waiting.
    func sinceLastVisit(_ patient: AuthorizedPatient, today: CalendarDay, logs: [PracticeLogModel], mornings: [Morning],
                        measures: [MeasureResponseModel]) async throws -> SinceLastVisit {
        let visits = try await VisitService(ctx: ctx).visits(of: patient, from: ctx.now.addingTimeInterval(-180 * 86_400))
        let last = visits.filter { $0.status == .completed && $0.startAt <= ctx.now }.max { $0.startAt < $1.startAt }
        let since = last.map { patient.day(at: $0.startAt) }
        let start = since ?? today.adding(days: -14)
        var lines: [String] = []
        let recent = logs.filter { (try? CalendarDay($0.day)).map { $0 > start } == true }
        let done = recent.filter { $0.outcome != .skipped }
        let days = Set(done.map(\.day)).count
        lines.append(since.map { "Since the visit on \($0.longName) (\($0.days(to: today)) days): " } ?? "In the last 14 days: ")
        lines[0] += done.isEmpty ? "no practice logged." : "\(done.count) exercises logged on \(days) day\(days == 1 ? "" : "s")"
            + (recent.count > done.count ? ", \(recent.count - done.count) skipped." : ".")
        let before = logs.filter { (try? CalendarDay($0.day)).map { $0 <= start } == true }.compactMap { $0.report.worstPain }
        let after = done.compactMap { $0.report.worstPain }
        if !after.isEmpty {
            let now = Double(after.reduce(0, +)) / Double(after.count)
            var line = "Session pain averaged \(Progression.n(now))/10 (worst \(after.max()!))"
            if !before.isEmpty { line += ", against \(Progression.n(Double(before.reduce(0, +)) / Double(before.count)))/10 before" }
            lines.append(line + ".")
        }
        let recentMornings = mornings.filter { $0.day > start }
        if !recentMornings.isEmpty {
            lines.append("Morning pain \(recentMornings.map { "\($0.pain)" }.joined(separator: ", ")) on \(recentMornings.count) check-in\(recentMornings.count == 1 ? "" : "s").")
        }
        let newScores = measures.filter { patient.day(at: $0.completedAt) > start }
        for r in newScores { lines.append("\(MeasureLibrary.measure(code: r.code)?.name ?? r.code): \(Progression.n(r.score)) (\(r.interpretation)).") }
        let alerts = try await AlertService(ctx: ctx).list(patient, openOnly: true)
        if !alerts.isEmpty { lines.append("\(alerts.count) open alert\(alerts.count == 1 ? "" : "s"): \(alerts.prefix(3).map(\.title).joined(separator: "; ")).") }
        let pending = try await ProgressionService(ctx: ctx).pending(patient)
        if !pending.isEmpty {
            lines.append("\(pending.count) suggestion\(pending.count == 1 ? "" : "s") waiting: "
                         + pending.prefix(3).map { "\($0.decision) \($0.exerciseName)" }.joined(separator: "; ") + ".")
        }
        return SinceLastVisit(since: since, lines: lines)
    }
}

