import PacketCore

/// Redis RESP over TCP: a command array "*N\r\n$len\r\nCMD\r\n", an inline PING, or "+PONG".
public enum RedisProbe {
    /// Arrays and bulk lengths of real commands fit in a few digits.
    static let maxDigits = 9
    /// Command names are short words ("CLIENT", "GETRANGE"); longer is not a command.
    static let maxCommandLength = 32

    /// No port requirement (6379 is usual); RESP's framing decides.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 else { return .noMatch }
        let p = payload
        guard p.count >= 1 else { return .needMore }
        switch p.byte(0) {
        case 0x2A: return array(p)   // '*'
        case 0x2B: return ProbeScan.prefix(p, "+PONG\r\n")
        default: return ProbeScan.prefix(p, "PING\r\n", ignoringCase: true)
        }
    }

    /// "*N\r\n$L\r\n" then L letters of a command name and "\r\n".
    static func array(_ p: UnsafeRawBufferPointer) -> ProbeVerdict {
        var at = 1
        let (n, v1) = number(p, &at)
        guard v1 == .match else { return v1 }
        guard n >= 1 else { return .noMatch }
        let dollar = ProbeScan.prefix(p, "$", at: at)
        guard dollar == .match else { return dollar }
        at += 1
        let (length, v2) = number(p, &at)
        guard v2 == .match else { return v2 }
        guard length >= 1, length <= maxCommandLength else { return .noMatch }
        for i in 0..<length {
            guard at + i < p.count else { return .needMore }
            let b = p.byte(at + i) | 0x20
            guard (b >= 0x61 && b <= 0x7A) || p.byte(at + i) == 0x5F else { return .noMatch }
        }
        return ProbeScan.prefix(p, "\r\n", at: at + length)
    }

    /// Decimal digits at `at` then "\r\n"; advances `at` past them.
    static func number(_ p: UnsafeRawBufferPointer, _ at: inout Int) -> (Int, ProbeVerdict) {
        var value = 0, digits = 0
        while at < p.count, ProbeScan.isDigit(p.byte(at)) {
            guard digits < maxDigits else { return (0, .noMatch) }
            value = value * 10 + Int(p.byte(at) - 0x30)
            digits += 1
            at += 1
        }
        guard at < p.count else { return (0, .needMore) }
        guard digits > 0 else { return (0, .noMatch) }
        let crlf = ProbeScan.prefix(p, "\r\n", at: at)
        at += 2
        return (value, crlf)
    }
}
