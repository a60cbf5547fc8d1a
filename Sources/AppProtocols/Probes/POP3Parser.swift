public import PacketCore

/// What one POP3 payload says: the greeting, and STLS offered or requested.
public struct POP3Info: Sendable, Equatable {
    /// The first line is "+OK".
    public var isOK: Bool
    /// The text after "+OK " on the first line.
    public var banner: Range<Int>?
    /// The argument of USER.
    public var user: Range<Int>?
    /// A CAPA reply lists STLS (RFC 2595 §4).
    public var stlsOffered: Bool
    /// The client sent STLS.
    public var stlsRequested: Bool
    /// The payload ended inside a line, or had more lines than `POP3Parser.maxLines`.
    public var linesTruncated: Bool
}

/// Reads a POP3 greeting, CAPA reply or client commands. Pure; no allocation.
public enum POP3Parser {
    /// A bound on lines read per payload.
    public static let maxLines = 64

    /// Throws `.truncated` when no complete line is present.
    public static func parse(_ p: UnsafeRawBufferPointer) throws(ParseError) -> POP3Info {
        var info = POP3Info(isOK: false, banner: nil, user: nil, stlsOffered: false,
                            stlsRequested: false, linesTruncated: false)
        var lines = 0
        var inCapa = false
        let complete = TextLines.each(p, maxLines: maxLines, maxLine: POP3Probe.maxLine) { line in
            lines += 1
            if lines == 1, TextLines.starts(p, line, "+OK") {
                info.isOK = true
                if line.count > 4 { info.banner = (line.lowerBound + 4)..<line.upperBound }
                inCapa = true   // a multi-line reply may follow (CAPA lists one capability a line)
                return
            }
            if TextLines.equals(p, line, "STLS") {
                if inCapa { info.stlsOffered = true } else { info.stlsRequested = true }
            } else if TextLines.starts(p, line, "USER ") {
                info.user = TextLines.trimmed(p, (line.lowerBound + 5)..<line.upperBound)
            }
        }
        guard lines > 0 else { throw .truncated(needed: p.count + 1, have: p.count) }
        info.linesTruncated = !complete || lines == maxLines
        return info
    }
}
