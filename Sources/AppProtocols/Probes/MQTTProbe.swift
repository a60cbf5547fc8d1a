import PacketCore

/// MQTT over TCP: a CONNECT (fixed header 0x10, remaining-length varint, protocol name "MQTT"
/// level 4/5 or "MQIsdp" level 3), or a 3.1/3.1.1 CONNACK.
public enum MQTTProbe {
    /// MQTT 3.1.1 §2.2.3: the remaining length takes at most four bytes.
    static let maxVarintBytes = 4
    /// Protocol name, level, flags and keep-alive come before the payload: 10 bytes for "MQTT".
    static let minConnectRemaining = 10

    /// No port requirement (1883 is usual); the protocol name decides.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 else { return .noMatch }
        let p = payload
        guard p.count >= 1 else { return .needMore }
        if p.byte(0) == 0x20 {
            // CONNACK: 20 02 flags(0/1) return-code(0–5), alone in its segment.
            guard p.count == 4 else { return p.count < 4 && (p.count < 2 || p.byte(1) == 2) ? .needMore : .noMatch }
            return p.byte(1) == 2 && p.byte(2) <= 1 && p.byte(3) <= 5 ? .match : .noMatch
        }
        guard p.byte(0) == 0x10 else { return .noMatch }
        var remaining = 0, at = 1, shift = 0
        while true {
            guard at < p.count else { return .needMore }
            guard at <= maxVarintBytes else { return .noMatch }
            let b = p.byte(at)
            remaining |= Int(b & 0x7F) << shift
            shift += 7
            at += 1
            if b & 0x80 == 0 { break }
        }
        guard remaining >= minConnectRemaining else { return .noMatch }
        let mqtt = TextLines.best(ProbeScan.prefix(p, "\0\u{4}MQTT", at: at), ProbeScan.prefix(p, "\0\u{6}MQIsdp", at: at))
        guard mqtt == .match else { return mqtt }
        let levelAt = at + (p.byte(at + 1) == 4 ? 6 : 8)
        guard levelAt + 1 < p.count else { return .needMore }
        let level = p.byte(levelAt), flags = p.byte(levelAt + 1)
        let levelOK = p.byte(at + 1) == 4 ? level == 4 || level == 5 : level == 3
        // Connect flags bit 0 is reserved and zero (3.1.1 §3.1.2.3).
        return levelOK && flags & 1 == 0 ? .match : .noMatch
    }
}
