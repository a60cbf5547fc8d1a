public import PacketCore

/// What one FTP control payload says: the greeting, and AUTH TLS offered, requested or accepted.
public struct FTPInfo: Sendable, Equatable {
    /// The first line's reply code, 0 when it is a client command.
    public var replyCode: UInt16
    /// The text after "220 " / "220-" on a greeting line.
    public var banner: Range<Int>?
    /// The argument of USER.
    public var user: Range<Int>?
    /// A FEAT reply lists AUTH TLS or AUTH SSL (RFC 4217 §6).
    public var authTLSOffered: Bool
    /// The client sent AUTH TLS / AUTH SSL.
    public var authTLSRequested: Bool
    /// The server answered 234 (RFC 4217 §4.1: TLS negotiation follows).
    public var authTLSAccepted: Bool
    /// The payload ended inside a line, or had more lines than `FTPParser.maxLines`.
    public var linesTruncated: Bool
}

/// Reads an FTP greeting, FEAT reply or client commands. Pure; no allocation.
public enum FTPParser {
    /// A bound on lines read per payload.
    public static let maxLines = 64

    /// Throws `.truncated` when no complete line is present.
    public static func parse(_ p: UnsafeRawBufferPointer) throws(ParseError) -> FTPInfo {
        var info = FTPInfo(replyCode: 0, banner: nil, user: nil, authTLSOffered: false,
                           authTLSRequested: false, authTLSAccepted: false, linesTruncated: false)
        var lines = 0
        let complete = TextLines.each(p, maxLines: maxLines, maxLine: FTPProbe.maxLine) { line in
            lines += 1
            if let code = ProbeScan.code3(p, at: line.lowerBound),
               line.count == 3 || p.byte(line.lowerBound + 3) == 0x20 || p.byte(line.lowerBound + 3) == 0x2D {
                if lines == 1 {
                    info.replyCode = UInt16(code)
                    if code == 220 { info.banner = (line.lowerBound + min(4, line.count))..<line.upperBound }
                }
                if code == 234 { info.authTLSAccepted = true }
            } else if TextLines.starts(p, line, " AUTH") {
                // FEAT lists features one per line, indented by a space (RFC 2389 §3.2).
                if TextLines.contains(p, line, "TLS") || TextLines.contains(p, line, "SSL") {
                    info.authTLSOffered = true
                }
            } else if TextLines.starts(p, line, "AUTH TLS") || TextLines.starts(p, line, "AUTH SSL") {
                info.authTLSRequested = true
            } else if TextLines.starts(p, line, "USER ") {
                info.user = TextLines.trimmed(p, (line.lowerBound + 5)..<line.upperBound)
            }
        }
        guard lines > 0 else { throw .truncated(needed: p.count + 1, have: p.count) }
        info.linesTruncated = !complete || lines == maxLines
        return info
    }
}
