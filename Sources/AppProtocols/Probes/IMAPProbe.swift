import PacketCore

/// IMAP (RFC 9051): the server's untagged "* OK" / "* PREAUTH" greeting, or a tagged client command.
public enum IMAPProbe {
    /// Greeting lines and commands are short; 1,000 bytes bounds the wait for a newline.
    static let maxLine = 1000
    /// Tags are short atoms ("a001", "A1"); longer runs are not a tag.
    static let maxTag = 32

    /// A greeting naming IMAP matches anywhere; a bare "* OK" greeting only on port 143; tagged
    /// commands only from the flow's initiator.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 else { return .noMatch }
        let greeting = TextLines.best(ProbeScan.prefix(payload, "* OK "), ProbeScan.prefix(payload, "* PREAUTH "))
        // Tags are weak ("230 Login successful" from an FTP server reads as tag + LOGIN), so
        // tagged commands count only from the initiator.
        if greeting == .noMatch { return context.fromInitiator ? taggedCommand(payload) : .noMatch }
        guard greeting == .match else { return greeting }
        let (state, line) = TextLines.first(payload, limit: maxLine)
        guard state == .match else { return state }
        return TextLines.contains(payload, line, "IMAP") || context.hasPort(143) ? .match : .noMatch
    }

    /// "<tag> <COMMAND>" for the commands that open a session.
    static func taggedCommand(_ p: UnsafeRawBufferPointer) -> ProbeVerdict {
        guard let tag = tagLength(p) else { return p.count <= maxTag && atomSoFar(p) ? .needMore : .noMatch }
        let at = tag + 1
        var v = ProbeVerdict.noMatch
        for i in 0..<commandCount {
            v = TextLines.best(v, verbAt(p, at, command(i)))
            if v == .match { return .match }
        }
        return v
    }

    /// The session-opening commands the probe knows (RFC 9051 §6).
    static let commandCount = 9
    static func command(_ i: Int) -> StaticString {
        switch i {
        case 0: "CAPABILITY"
        case 1: "LOGIN"
        case 2: "AUTHENTICATE"
        case 3: "STARTTLS"
        case 4: "ID"
        case 5: "NOOP"
        case 6: "LOGOUT"
        case 7: "SELECT"
        default: "ENABLE"
        }
    }

    /// The verb at `at` followed by a space or CR LF.
    static func verbAt(_ p: UnsafeRawBufferPointer, _ at: Int, _ verb: StaticString) -> ProbeVerdict {
        let v = ProbeScan.prefix(p, verb, at: at, ignoringCase: true)
        guard v == .match else { return v }
        let end = at + verb.utf8CodeUnitCount
        guard end < p.count else { return .needMore }
        let sep = p.byte(end)
        return sep == 0x20 || sep == 0x0D || sep == 0x0A ? .match : .noMatch
    }

    /// Length of a leading tag (letters, digits, '.') followed by a space.
    static func tagLength(_ p: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        while i < p.count, i <= maxTag {
            let b = p.byte(i)
            if b == 0x20 { return i > 0 ? i : nil }
            guard isTagByte(b) else { return nil }
            i += 1
        }
        return nil
    }

    static func atomSoFar(_ p: UnsafeRawBufferPointer) -> Bool {
        for i in 0..<p.count where !isTagByte(p.byte(i)) { return false }
        return true
    }

    @inline(__always) static func isTagByte(_ b: UInt8) -> Bool {
        ProbeScan.isDigit(b) || ProbeScan.isUpper(b) || (b >= 0x61 && b <= 0x7A) || b == 0x2E
    }
}
