import PacketCore

/// Telnet (RFC 854) over TCP: the payload opens with option negotiation, IAC WILL/WONT/DO/DONT
/// or IAC SB … IAC SE, with option codes that are assigned.
public enum TelnetProbe {
    static let iac: UInt8 = 0xFF
    /// Subnegotiations are short (terminal type, window size); a bound on the scan for IAC SE.
    static let maxSubnegotiation = 256
    /// A bound on the commands walked.
    static let maxCommands = 32

    /// No port requirement (23 is usual); the command sequence decides.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 else { return .noMatch }
        let p = payload
        var at = 0, negotiations = 0, commands = 0
        while at < p.count, p.byte(at) == iac, commands < maxCommands {
            guard at + 1 < p.count else { break }
            let cmd = p.byte(at + 1)
            switch cmd {
            case 0xFB...0xFE:   // WILL, WONT, DO, DONT
                guard at + 2 < p.count else { return negotiations > 0 ? .match : .needMore }
                guard isOption(p.byte(at + 2)) else { return .noMatch }
                at += 3
                negotiations += 1
            case 0xFA:          // SB option … IAC SE
                guard at + 2 < p.count else { return negotiations > 0 ? .match : .needMore }
                guard isOption(p.byte(at + 2)) else { return .noMatch }
                guard let se = subnegotiationEnd(p, from: at + 3) else {
                    return negotiations > 0 ? .match : (p.count - at < maxSubnegotiation ? .needMore : .noMatch)
                }
                at = se
                negotiations += 1
            case 0xF1...0xF9:   // NOP … GA
                at += 2
            default:
                return .noMatch
            }
            commands += 1
        }
        if negotiations > 0 { return .match }
        // Nothing decided yet: only a payload that ended inside the opening commands may grow.
        return at == p.count || (at == p.count - 1 && p.byte(at) == iac) ? .needMore : .noMatch
    }

    /// The offset just past IAC SE, or nil when it is not within the bound.
    static func subnegotiationEnd(_ p: UnsafeRawBufferPointer, from: Int) -> Int? {
        var i = from
        let end = min(p.count - 1, from + maxSubnegotiation)
        while i < end {
            if p.byte(i) == iac, p.byte(i + 1) == 0xF0 { return i + 2 }
            i += 1
        }
        return nil
    }

    /// Assigned option codes (IANA telnet-options: 0–49, 138–140, 255).
    static func isOption(_ b: UInt8) -> Bool { b <= 49 || (b >= 138 && b <= 140) || b == 255 }
}
