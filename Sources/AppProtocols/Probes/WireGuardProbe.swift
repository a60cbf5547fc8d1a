import PacketCore

/// WireGuard over UDP: message types 1–4 with three zero reserved bytes and their exact lengths.
public enum WireGuardProbe {
    /// Handshake initiation, response and cookie reply sizes (WireGuard paper §5.4).
    static let initiationLength = 148
    static let responseLength = 92
    static let cookieReplyLength = 64
    /// Transport data: 16-byte header, then a 16-byte tag on data padded to 16 bytes.
    static let transportMinLength = 32

    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 17, payload.count >= transportMinLength,
              payload.loadLE32(0) & 0xFFFF_FF00 == 0 else { return .noMatch }
        let n = payload.count
        switch payload.byte(0) {
        case 1: return n == initiationLength ? .match : .noMatch
        case 2: return n == responseLength ? .match : .noMatch
        case 3: return n == cookieReplyLength ? .match : .noMatch
        case 4: return (n - transportMinLength) % 16 == 0 ? .match : .noMatch
        default: return .noMatch
        }
    }
}
