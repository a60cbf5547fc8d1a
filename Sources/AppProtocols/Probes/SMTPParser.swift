public import PacketCore

/// What one SMTP payload says: the greeting banner, and STARTTLS offered or requested.
public struct SMTPInfo: Sendable, Equatable {
    /// The first line's reply code, 0 when the first line is a client command.
    public var replyCode: UInt16
    /// The text after "220 " / "220-" on a greeting line.
    public var banner: Range<Int>?
    /// The argument of EHLO/HELO.
    public var clientDomain: Range<Int>?
    /// The greeting or EHLO reply names ESMTP, or the client said EHLO.
    public var extended: Bool
    /// An EHLO reply line lists STARTTLS (RFC 3207 §4).
    public var startTLSOffered: Bool
    /// The client sent STARTTLS.
    public var startTLSRequested: Bool
    /// The payload ended inside a line, or had more lines than `SMTPParser.maxLines`.
    public var linesTruncated: Bool
}

/// Reads an SMTP greeting, EHLO reply or client command lines. Pure; no allocation.
public enum SMTPParser {
    /// EHLO replies list a dozen extensions; a bound keeps hostile payloads cheap.
    public static let maxLines = 64

    /// Throws `.truncated` when no complete line is present.
    public static func parse(_ p: UnsafeRawBufferPointer) throws(ParseError) -> SMTPInfo {
        var info = SMTPInfo(replyCode: 0, banner: nil, clientDomain: nil, extended: false,
                            startTLSOffered: false, startTLSRequested: false, linesTruncated: false)
        var lines = 0
        let complete = TextLines.each(p, maxLines: maxLines, maxLine: SMTPProbe.maxLine) { line in
            lines += 1
            if let code = ProbeScan.code3(p, at: line.lowerBound),
               line.count == 3 || p.byte(line.lowerBound + 3) == 0x20 || p.byte(line.lowerBound + 3) == 0x2D {
                let text = (line.lowerBound + min(4, line.count))..<line.upperBound
                if lines == 1 {
                    info.replyCode = UInt16(code)
                    if code == 220 { info.banner = text }
                }
                if TextLines.contains(p, text, "ESMTP") { info.extended = true }
                if code == 250, TextLines.starts(p, text, "STARTTLS") { info.startTLSOffered = true }
            } else if TextLines.starts(p, line, "EHLO ") || TextLines.starts(p, line, "HELO ") {
                info.extended = info.extended || TextLines.starts(p, line, "EHLO")
                info.clientDomain = TextLines.trimmed(p, (line.lowerBound + 5)..<line.upperBound)
            } else if TextLines.equals(p, TextLines.trimmed(p, line), "STARTTLS") {
                info.startTLSRequested = true
            }
        }
        guard lines > 0 else { throw .truncated(needed: p.count + 1, have: p.count) }
        info.linesTruncated = !complete || lines == maxLines
        return info
    }
}
