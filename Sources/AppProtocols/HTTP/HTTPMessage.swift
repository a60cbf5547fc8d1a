/// What an HTTP/1.x request or response head says: ranges into the bytes and scalars.
@frozen
public struct HTTPHead: Sendable {
    public var isRequest = false
    public var method: Range<Int> = 0..<0
    public var host: Range<Int> = 0..<0
    public var userAgent: Range<Int> = 0..<0
    public var contentType: Range<Int> = 0..<0
    public var status: UInt16 = 0
    /// Offset just past the blank line ending the head (0 while incomplete).
    public var headEnd = 0
    /// Requests whose request line starts in these bytes (pipelining when > 1).
    public var requests = 0
    public init() {}
}

/// HTTP/1.x message heads (RFC 9112 §2–3, §5): pure functions of the bytes.
public enum HTTPMessage {
    /// Methods recognized in a request line (RFC 9110 §9, WebDAV's common ones, and SSDP's M-SEARCH).
    static let methods: [StaticString] = ["GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ",
                                          "PATCH ", "TRACE ", "PROPFIND ", "SUBSCRIBE ", "NOTIFY ",
                                          "M-SEARCH "]
    /// Header lines walked per head: bounds work on hostile input (real heads have < 50).
    public static let maxHeaderLines = 128

    /// Length of the request method (without the space) at `at`, or 0.
    static func methodLength(_ p: UnsafeRawBufferPointer, at: Int) -> Int {
        for m in methods where p.starts(with: m, at: at) { return m.utf8CodeUnitCount - 1 }
        return 0
    }

    /// A request line's method, or a status line.
    public static func probe(_ p: UnsafeRawBufferPointer) -> ProbeVerdict {
        if p.count < 5 {
            for m in methods where p.isPrefix(of: m) { return .needMore }
            return p.isPrefix(of: "HTTP/") ? .needMore : .noMatch
        }
        if methodLength(p, at: 0) > 0 {
            // The method must be followed by a target and " HTTP/1." on the same line (RTSP/SIP share methods).
            var i = 0
            while i < p.count {
                if p[i] == 0x0D || p[i] == 0x0A { return .noMatch }
                if p.starts(with: " HTTP/1.", at: i) { return .match }
                i += 1
            }
            return .needMore
        }
        return p.starts(with: "HTTP/1.") ? .match : .noMatch
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    /// Offset of the first LF at or after `from`, or `p.count`. Eight bytes per step: a byte of
    /// `w ^ 0x0A…` is zero at an LF, and the lowest byte flagged by the borrow test is the first
    /// zero (a false flag can only sit above a true one).
    @inline(__always)
    static func lineFeed(_ p: UnsafeRawBufferPointer, from: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        var i = from
        while i + 8 <= p.count {
            let x = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ (0x0A &* ones)
            let zero = (x &- ones) & ~x & high
            if zero != 0 { return i + zero.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < p.count && p[i] != 0x0A { i += 1 }
        return i
    }

    static func nameIs(_ p: UnsafeRawBufferPointer, _ at: Int, _ colon: Int, _ name: StaticString) -> Bool {
        guard colon - at == name.utf8CodeUnitCount else { return false }
        for i in 0..<name.utf8CodeUnitCount where lower(p[at + i]) != name.utf8Start[i] { return false }
        return true
    }

    /// Parses the head at the start of `p`. Fields are filled as their lines complete, so a head
    /// cut short still yields what arrived (`.needMore`). Also counts pipelined request lines.
    public static func parse(_ p: UnsafeRawBufferPointer, into out: inout HTTPHead) -> ParseStatus {
        var lineStart = 0
        var lines = 0
        while lines < maxHeaderLines {
            // Find the end of this line.
            let e = lineFeed(p, from: lineStart)
            if e >= p.count { return lines == 0 && probe(p) == .noMatch ? .invalid : .needMore }
            let lineEnd = e > lineStart && p[e - 1] == 0x0D ? e - 1 : e
            if lines == 0 {
                let ml = methodLength(p, at: 0)
                if ml > 0 {
                    out.isRequest = true
                    out.method = 0..<ml
                    out.requests = 1
                } else if p.starts(with: "HTTP/1."), lineEnd >= 12 {
                    var s: UInt16 = 0
                    for i in 9..<12 {
                        let d = p[i]
                        guard d >= 0x30 && d <= 0x39 else { return .invalid }
                        s = s * 10 + UInt16(d - 0x30)
                    }
                    out.status = s
                } else {
                    return .invalid
                }
            } else if lineEnd == lineStart {
                out.headEnd = e + 1
                // Pipelining: another request line right after a head with no body.
                if out.isRequest && methodLength(p, at: out.headEnd) > 0 { out.requests += 1 }
                return .done
            } else {
                var colon = lineStart
                while colon < lineEnd && p[colon] != UInt8(ascii: ":") { colon += 1 }
                if colon < lineEnd {
                    var v = colon + 1
                    while v < lineEnd && (p[v] == 0x20 || p[v] == 0x09) { v += 1 }
                    var ve = lineEnd
                    while ve > v && (p[ve - 1] == 0x20 || p[ve - 1] == 0x09) { ve -= 1 }
                    if out.host.isEmpty && nameIs(p, lineStart, colon, "host") { out.host = v..<ve }
                    else if out.userAgent.isEmpty && nameIs(p, lineStart, colon, "user-agent") { out.userAgent = v..<ve }
                    else if out.contentType.isEmpty && nameIs(p, lineStart, colon, "content-type") { out.contentType = v..<ve }
                }
            }
            lines += 1
            lineStart = e + 1
        }
        return .invalid
    }
}
