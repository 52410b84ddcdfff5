/// Rules for text that arrives from outside before anything else reads it.
public enum InputRules {
    /// Whether `text` holds a control character: C0 (U+0000 to U+001F), DEL and C1 (U+0080 to
    /// U+009F). Free text may keep tab, line feed and carriage return (`allowingLineBreaks`);
    /// nothing else of these has a use in a name, an email, a note or a filter, and NUL in
    /// particular is refused by PostgreSQL's text type.
    public static func hasControlCharacter(_ text: String, allowingLineBreaks: Bool) -> Bool {
        text.unicodeScalars.contains { scalar in
            guard scalar.properties.generalCategory == .control else { return false }
            if allowingLineBreaks, scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
            return true
        }
    }

    /// A path on this site to go to after signing in, or nil. Only a local path is accepted:
    /// one leading `/` (not `//`, which a browser reads as another host), no backslash (read as
    /// `/`), and only printable ASCII, so no control character (CR/LF would split the header,
    /// a tab is dropped by browsers and turns `/\t/evil` into `//evil`) and no space.
    public static func localRedirectPath(_ raw: String?) -> String? {
        guard let raw, raw.utf8.count <= 300, raw.hasPrefix("/"), !raw.hasPrefix("//"),
              raw.utf8.allSatisfy({ (0x21...0x7e).contains($0) && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return raw
    }

    /// A request id a client sent (`X-Request-Id`), kept only if short and well-formed: 1 to 64
    /// characters of letters, digits, `-`, `_`, `.` and `:`. Anything else is replaced by one
    /// the server makes, so a client cannot write arbitrary text into logs and the audit log.
    public static func acceptableRequestID(_ raw: String?) -> String? {
        guard let raw, (1...64).contains(raw.utf8.count),
              raw.utf8.allSatisfy({ byte in
                  (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
                      || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
              })
        else { return nil }
        return raw
    }
}

/// Which page of a list to show. Every list of records is read a page at a time, so a clinic of
/// ten thousand patients costs what a clinic of ten does.
public struct ListPage: Equatable, Sendable {
    public static let defaultPer = 25
    public static let maxPer = 100
    /// Pages beyond this are refused: no one reads them, and large offsets are slow.
    public static let maxPage = 10_000

    public let page: Int
    public let per: Int

    public var offset: Int { (page - 1) * per }

    /// `maxPer`: a list held in memory (the exercise library) may be read whole in one page.
    public init(page: Int? = nil, per: Int? = nil, maxPer: Int = ListPage.maxPer) throws(DomainError) {
        let page = page ?? 1, per = per ?? Self.defaultPer
        guard (1...Self.maxPage).contains(page) else {
            throw .invalid("page-invalid", "page must be a whole number from 1 to \(Self.maxPage).")
        }
        guard (1...maxPer).contains(per) else {
            throw .invalid("per-invalid", "per must be a whole number from 1 to \(maxPer).")
        }
        self.page = page
        self.per = per
    }

    /// Parses query-string values (`?page=2&per=50`); empty means the default.
    public init(pageText: String?, perText: String?, maxPer: Int = ListPage.maxPer) throws(DomainError) {
        func number(_ text: String?, _ name: String, _ max: Int) throws(DomainError) -> Int? {
            guard let text, !text.isEmpty else { return nil }
            guard text.utf8.count <= 6, let n = Int(text) else {
                throw .invalid("\(name)-invalid", "\(name) must be a whole number from 1 to \(max).")
            }
            return n
        }
        try self.init(page: try number(pageText, "page", Self.maxPage), per: try number(perText, "per", maxPer), maxPer: maxPer)
    }

    /// How many pages `total` items fill (at least one, so an empty list still has page 1).
    public func pageCount(total: Int) -> Int { max(1, (total + per - 1) / per) }
}

/// A name search typed by a person: trimmed, at most 100 characters, no control characters.
public struct NameSearch: Equatable, Sendable {
    public let text: String

    public init?(_ raw: String?) throws(DomainError) {
        let text = (raw ?? "").trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        guard text.count <= 100, !InputRules.hasControlCharacter(text, allowingLineBreaks: false) else {
            throw .invalid("q-invalid", "Search with up to 100 letters of a name.")
        }
        self.text = text
    }

    /// A LIKE pattern matching the text anywhere, with `\` escaping LIKE's own wildcards.
    public var likePattern: String {
        var escaped = ""
        for c in text.lowercased() {
            if c == "%" || c == "_" || c == "\\" { escaped.append("\\") }
            escaped.append(c)
        }
        return "%" + escaped + "%"
    }
}
