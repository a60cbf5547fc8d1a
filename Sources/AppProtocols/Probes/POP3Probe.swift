import PacketCore

/// POP3 (RFC 1939): the server's "+OK" greeting naming POP, or a client's CAPA/STLS/APOP/USER.
public enum POP3Probe {
    /// RFC 2449 §4: a response line is at most 512 bytes with CR LF.
    static let maxLine = 512

    /// A greeting without "POP" in it, and USER/AUTH (shared with FTP and SMTP), need port 110.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 else { return .noMatch }
        let onPort = context.hasPort(110)
        var client = TextLines.best(TextLines.command(payload, "CAPA"), TextLines.command(payload, "STLS"))
        client = TextLines.best(client, TextLines.command(payload, "APOP"))
        if onPort {
            client = TextLines.best(client, TextLines.command(payload, "USER"))
            client = TextLines.best(client, TextLines.command(payload, "AUTH"))
        }
        if client != .noMatch {
            return client == .match && !ProbeScan.isText(payload, limit: maxLine) ? .noMatch : client
        }
        let greeting = ProbeScan.prefix(payload, "+OK")
        guard greeting == .match else { return greeting }
        let (state, line) = TextLines.first(payload, limit: maxLine)
        guard state == .match else { return state }
        guard line.count == 3 || payload.byte(3) == 0x20 else { return .noMatch }
        return TextLines.contains(payload, line, "POP") || onPort ? .match : .noMatch
    }
}
