import Vapor
import GonioCore

/// The progress page. The patient (and a caregiver who sees the record) reads it in plain words
/// and large type, with the morning check-in on top; the therapist gets the summary since the
/// last visit, alerts and suggestions to act on, then the same charts. Every chart has its table.
enum ProgressPage {
    struct Table: Encodable {
        var headers: [String]
        var rows: [[String]]
    }

    struct Key: Encodable {
        var name: String
        var style: String
    }

    struct ChartBlock: Encodable {
        var id: String
        var heading: String
        var note: String
        var svg: String
        var table: Table
        /// What each line is (only when there is more than one).
        var legend: [Key] = []
    }

    struct SuggestionRow: Encodable {
        var exercise: String
        var decision: String
        var verb: String
        var from: String
        var to: String
        var variant: String?
        var reasons: [String]
        var accept: String
        var dismiss: String
        var sets: Int
        var reps: Int
        var holdSeconds: Int
        var load: String
        var id: String
    }

    struct AlertRow: Encodable {
        var title: String
        var detail: String
        var link: String
        var when: String
        var acknowledge: String
    }

    struct Question: Encodable {
        var id: String
        var text: String
    }

    struct CheckInForm: Encodable {
        var action: String
        var questions: [Question]
        var today: String?
        var scale: [Int] = Array(0...10)
    }

    struct GoalRow: Encodable {
        var text: String
        var term: String
        var target: String
        var status: String
    }

    struct ArticleRow: Encodable {
        var title: String
        var summary: String
        var link: String
        var status: String
    }

    struct Context: Encodable {
        var articles: [ArticleRow]
        var patientName: String
        var isSelf: Bool
        var clinician: Bool
        var summary: [String]
        var sinceHeading: String
        var headline: [String]
        var charts: [ChartBlock]
        var suggestions: [SuggestionRow]
        var alerts: [AlertRow]
        var changes: [String]
        var goals: [GoalRow]
        var checkIn: CheckInForm?
        var practiceLink: String
        var planLink: String
        var dischargeLink: String
        /// The therapist records a range of motion measured by hand.
        var romForm: RomForm?
    }

    struct RomForm: Encodable {
        struct Choice: Encodable { var value: String; var label: String }
        var action: String
        var motions: [Choice]
        var today: String
    }

    static func render(_ req: Request, message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.progressRead, patientID: id, resource: ProgressRoutes.resource(id),
                                                   also: [.suggestionList, .alertList])
        let progress = try await ProgressService(ctx: ctx).progress(patient)
        let clinician = patient.may(.writeClinical)
        let isSelf = ctx.user?.patientID == id
        var charts: [ChartBlock] = []
        let to = progress.today

        // Pain.
        let during = progress.pain.compactMap { p in p.during.map { (day: p.day, value: Double($0)) } }
        let after = progress.pain.compactMap { p in p.after.map { (day: p.day, value: Double($0)) } }
        let morning = progress.mornings.map { (day: $0.day, value: Double($0.pain)) }
        var painRows: [CalendarDay: [String]] = [:]
        for p in progress.pain { painRows[p.day] = [p.day.longName, p.during.map(String.init) ?? "", p.after.map(String.init) ?? "", ""] }
        for m in progress.mornings { painRows[m.day, default: [m.day.longName, "", "", ""]][3] = String(m.pain) }
        let painSeries: [Chart.Series] = [.init(name: "During exercise", style: "series-1", points: during),
                                          .init(name: "After exercise", style: "series-2", points: after),
                                          .init(name: "On waking", style: "series-3", points: morning)]
        let painFrom = Chart.start(of: (during + after + morning).map(\.day), to: to)
        charts.append(ChartBlock(
            id: "chart-pain", heading: isSelf ? "Your pain" : "Pain",
            note: "0 is no pain, 10 the worst. Up to 5 during exercise is acceptable if it settles by the next morning.",
            svg: Chart.lines(id: "chart-pain", title: "Pain over the last \(ProgressService.days / 7) weeks",
                             description: "Worst pain during and after exercise each day, and pain on waking, 0 to 10.",
                             from: painFrom, to: to, yMin: 0, yMax: 10, ticks: [0, 5, 10], series: painSeries,
                             band: (0, 5, "acceptable during exercise (up to 5)")),
            table: Table(headers: ["Day", "During", "After", "On waking"], rows: painRows.keys.sorted().map { painRows[$0]! }),
            legend: painSeries.map { Key(name: $0.name, style: $0.style) }))

        // Adherence.
        charts.append(ChartBlock(
            id: "chart-weeks", heading: isSelf ? "Sessions done each week" : "Weekly adherence", note: "Sessions done out of those in the plan.",
            svg: Chart.weeks(id: "chart-weeks", title: "Sessions done each week", description: "For each of the last weeks, the share of planned sessions done.",
                             weeks: progress.adherence),
            table: Table(headers: ["Week of", "Done", "Planned", "Share"], rows: progress.adherence.map {
                [$0.start.longName, String($0.sessionsDone), String($0.sessions), $0.rate.map { "\(Int(($0 * 100).rounded()))%" } ?? "–"]
            })))

        // Measures.
        for m in progress.measures {
            let points = m.scores.map { (day: patient.day(at: $0.at), value: $0.score) }
            var band: (Double, Double, String)?
            if let first = m.scores.first?.score, let mc = m.meaningfulPoints {
                band = m.direction == "higher-is-better" ? (first + mc, m.scoreRange[1], "meaningful improvement") : (m.scoreRange[0], first - mc, "meaningful improvement")
            }
            let lo = m.scoreRange[0], hi = m.scoreRange[1]
            let change = m.difference.map { d in
                "\(d >= 0 ? "+" : "")\(Progression.n((d * 10).rounded() / 10)) since the first" + (m.meaningful == true ? ", a meaningful change" : "")
            } ?? "One score so far"
            charts.append(ChartBlock(
                id: "chart-\(m.code)", heading: m.name,
                note: "\(m.direction == "higher-is-better" ? "Higher is better" : "Lower is better"). \(change).\(m.meaningfulChange.map { " Meaningful change: \($0)." } ?? "")",
                svg: Chart.lines(id: "chart-\(m.code)", title: m.name, description: "\(m.name) scores over time. \(change).",
                                 from: Chart.start(of: points.map(\.day), to: to), to: to, yMin: lo, yMax: hi, ticks: [lo, (lo + hi) / 2, hi],
                                 series: [.init(name: m.name, style: "series-1", points: points)], band: band),
                table: Table(headers: ["Date", "Score"], rows: points.map { [$0.day.longName, Progression.n(($0.value * 10).rounded() / 10)] })))
        }

        // Range of motion.
        for r in progress.rom {
            let highs = r.points.map { (day: $0.day, value: $0.max) }
            let top = max(90, ((highs.map(\.value).max() ?? 90) / 10).rounded(.up) * 10 + 10)
            let romSeries: [Chart.Series] = [
                .init(name: "Practice (camera)", style: "series-1", points: r.points.filter { $0.source == "practice" }.map { (day: $0.day, value: $0.max) }),
                .init(name: "Video visit (goniometer)", style: "series-3", points: r.points.filter { $0.source == "visit" }.map { (day: $0.day, value: $0.max) }),
                .init(name: "Measured by hand", style: "series-2", points: r.points.filter { $0.source == "goniometer" }.map { (day: $0.day, value: $0.max) }),
            ]
            let chartID = "chart-rom-" + r.exercise.replacingOccurrences(of: ":", with: "-")
            charts.append(ChartBlock(
                id: chartID, heading: "Range of motion: \(r.exerciseName)",
                note: r.points.allSatisfy { $0.source == "goniometer" }
                    ? "The end of the range, in degrees, measured by hand with a goniometer."
                    : "The largest \(r.measure) reached, in degrees: from the camera during practice and from the goniometer in video visits.",
                svg: Chart.lines(id: chartID, title: "\(r.exerciseName): \(r.measure) reached",
                                 description: "Degrees of \(r.measure) reached each time it was measured.",
                                 from: Chart.start(of: highs.map(\.day), to: to), to: to,
                                 yMin: 0, yMax: top, ticks: [0, (top / 2).rounded(), top], series: romSeries),
                table: Table(headers: ["Day", "From", "To", "Measured"], rows: r.points.map {
                    [$0.day.longName, "\(Int($0.min.rounded()))°", "\(Int($0.max.rounded()))°", Self.sourceName($0.source)]
                }), legend: romSeries.filter { !$0.points.isEmpty }.count > 1 ? romSeries.map { Key(name: $0.name, style: $0.style) } : []))
        }
        for t in progress.tracked where t.points.contains(where: { $0.formScore != nil }) {
            charts.append(ChartBlock(
                id: "chart-form-\(t.exercise)", heading: "Form: \(t.exerciseName)", note: "The camera's form score, 0 to 100, and repetitions it counted.",
                svg: Chart.lines(id: "chart-form-\(t.exercise)", title: "\(t.exerciseName): form score", description: "Form score 0 to 100 each tracked session.",
                                 from: Chart.start(of: t.points.map(\.day), to: to), to: to, yMin: 0, yMax: 100, ticks: [0, 50, 100],
                                 series: [.init(name: "Form", style: "series-2", points: t.points.compactMap { p in p.formScore.map { (day: p.day, value: Double($0)) } })]),
                table: Table(headers: ["Day", "Repetitions counted", "Form"], rows: t.points.map { [$0.day.longName, String($0.reps), $0.formScore.map { "\($0)/100" } ?? "–"] })))
        }

        // The therapist's work.
        var suggestions: [SuggestionRow] = []
        var alerts: [AlertRow] = []
        if clinician {
            for s in try await ProgressionService(ctx: ctx).pending(patient) {
                let sid = s.id
                let to = s.proposed
                suggestions.append(SuggestionRow(
                    exercise: s.exerciseName, decision: s.decision, verb: s.decision == "progress" ? "Progress" : "Regress", from: s.doseFrom, to: s.doseTo,
                    variant: s.variantName, reasons: s.reasons, accept: Paths.suggestionAcceptPage(id, sid), dismiss: Paths.suggestionDismissPage(id, sid),
                    sets: to.sets, reps: to.reps, holdSeconds: to.holdSeconds, load: to.load ?? "", id: sid.uuidString))
            }
            let time = DateFormatter()
            time.dateStyle = .medium
            time.timeStyle = .short
            time.timeZone = patient.timeZone.timeZone
            alerts = try await AlertService(ctx: ctx).list(patient, openOnly: true).map {
                AlertRow(title: $0.title, detail: $0.detail, link: $0.link, when: time.string(from: $0.createdAt), acknowledge: Paths.alertAcknowledgePage(id, $0.id))
            }
        }
        let changes = try await ProgressionService(ctx: ctx).recentChanges(patient).map { row -> String in
            let day = patient.day(at: row.decidedAt ?? row.createdAt).longName
            return "\(day): \(row.doseFrom.value.summary) → \(row.doseTo.value.summary). \(row.reasons.value.first ?? "")"
        }
        let today = progress.today
        let checkInForm: CheckInForm? = patient.may(.logPractice) ? CheckInForm(
            action: Paths.checkInPage(id), questions: CheckIn.questions.map { Question(id: $0.id, text: $0.text) },
            today: progress.mornings.last.flatMap { $0.day == today ? "You checked in today: pain \($0.pain)/10 on waking. You can change it." : nil }) : nil

        let articles = try await EducationService(ctx: ctx).assigned(patient).map { a in
            ArticleRow(title: a.title, summary: a.summary, link: Paths.patientArticle(id, a.id),
                       status: a.readAt.map { "Read on \(patient.day(at: $0).longName)" } ?? (isSelf ? "New for you" : "Not read yet"))
        }
        let context = Context(
            articles: articles, patientName: patient.name, isSelf: isSelf, clinician: clinician, summary: progress.sinceLastVisit.lines,
            sinceHeading: progress.sinceLastVisit.since.map { "Since the visit on \($0.longName)" } ?? "The last two weeks",
            headline: headline(progress, isSelf: isSelf), charts: charts, suggestions: suggestions, alerts: alerts, changes: changes,
            goals: progress.goals.map { GoalRow(text: $0.text, term: $0.term == "short" ? "Short term" : "Long term", target: $0.targetDate.longName,
                                                status: $0.status.replacingOccurrences(of: "-", with: " ")) },
            checkIn: checkInForm, practiceLink: Paths.practice(id), planLink: Paths.plan(id), dischargeLink: Paths.dischargePage(id),
            romForm: patient.may(.writeClinical) ? RomForm(action: Paths.romPage(id), motions: JointMotion.allCases.map {
                .init(value: $0.rawValue, label: "\($0.name) (normal 0–\(Progression.n($0.normalEnd))°)")
            }, today: today.description) : nil)
        return try await WebPage.render(req, "progress", title: "Progress", context, notice: WebPage.notice(req, [
            "checked-in": "Thank you. Your check-in is saved.",
            "checked-in-therapist-review": "Your check-in is saved. \(ProgressRoutes.advice(.therapistReview)!)",
            "checked-in-urgent-in-person": "Your check-in is saved. \(ProgressRoutes.advice(.urgentInPerson)!)",
            "checked-in-emergency": "Your check-in is saved. \(ProgressRoutes.advice(.emergency)!)",
            "accepted": "The plan is changed; the patient sees the new dose and why.",
            "dismissed": "The suggestion is dismissed.",
            "acknowledged": "The alert is marked as seen.",
            "rom-recorded": "The measurement is saved and drawn on its chart.",
        ]), error: message, status: status)
    }

    static func sourceName(_ source: String) -> String {
        switch source {
        case "visit": "video visit"
        case "goniometer": "by hand (goniometer)"
        default: "practice camera"
        }
    }

    /// Two or three sentences for the patient.
    static func headline(_ p: ProgressService.Progress, isSelf: Bool) -> [String] {
        var out: [String] = []
        let you = isSelf ? "you" : "they"
        // The week just begun says little on a Monday: then last week speaks.
        let weeks = p.adherence.filter { $0.sessions > 0 }
        if let week = weeks.last, week.start.days(to: p.today) >= 3 || weeks.count < 2 {
            out.append("This week \(you) did \(week.sessionsDone) of \(week.sessions) planned sessions so far.")
        } else if weeks.count >= 2 {
            let week = weeks[weeks.count - 2]
            out.append("Last week \(you) did \(week.sessionsDone) of \(week.sessions) planned sessions.")
        }
        let recent = p.pain.suffix(5).compactMap(\.during)
        let earlier = p.pain.prefix(5).compactMap(\.during)
        if !recent.isEmpty {
            let now = Double(recent.reduce(0, +)) / Double(recent.count)
            var line = "Pain during exercise has been about \(Progression.n(now.rounded()))/10 lately"
            if p.pain.count >= 8, !earlier.isEmpty {
                let then = Double(earlier.reduce(0, +)) / Double(earlier.count)
                line += then - now >= 1 ? ", down from about \(Progression.n(then.rounded()))" : now - then >= 1 ? ", up from about \(Progression.n(then.rounded()))" : ""
            }
            out.append(line + ".")
        }
        for m in p.measures where m.meaningful == true { out.append("\(m.name): a meaningful improvement since the first score.") }
        return out
    }
}
