public import PacketCore

/// What one IMAP payload says: the greeting, and STARTTLS offered or requested.
public struct IMAPInfo: Sendable, Equatable {
    /// The first line is an untagged OK or PREAUTH greeting.
    public var isGreeting: Bool
    /// The greeting text after "* OK " / "* PREAUTH ".
    public var banner: Range<Int>?
    /// A CAPABILITY list (in a response code or an untagged reply) names STARTTLS.
    public var startTLSOffered: Bool
    /// The client sent "<tag> STARTTLS".
    public var startTLSRequested: Bool
    /// The payload ended inside a line, or had more lines than `IMAPParser.maxLines`.
    public var linesTruncated: Bool
}

/// Reads an IMAP greeting, capability lines or client commands. Pure; no allocation.
public enum IMAPParser {
    /// A bound on lines read per payload.
    public static let maxLines = 64

    /// Throws `.truncated` when no complete line is present.
    public static func parse(_ p: UnsafeRawBufferPointer) throws(ParseError) -> IMAPInfo {
        var info = IMAPInfo(isGreeting: false, banner: nil, startTLSOffered: false,
                            startTLSRequested: false, linesTruncated: false)
        var lines = 0
        let complete = TextLines.each(p, maxLines: maxLines, maxLine: IMAPProbe.maxLine) { line in
            lines += 1
            if TextLines.starts(p, line, "* ") {
                if lines == 1 {
                    if TextLines.starts(p, line, "* OK ") {
                        info.isGreeting = true
                        info.banner = (line.lowerBound + 5)..<line.upperBound
                    } else if TextLines.starts(p, line, "* PREAUTH ") {
                        info.isGreeting = true
                        info.banner = (line.lowerBound + 10)..<line.upperBound
                    }
                }
                if TextLines.contains(p, line, "CAPABILITY"), TextLines.contains(p, line, "STARTTLS") {
                    info.startTLSOffered = true
                }
            } else if let tag = IMAPProbe.tagLength(UnsafeRawBufferPointer(rebasing: p[line])) {
                let verb = TextLines.trimmed(p, (line.lowerBound + tag + 1)..<line.upperBound)
                if TextLines.equals(p, verb, "STARTTLS") { info.startTLSRequested = true }
            }
        }
        guard lines > 0 else { throw .truncated(needed: p.count + 1, have: p.count) }
        info.linesTruncated = !complete || lines == maxLines
        return info
    }
}
