import PacketCore

/// Syslog over UDP (RFC 3164 / 5424): "<PRI>" with PRI 0–191 and no leading zeros, then text.
public enum SyslogProbe {
    /// RFC 5424 §6.2.1: PRI is facility × 8 + severity, at most 23 × 8 + 7.
    static let maxPriority = 191
    /// How much of the message after PRI must be text.
    static let textCheck = 16

    /// PRI 0 (kern.emerg) is valid per RFC 5424 and accepted. No port requirement (514 is usual).
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 17 else { return .noMatch }
        let p = payload
        guard p.count >= 4, p.byte(0) == 0x3C else { return .noMatch }
        var at = 1, pri = 0
        while at < p.count, at <= 4, ProbeScan.isDigit(p.byte(at)) {
            pri = pri * 10 + Int(p.byte(at) - 0x30)
            at += 1
        }
        let digits = at - 1
        guard digits >= 1, digits <= 3, at < p.count, p.byte(at) == 0x3E, pri <= maxPriority,
              digits == 1 || p.byte(1) != 0x30 else { return .noMatch }
        let text = (at + 1)..<min(p.count, at + 1 + textCheck)
        guard !text.isEmpty else { return .noMatch }
        for i in text {
            let b = p.byte(i)
            guard b >= 0x20 || b == 0x09 || b == 0x0A || b == 0x0D else { return .noMatch }
        }
        return .match
    }
}
