import PacketCore

/// MySQL / MariaDB over TCP: the server's initial handshake (protocol 10): 3-byte length, sequence
/// 0, 0x0A, a NUL-terminated version string starting with a digit, thread id, 8 bytes of salt, 0.
public enum MySQLProbe {
    /// A bound on the version string ("8.0.36-0ubuntu…", "5.5.5-10.11.6-MariaDB-…").
    static let maxVersion = 64
    /// Handshakes are ~80 bytes; a bound on what we accept.
    static let maxLength = 1024

    /// No port requirement (3306 is usual); the handshake's layout decides.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 else { return .noMatch }
        let p = payload
        if p.count >= 3 {
            let length = Int(p.byte(0)) | Int(p.byte(1)) << 8 | Int(p.byte(2)) << 16
            guard length >= 1 + 2 + 4 + 8 + 1, length <= maxLength else { return .noMatch }
        }
        if p.count >= 4, p.byte(3) != 0 { return .noMatch }
        if p.count >= 5, p.byte(4) != 0x0A { return .noMatch }
        if p.count >= 6, !ProbeScan.isDigit(p.byte(5)) { return .noMatch }
        var at = 6
        while true {
            guard at < p.count else { return .needMore }
            let b = p.byte(at)
            if b == 0 { break }
            guard b >= 0x20, b < 0x7F, at - 5 < maxVersion else { return .noMatch }
            at += 1
        }
        // Thread id (4) and salt part 1 (8), then the zero filler.
        let filler = at + 1 + 4 + 8
        guard filler < p.count else { return .needMore }
        return p.byte(filler) == 0 ? .match : .noMatch
    }
}
