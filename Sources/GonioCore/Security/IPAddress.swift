/// An IPv4 or IPv6 address, held as 16 bytes (IPv4 as the IPv4-mapped IPv6 address
/// `::ffff:a.b.c.d`, so `127.0.0.1` and `::ffff:127.0.0.1` from a dual-stack socket are one
/// address). Parsed strictly: anything that is not an address is refused.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public var isIPv4: Bool { bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff }

    /// Sixteen bytes in network order.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public init?(_ text: String) {
        var s = Substring(text)
        // A zone index (`fe80::1%eth0`) names an interface, not part of the address.
        if let percent = s.firstIndex(of: "%") { s = s[..<percent] }
        if let v4 = Self.parseIPv4(s) {
            bytes = Array(repeating: 0, count: 10) + [0xff, 0xff] + v4
        } else if let v6 = Self.parseIPv6(s) {
            bytes = v6
        } else {
            return nil
        }
    }

    /// Dotted decimal, four parts 0-255, no leading zeros (so `010` is not read as octal).
    static func parseIPv4(_ s: Substring) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part == "0" || part.first != "0", let n = UInt8(part) else { return nil }
            out.append(n)
        }
        return out
    }

    /// RFC 4291 §2.2 text forms: eight groups, one `::`, and an optional trailing IPv4 part.
    static func parseIPv6(_ s: Substring) -> [UInt8]? {
        guard s.contains(":"), s.count <= 45 else { return nil }
        let halves = s.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        func groups(_ text: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
            if text.isEmpty { return [] }
            var result: [UInt16] = []
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            for (index, part) in parts.enumerated() {
                if allowIPv4Tail, index == parts.count - 1, part.contains(".") {
                    guard let v4 = parseIPv4(part) else { return nil }
                    result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit), let n = UInt16(part, radix: 16) else { return nil }
                result.append(n)
            }
            return result
        }
        var all: [UInt16]
        if halves.count == 2 {
            guard let head = groups(halves[0], allowIPv4Tail: false), let tail = groups(halves[1], allowIPv4Tail: true),
                  head.count + tail.count <= 7 else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let whole = groups(halves[0], allowIPv4Tail: true), whole.count == 8 else { return nil }
            all = whole
        }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    /// IPv4 in dotted form; IPv6 in the RFC 5952 canonical form (lower case, longest run of
    /// zero groups shortened to `::`).
    public var description: String {
        if isIPv4 { return bytes[12...].map { String($0) }.joined(separator: ".") }
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var best = (start: -1, length: 0), run = (start: -1, length: 0)
        for (i, g) in groups.enumerated() {
            if g == 0 {
                run = run.start < 0 ? (i, 1) : (run.start, run.length + 1)
                if run.length > best.length { best = run }
            } else {
                run = (-1, 0)
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<best.start].joined(separator: ":")
        let tail = hex[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }
}

/// An address range in CIDR form (`10.0.0.0/8`, `fd00::/8`) or a single address.
public struct IPRange: Hashable, Sendable, CustomStringConvertible {
    public let network: IPAddress
    /// Prefix length over the 128-bit form (an IPv4 `/8` is `/104` here).
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = IPAddress(String(parts[0])) else { return nil }
        let width = address.isIPv4 ? 32 : 128
        var length = width
        if parts.count == 2 {
            guard (1...3).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = Int(parts[1]), n <= width else { return nil }
            length = n
        }
        prefixLength = length + (128 - width)
        network = address
    }

    public func contains(_ address: IPAddress) -> Bool {
        var remaining = prefixLength
        for i in 0..<16 where remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xff : ~(0xff >> UInt8(bits))
            if address.bytes[i] & mask != network.bytes[i] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String {
        let width = network.isIPv4 ? 32 : 128
        let length = prefixLength - (128 - width)
        return length == width ? network.description : "\(network)/\(length)"
    }
}

/// Who is on the other end of a request when Gonio sits behind reverse proxies.
///
/// `X-Forwarded-For` is a list each proxy appends to; everything left of the first proxy we
/// run was written by the client and can say anything. So the client is the rightmost hop that
/// is not one of our trusted proxies, reached by walking right to left from the socket peer
/// (the approach of MDN's X-Forwarded-For guidance and nginx's `real_ip_recursive`).
public struct TrustedProxies: Sendable, Equatable {
    public var ranges: [IPRange]

    public static let none = TrustedProxies(ranges: [])

    public init(ranges: [IPRange]) {
        self.ranges = ranges
    }

    /// Parses `GONIO_TRUSTED_PROXIES`: comma-separated addresses or CIDR ranges.
    public init(parsing text: String) throws(DomainError) {
        var ranges: [IPRange] = []
        for item in text.split(separator: ",") {
            let entry = String(item).trimmingWhitespace()
            guard !entry.isEmpty else { continue }
            guard let range = IPRange(entry) else {
                throw .invalid("trusted-proxy-invalid", "'\(entry.prefix(60))' is not an IP address or CIDR range (like 10.0.0.0/8 or fd00::/8).")
            }
            ranges.append(range)
        }
        self.ranges = ranges
    }

    public func trusts(_ address: IPAddress) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    /// The client's address. `peer` is the socket's remote address; `forwardedFor` holds the
    /// values of every `X-Forwarded-For` header in order. A hop that is not an address stops
    /// the walk: the client is then the trusted proxy that reported it.
    public func clientAddress(peer: String?, forwardedFor: [String]) -> String {
        guard let peerText = peer, let peerAddress = IPAddress(peerText) else { return peer ?? "unknown" }
        var client = peerAddress
        guard trusts(client) else { return client.description }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { String($0).trimmingWhitespace() }
        for hop in hops.reversed() {
            guard let address = Self.address(inHop: hop) else { break }
            client = address
            if !trusts(address) { break }
        }
        return client.description
    }

    /// An `X-Forwarded-For` hop: an address, perhaps with a port (`1.2.3.4:5678`,
    /// `[2001:db8::1]:443`).
    static func address(inHop hop: String) -> IPAddress? {
        if hop.hasPrefix("["), let close = hop.firstIndex(of: "]") {
            return IPAddress(String(hop[hop.index(after: hop.startIndex)..<close]))
        }
        if let address = IPAddress(hop) { return address }
        let parts = hop.split(separator: ":")
        if parts.count == 2, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) { return IPAddress(String(parts[0])) }
        return nil
    }
}
