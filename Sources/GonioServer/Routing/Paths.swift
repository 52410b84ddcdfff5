import Vapor

/// A route's path, written once: features register it (`pattern`) and pages and redirects
/// build links from it (`path(id)`), so a link and its route cannot drift apart.
struct RoutePath: Sendable, CustomStringConvertible {
    let segments: [String]

    init(_ segments: String...) {
        self.segments = segments
    }

    /// For registering the route.
    var pattern: [PathComponent] { segments.map { PathComponent(stringLiteral: $0) } }

    /// The names of the path's parameters, in order (`patientID`).
    var parameters: [String] { segments.filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) } }

    /// The path with its parameters filled in, in order, and an optional query string.
    func callAsFunction(_ values: any CustomStringConvertible..., query: KeyValuePairs<String, String> = [:]) -> String {
        precondition(values.count == parameters.count, "\(self) takes \(parameters.count) values")
        var next = values.makeIterator()
        let filled = segments.map { $0.hasPrefix(":") ? String(describing: next.next()!) : $0 }
        var path = "/" + filled.joined(separator: "/")
        if !query.isEmpty {
            path += "?" + query.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? "")" }
                .joined(separator: "&")
        }
        return path
    }

    /// The path with its parameters and query items (a list's page, its search).
    func callAsFunction(_ values: any CustomStringConvertible..., items: [(String, String)]) -> String {
        precondition(values.count == parameters.count, "\(self) takes \(parameters.count) values")
        var next = values.makeIterator()
        let path = "/" + segments.map { $0.hasPrefix(":") ? String(describing: next.next()!) : $0 }.joined(separator: "/")
        guard !items.isEmpty else { return path }
        return path + "?" + items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? "")" }
            .joined(separator: "&")
    }

    var description: String { "/" + segments.joined(separator: "/") }
}

extension CharacterSet {
    /// What may stand unescaped in a query value: unreserved characters only.
    static let urlQueryValueAllowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

/// Every path Gonio serves.
enum Paths {
    // MARK: Pages
    static let home = RoutePath()
    static let login = RoutePath("login")
    static let logout = RoutePath("logout")
    static let register = RoutePath("register")
    static let dashboard = RoutePath("dashboard")
    static let password = RoutePath("account", "password")
    static let intake = RoutePath("patients", ":patientID", "intake")
    static let intakeDecision = RoutePath("patients", ":patientID", "intake", "decision")
    static let measures = RoutePath("patients", ":patientID", "measures")
    static let measure = RoutePath("patients", ":patientID", "measures", ":assignmentID")
    static let notes = RoutePath("patients", ":patientID", "notes")
    static let noteNew = RoutePath("patients", ":patientID", "notes", "new")
    static let noteEdit = RoutePath("patients", ":patientID", "notes", ":noteID", "edit")
    static let noteSign = RoutePath("patients", ":patientID", "notes", ":noteID", "sign")
    static let noteAddenda = RoutePath("patients", ":patientID", "notes", ":noteID", "addenda")
    static let caregivers = RoutePath("patients", ":patientID", "caregivers")
    static let caregiverRevoke = RoutePath("patients", ":patientID", "caregivers", ":linkID", "revoke")
    static let careTeam = RoutePath("patients", ":patientID", "care-team")
    static let careTeamRemove = RoutePath("patients", ":patientID", "care-team", ":therapistID", "remove")
    static let therapistVerify = RoutePath("clinic", "therapists", ":therapistID", "verify")
    static let therapistReject = RoutePath("clinic", "therapists", ":therapistID", "reject")
    static let clinicAudit = RoutePath("clinic", "audit")
    static let clinicRules = RoutePath("clinic", "progression-rules")
    static let platformClinics = RoutePath("platform", "clinics")
    static let platformClinicAdmins = RoutePath("platform", "clinics", ":clinicID", "admins")
    static let exercises = RoutePath("exercises")
    static let exercise = RoutePath("exercises", ":exerciseID")
    static let exerciseCopy = RoutePath("exercises", ":exerciseID", "copy")
    static let exerciseEdit = RoutePath("exercises", ":exerciseID", "edit")
    static let exerciseArchive = RoutePath("exercises", ":exerciseID", "archive")
    static let exerciseMedia = RoutePath("exercises", ":exerciseID", "media")
    static let exerciseMediaItem = RoutePath("exercises", ":exerciseID", "media", ":mediaID")
    static let exerciseMediaRemove = RoutePath("exercises", ":exerciseID", "media", ":mediaID", "remove")
    static let protocols = RoutePath("protocols")
    static let conditionProtocol = RoutePath("protocols", ":protocolID")
    static let plan = RoutePath("patients", ":patientID", "plan")
    static let planEdit = RoutePath("patients", ":patientID", "plan", "edit")
    static let planEnd = RoutePath("patients", ":patientID", "plan", "end")
    static let planHandout = RoutePath("patients", ":patientID", "plan", "handout")
    static let practice = RoutePath("patients", ":patientID", "practice")
    static let progressPage = RoutePath("patients", ":patientID", "progress")
    static let messagesPage = RoutePath("patients", ":patientID", "messages")
    static let threadPage = RoutePath("patients", ":patientID", "messages", ":threadID")
    static let messageAttachmentPage = RoutePath("patients", ":patientID", "message-photos", ":messageID")
    static let inbox = RoutePath("messages")
    static let dischargePage = RoutePath("patients", ":patientID", "discharge")
    static let maintenancePage = RoutePath("patients", ":patientID", "discharge", "maintenance")
    static let billingPage = RoutePath("patients", ":patientID", "billing")
    static let rtmWorklist = RoutePath("rtm")
    static let superbill = RoutePath("patients", ":patientID", "visits", ":visitID", "superbill")
    static let slidingScalePage = RoutePath("patients", ":patientID", "billing", "sliding-scale")
    static let slidingScaleDecisionPage = RoutePath("patients", ":patientID", "billing", "sliding-scale", "decision")
    static let billingPay = RoutePath("patients", ":patientID", "billing", ":invoiceID", "pay")
    static let billingRecord = RoutePath("patients", ":patientID", "billing", ":invoiceID", "record")
    static let statementPage = RoutePath("patients", ":patientID", "billing", "statement")
    static let visitInvoicePage = RoutePath("patients", ":patientID", "billing", "visits", ":visitID", "invoice")
    static let enrollPage = RoutePath("patients", ":patientID", "billing", "enrollments")
    static let invoiceIssuePage = RoutePath("patients", ":patientID", "billing", "invoices")
    static let receiptPage = RoutePath("patients", ":patientID", "billing", "receipts", ":paymentID")
    static let enrollmentCancelPage = RoutePath("patients", ":patientID", "billing", "enrollments", ":enrollmentID", "cancel")
    static let patientArticle = RoutePath("patients", ":patientID", "learn", ":articleID")
    static let article = RoutePath("learn", ":articleID")
    static let checkInPage = RoutePath("patients", ":patientID", "progress", "checkin")
    static let romPage = RoutePath("patients", ":patientID", "progress", "rom")
    static let suggestionAcceptPage = RoutePath("patients", ":patientID", "suggestions", ":suggestionID", "accept")
    static let suggestionDismissPage = RoutePath("patients", ":patientID", "suggestions", ":suggestionID", "dismiss")
    static let alertAcknowledgePage = RoutePath("patients", ":patientID", "alerts", ":alertID", "acknowledge")
    static let player = RoutePath("patients", ":patientID", "practice", "player")
    static let practiceLogs = RoutePath("patients", ":patientID", "practice", "logs")
    static let practiceAlertAcknowledge = RoutePath("patients", ":patientID", "practice", "alerts", ":alertID", "acknowledge")
    static let visitsPage = RoutePath("visits")
    static let notifications = RoutePath("notifications")
    static let notificationSettings = RoutePath("notifications", "settings")
    static let notificationFeed = RoutePath("notifications", "calendar-feed")
    static let outbox = RoutePath("outbox")
    static let calendarFeed = RoutePath("calendar", ":token")
    static let visitBook = RoutePath("visits", "book")
    static let scheduleHours = RoutePath("visits", "hours")
    static let visitCancelPage = RoutePath("visits", ":visitID", "cancel")
    static let visitMovePage = RoutePath("visits", ":visitID", "move")
    static let visitAttendancePage = RoutePath("visits", ":visitID", "attendance")
    static let visitCalendarFile = RoutePath("visits", ":visitID", "visit.ics")
    static let visitCall = RoutePath("visits", ":visitID", "call")
    static let visitSignal = RoutePath("visits", ":visitID", "signal")
    static let visitGuestsPage = RoutePath("visits", ":visitID", "guests")
    static let visitGuestRemove = RoutePath("visits", ":visitID", "guests", ":guestID", "remove")
    static let motionLive = RoutePath("motion", "live")
    /// A guest's private link to a video visit, and its socket.
    static let guestCall = RoutePath("join", ":token")
    static let guestSignal = RoutePath("join", ":token", "signal")

    // MARK: Operations
    static let health = RoutePath("health")
    static let metrics = RoutePath("metrics")

    // MARK: Static files (Public/)
    static let assetFolders = ["/css/", "/js/", "/img/"]
    static let stylesheet = "/css/gonio.css"
    static let icon = "/img/gonio.svg"
    static let script = "/js/app.js"
    static let demoScript = "/js/demo.js"
    static let playerScript = "/js/player.js"
    static let planScript = "/js/plan.js"
    static let callScript = "/js/call.js"

    /// Where the JSON API lives: bearer tokens only, JSON errors.
    static let apiPrefix = "/api/"

    static func isAPI(_ path: String) -> Bool { path.hasPrefix(apiPrefix) }

    /// Where a body may pass 1 MB: uploads of pictures and videos, and messages with a photo.
    static func allowsLargeBody(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        return (parts.count == 3 && parts[0] == "exercises" && parts[2] == "media")
            || (parts.count == 5 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "exercises" && parts[4] == "media")
            // A message with a photo (the photo's own limit is checked with the message).
            || ((3...4).contains(parts.count) && parts[0] == "patients" && parts[2] == "messages")
            || (parts.count == 5 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "patients" && parts[4] == "threads")
            || (parts.count == 5 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "threads" && parts[4] == "messages")
    }
    static func isAsset(_ path: String) -> Bool { assetFolders.contains(where: path.hasPrefix) }

    // MARK: JSON API
    enum API {
        static let openAPI = RoutePath("api", "v1", "openapi.json")
        static let token = RoutePath("api", "v1", "auth", "token")
        static let accounts = RoutePath("api", "v1", "accounts")
        static let clinics = RoutePath("api", "v1", "clinics")
        static let clinicAdmins = RoutePath("api", "v1", "clinics", ":clinicID", "admins")
        static let me = RoutePath("api", "v1", "me")
        static let mePassword = RoutePath("api", "v1", "me", "password")
        static let patients = RoutePath("api", "v1", "patients")
        static let patient = RoutePath("api", "v1", "patients", ":patientID")
        static let careTeam = RoutePath("api", "v1", "patients", ":patientID", "care-team")
        static let careTeamMember = RoutePath("api", "v1", "patients", ":patientID", "care-team", ":therapistID")
        static let caregivers = RoutePath("api", "v1", "patients", ":patientID", "caregivers")
        static let caregiver = RoutePath("api", "v1", "patients", ":patientID", "caregivers", ":linkID")
        static let therapists = RoutePath("api", "v1", "therapists")
        static let therapist = RoutePath("api", "v1", "therapists", ":therapistID")
        static let therapistVerification = RoutePath("api", "v1", "therapists", ":therapistID", "verification")
        static let audit = RoutePath("api", "v1", "audit")
        static let measureLibrary = RoutePath("api", "v1", "measures")
        static let measureScore = RoutePath("api", "v1", "measures", ":code", "score")
        static let intake = RoutePath("api", "v1", "patients", ":patientID", "intake")
        static let intakeSubmit = RoutePath("api", "v1", "patients", ":patientID", "intake", "submit")
        static let intakeDecision = RoutePath("api", "v1", "patients", ":patientID", "intake", "triage-decision")
        static let measures = RoutePath("api", "v1", "patients", ":patientID", "measures")
        static let measureResponses = RoutePath("api", "v1", "patients", ":patientID", "measures", ":assignmentID", "responses")
        static let notes = RoutePath("api", "v1", "patients", ":patientID", "notes")
        static let noteTemplate = RoutePath("api", "v1", "patients", ":patientID", "notes", "template")
        static let note = RoutePath("api", "v1", "patients", ":patientID", "notes", ":noteID")
        static let noteSign = RoutePath("api", "v1", "patients", ":patientID", "notes", ":noteID", "sign")
        static let noteAddenda = RoutePath("api", "v1", "patients", ":patientID", "notes", ":noteID", "addenda")
        static let exercises = RoutePath("api", "v1", "exercises")
        static let exercise = RoutePath("api", "v1", "exercises", ":exerciseID")
        static let exerciseMedia = RoutePath("api", "v1", "exercises", ":exerciseID", "media")
        static let exerciseMediaItem = RoutePath("api", "v1", "exercises", ":exerciseID", "media", ":mediaID")
        static let protocols = RoutePath("api", "v1", "protocols")
        static let conditionProtocol = RoutePath("api", "v1", "protocols", ":protocolID")
        static let plan = RoutePath("api", "v1", "patients", ":patientID", "plan")
        static let planVersions = RoutePath("api", "v1", "patients", ":patientID", "plan", "versions")
        static let planEnd = RoutePath("api", "v1", "patients", ":patientID", "plan", "end")
        static let today = RoutePath("api", "v1", "patients", ":patientID", "today")
        static let logs = RoutePath("api", "v1", "patients", ":patientID", "logs")
        static let adherence = RoutePath("api", "v1", "patients", ":patientID", "adherence")
        static let practiceAlerts = RoutePath("api", "v1", "patients", ":patientID", "practice-alerts")
        static let practiceAlertAcknowledge = RoutePath("api", "v1", "patients", ":patientID", "practice-alerts", ":alertID", "acknowledge")
        static let notifications = RoutePath("api", "v1", "notifications")
        static let reminderSettings = RoutePath("api", "v1", "me", "reminders")
        static let calendarFeed = RoutePath("api", "v1", "me", "calendar-feed")
        static let therapistSchedule = RoutePath("api", "v1", "therapists", ":therapistID", "schedule")
        static let therapistSlots = RoutePath("api", "v1", "therapists", ":therapistID", "slots")
        static let visits = RoutePath("api", "v1", "visits")
        static let visitSeries = RoutePath("api", "v1", "visits", "series")
        static let visit = RoutePath("api", "v1", "visits", ":visitID")
        static let visitCancel = RoutePath("api", "v1", "visits", ":visitID", "cancel")
        static let visitAttendance = RoutePath("api", "v1", "visits", ":visitID", "attendance")
        static let visitCalendar = RoutePath("api", "v1", "visits", ":visitID", "ics")
        static let visitGuests = RoutePath("api", "v1", "visits", ":visitID", "guests")
        static let readings = RoutePath("api", "v1", "patients", ":patientID", "readings")
        static let rom = RoutePath("api", "v1", "patients", ":patientID", "rom")
        static let checkins = RoutePath("api", "v1", "patients", ":patientID", "checkins")
        static let progress = RoutePath("api", "v1", "patients", ":patientID", "progress")
        static let suggestions = RoutePath("api", "v1", "patients", ":patientID", "suggestions")
        static let suggestionAccept = RoutePath("api", "v1", "suggestions", ":suggestionID", "accept")
        static let suggestionDismiss = RoutePath("api", "v1", "suggestions", ":suggestionID", "dismiss")
        static let alerts = RoutePath("api", "v1", "patients", ":patientID", "alerts")
        static let alertAcknowledge = RoutePath("api", "v1", "patients", ":patientID", "alerts", ":alertID", "acknowledge")
        static let progressionRules = RoutePath("api", "v1", "progression", "rules")
        static let clinicProgressionRules = RoutePath("api", "v1", "clinics", ":clinicID", "progression-rules")
        static let threads = RoutePath("api", "v1", "patients", ":patientID", "threads")
        static let thread = RoutePath("api", "v1", "threads", ":threadID")
        static let threadMessages = RoutePath("api", "v1", "threads", ":threadID", "messages")
        static let messageAttachment = RoutePath("api", "v1", "messages", ":messageID", "attachment")
        static let unread = RoutePath("api", "v1", "messages", "unread")
        static let education = RoutePath("api", "v1", "patients", ":patientID", "education")
        static let dischargeSummary = RoutePath("api", "v1", "patients", ":patientID", "discharge-summary")
        static let maintenancePlan = RoutePath("api", "v1", "patients", ":patientID", "maintenance-plan")
        static let invoices = RoutePath("api", "v1", "patients", ":patientID", "invoices")
        static let invoicePayments = RoutePath("api", "v1", "invoices", ":invoiceID", "payments")
        static let invoiceCheckout = RoutePath("api", "v1", "invoices", ":invoiceID", "checkout")
        static let invoicePlan = RoutePath("api", "v1", "invoices", ":invoiceID", "plan")
        static let statement = RoutePath("api", "v1", "patients", ":patientID", "statement")
        static let visitInvoice = RoutePath("api", "v1", "visits", ":visitID", "invoice")
        static let enrollmentCancel = RoutePath("api", "v1", "patients", ":patientID", "enrollments", ":enrollmentID", "cancel")
        static let paymentWebhook = RoutePath("api", "v1", "payments", "webhook")
        static let coverage = RoutePath("api", "v1", "patients", ":patientID", "coverage")
        static let coverageRank = RoutePath("api", "v1", "patients", ":patientID", "coverage", ":rank")
        static let rtm = RoutePath("api", "v1", "patients", ":patientID", "rtm")
        static let clinicPrices = RoutePath("api", "v1", "clinics", ":clinicID", "prices")
        static let visitCost = RoutePath("api", "v1", "patients", ":patientID", "visit-cost")
        static let slidingScale = RoutePath("api", "v1", "patients", ":patientID", "sliding-scale")
        static let slidingScaleDecision = RoutePath("api", "v1", "patients", ":patientID", "sliding-scale", "decision")
        static let enrollments = RoutePath("api", "v1", "patients", ":patientID", "enrollments")
        static let visitCoding = RoutePath("api", "v1", "visits", ":visitID", "coding")
        static let visitClaim = RoutePath("api", "v1", "visits", ":visitID", "claim")
        static let rtmTime = RoutePath("api", "v1", "patients", ":patientID", "rtm", "time")
        static let rtmWorklist = RoutePath("api", "v1", "rtm", "worklist")
        static let educationRead = RoutePath("api", "v1", "patients", ":patientID", "education", ":articleID", "read")
        static let articles = RoutePath("api", "v1", "education")
        static let article = RoutePath("api", "v1", "education", ":articleID")
        static let motionLive = RoutePath("api", "v1", "motion", "live")
        static let motionExercises = RoutePath("api", "v1", "motion", "exercises")
        static let visitGuest = RoutePath("api", "v1", "visits", ":visitID", "guests", ":guestID")
    }
}

/// The builders a feature registers its routes on: its JSON API and its pages, side by side.
struct FeatureRoutes {
    /// API routes anyone may call (sign-in, registration, the measure library).
    let openAPI: any RoutesBuilder
    /// API routes for signed-in callers: 401 comes before any input is read.
    let api: any RoutesBuilder
    /// Web pages; every unsafe request carries a CSRF token.
    let web: any RoutesBuilder
}

/// A capability of Gonio in its own folder: its routes (API and pages), service, models, DTOs
/// and page contexts.
protocol Feature: Sendable {
    func register(_ routes: FeatureRoutes)
}

extension RoutesBuilder {
    @discardableResult
    func get<R: AsyncResponseEncodable>(_ path: RoutePath, use handler: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(.GET, path.pattern, use: handler)
    }

    @discardableResult
    func post<R: AsyncResponseEncodable>(_ path: RoutePath, use handler: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(.POST, path.pattern, use: handler)
    }

    @discardableResult
    func put<R: AsyncResponseEncodable>(_ path: RoutePath, use handler: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(.PUT, path.pattern, use: handler)
    }

    @discardableResult
    func patch<R: AsyncResponseEncodable>(_ path: RoutePath, use handler: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(.PATCH, path.pattern, use: handler)
    }

    @discardableResult
    func delete<R: AsyncResponseEncodable>(_ path: RoutePath, use handler: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(.DELETE, path.pattern, use: handler)
    }
}
