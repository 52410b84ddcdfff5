import Vapor
import Leaf
import GonioCore

/// What every page's layout needs.
struct Layout: Encodable {
    struct NavUser: Encodable {
        var name: String
        var roleName: String
    }

    /// The site-wide links, built from `Paths` like every other link.
    struct Links: Encodable {
        var home = Paths.home()
        var dashboard = Paths.dashboard()
        var exercises = Paths.exercises()
        var visits = Paths.visitsPage()
        var notifications = Paths.notifications()
        var messages = Paths.inbox()
        var password = Paths.password()
        var login = Paths.login()
        var logout = Paths.logout()
        var register = Paths.register()
        var audit = Paths.clinicAudit()
        var rules = Paths.clinicRules()
        var rtm = Paths.rtmWorklist()
        var stylesheet = Paths.stylesheet
        var icon = Paths.icon
        var script = Paths.script
    }

    var title: String
    var user: NavUser?
    var csrf: String
    var notice: String?
    var error: String?
    var links = Links()
}

struct Page<Body: Encodable>: Encodable {
    var layout: Layout
    var page: Body
}

struct Empty: Encodable {}

/// A choice in a select, radio group or checkbox list.
struct Choice: Encodable {
    var value: String
    var label: String
    var selected: Bool
}

extension Choice {
    /// The US states by name, each valued by its jurisdiction code ("US-CA"), `selected` marked.
    static func usStates(selected: String?) -> [Choice] {
        Jurisdiction.usStates.sorted { $0.value < $1.value }.map { Choice(value: "US-\($0.key)", label: $0.value, selected: "US-\($0.key)" == selected) }
    }
}

/// The "previous / next" links and the search box of a paginated list.
struct Pager: Encodable {
    var page: Int
    var pages: Int
    var total: Int
    var query: String
    var previous: String?
    var next: String?

    /// The query items of page `number` of a list: its size when not the default, its search.
    static func items(_ request: ListPage, page number: Int, search: NameSearch? = nil) -> [(String, String)] {
        var items: [(String, String)] = []
        if let search { items.append(("q", search.text)) }
        items.append(("page", String(number)))
        if request.per != ListPage.defaultPer { items.append(("per", String(request.per))) }
        return items
    }

    /// `link(page)` builds the address of another page of the same list.
    init(_ request: ListPage, total: Int, query: String?, link: (Int) -> String) {
        page = request.page
        pages = request.pageCount(total: total)
        self.total = total
        self.query = query ?? ""
        previous = request.page > 1 ? link(request.page - 1) : nil
        next = request.page < pages ? link(request.page + 1) : nil
    }
}

enum WebPage {
    /// Renders `template` inside the shared layout with the given status.
    static func render<Body: Encodable>(
        _ req: Request, _ template: String, title: String, _ body: Body,
        notice: String? = nil, error: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        var notice = notice
        if notice == nil, req.storage[SignedOutKey.self] == true {
            notice = "You were signed out after a period without activity. Sign in again to continue."
        }
        let user = req.currentUser.map { Layout.NavUser(name: $0.name, roleName: $0.role.displayName) }
        let layout = Layout(title: title, user: user, csrf: req.csrfToken, notice: notice, error: error)
        let view = try await req.view.render(template, Page(layout: layout, page: body))
        let response = try await view.encodeResponse(for: req)
        response.status = status
        return response
    }

    /// Runs a form's action; when a rule refuses it (invalid input or a conflict), shows the
    /// page again with the message and the real status instead of an error page.
    static func submitting(_ action: () async throws -> Response,
                           orShow page: (_ message: String, _ status: HTTPResponseStatus) async throws -> Response) async throws -> Response {
        do {
            return try await action()
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await page(error.message, HTTPResponseStatus(domain: error))
        }
    }

    /// Lets a page run the pose model (camera counting, a visit's goniometer): it runs as
    /// WebAssembly, from where the clinic serves it (`GONIO_POSE_MODEL_URL`). Pages without it
    /// keep the strict policy of `SecurityHeaders`.
    static func allowPoseModel(_ page: Response, from model: String?) {
        guard let model else { return }
        let origin = model.hasPrefix("/") ? "" : " " + (URL(string: model).flatMap { u in u.host.map { "\(u.scheme ?? "https")://\($0)" + (u.port.map { ":\($0)" } ?? "") } } ?? "")
        page.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            + "script-src 'self' 'wasm-unsafe-eval'\(origin); connect-src 'self'\(origin); media-src 'self' blob:; worker-src 'self' blob:; "
            + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
    }

    /// A redirect after a successful form (303, so a reload does not post again).
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: ["Location": location])
    }

    /// The notice a page shows for `?notice=code`, if the code is one of `notices`.
    static func notice(_ req: Request, _ notices: [String: String]) -> String? {
        (try? req.query.get(String.self, at: "notice")).flatMap { notices[$0] }
    }

    static func errorPage(_ req: Request, status: HTTPResponseStatus, message: String) async throws -> Response {
        struct ErrorContext: Encodable {
            var code: UInt
            var heading: String
            var message: String
        }
        let heading = switch status {
        case .notFound: "Page not found"
        case .forbidden: "Not allowed"
        case .tooManyRequests: "Too many attempts"
        case .internalServerError: "Something went wrong"
        default: status.reasonPhrase
        }
        return try await render(req, "error", title: heading,
                                ErrorContext(code: status.code, heading: heading, message: message), status: status)
    }
}

extension HTTPResponseStatus {
    /// The status a DomainError maps to, for re-rendering a form with the error.
    init(domain error: DomainError) {
        self = GonioErrorMiddleware.describe(error).0
    }
}

extension Request {
    /// A form body, decoded only after the handler has authorised the caller.
    func form<T: Decodable>(_ type: T.Type) throws -> T {
        try content.decode(T.self)
    }

    /// The list a page asks for: `?page=&per=&q=`.
    func listRequest() throws -> (ListPage, NameSearch?) {
        let page = try ListPage(pageText: try? query.get(String.self, at: "page"), perText: try? query.get(String.self, at: "per"))
        return (page, try NameSearch(try? query.get(String.self, at: "q")))
    }
}
