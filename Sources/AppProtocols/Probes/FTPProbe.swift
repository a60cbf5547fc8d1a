import PacketCore

/// FTP (RFC 959): the server's "220" greeting naming FTP, or a client's AUTH TLS/FEAT/USER.
public enum FTPProbe {
    /// Reply lines are short; 512 bytes bounds the wait for a newline.
    static let maxLine = 512

    /// A greeting without "FTP" (and not naming SMTP), and USER, need port 21.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 else { return .noMatch }
        let onPort = context.hasPort(21)
        var client = TextLines.best(ProbeScan.prefix(payload, "AUTH TLS", ignoringCase: true),
                                    ProbeScan.prefix(payload, "AUTH SSL", ignoringCase: true))
        client = TextLines.best(client, TextLines.command(payload, "FEAT"))
        if onPort { client = TextLines.best(client, TextLines.command(payload, "USER")) }
        if client != .noMatch {
            return client == .match && !ProbeScan.isText(payload, limit: maxLine) ? .noMatch : client
        }
        let greeting = TextLines.reply(payload, "220")
        guard greeting == .match else { return greeting }
        let (state, line) = TextLines.first(payload, limit: maxLine)
        guard state == .match else { return state }
        if TextLines.contains(payload, line, "FTP") { return .match }
        if TextLines.contains(payload, line, "SMTP") { return .noMatch }
        return onPort ? .match : .noMatch
    }
}
