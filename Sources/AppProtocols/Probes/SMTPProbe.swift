import PacketCore

/// SMTP (RFC 5321): the server's "220" greeting naming (E)SMTP, or a client's EHLO/HELO.
public enum SMTPProbe {
    /// RFC 5321 §4.5.3.1.5: a reply line is at most 512 bytes with CR LF.
    static let maxLine = 512

    /// A 220 greeting without an SMTP hint matches only on 25, 587 or 2525 (and never when it
    /// names FTP); EHLO/HELO match on any port.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 else { return .noMatch }
        let client = TextLines.best(TextLines.command(payload, "EHLO"), TextLines.command(payload, "HELO"))
        if client != .noMatch { return client == .match && !ProbeScan.isText(payload, limit: maxLine) ? .noMatch : client }
        let greeting = TextLines.reply(payload, "220")
        guard greeting == .match else { return greeting }
        let (state, line) = TextLines.first(payload, limit: maxLine)
        guard state == .match else { return state }
        if TextLines.contains(payload, line, "SMTP") { return .match }
        if TextLines.contains(payload, line, "FTP") { return .noMatch }
        return context.hasPort(25) || context.hasPort(587) || context.hasPort(2525) ? .match : .noMatch
    }
}
