import PacketCore

/// PostgreSQL over TCP: the client's first message, a StartupMessage (protocol 3.0–3.2) or an
/// SSLRequest / GSSENCRequest / CancelRequest (PostgreSQL docs, "Message Formats").
public enum PostgreSQLProbe {
    static let protocol30: UInt32 = 196_608
    static let protocol32: UInt32 = 196_610
    static let sslRequest: UInt32 = 80_877_103
    static let gssEncRequest: UInt32 = 80_877_104
    static let cancelRequest: UInt32 = 80_877_102
    /// The server refuses startup packets above this (MAX_STARTUP_PACKET_LENGTH).
    static let maxStartupLength = 10_000

    /// No port requirement (5432 is usual); the 32-bit code decides.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 else { return .noMatch }
        let p = payload
        // The length is below 10,000, so its two high bytes are zero.
        if p.count >= 1, p.byte(0) != 0 { return .noMatch }
        if p.count >= 2, p.byte(1) != 0 { return .noMatch }
        guard p.count >= 8 else { return .needMore }
        let length = Int(p.loadBE32(0)), code = p.loadBE32(4)
        switch code {
        case sslRequest, gssEncRequest: return length == 8 && p.count == 8 ? .match : .noMatch
        case cancelRequest: return length == 16 && p.count == 16 ? .match : .noMatch
        case protocol30...protocol32:
            guard length > 9, length <= maxStartupLength, p.count <= length else { return .noMatch }
            guard p.count > 8 else { return .needMore }
            // Parameters are lowercase names ("user", "database", "_pq_.…").
            let b = p.byte(8)
            guard (b >= 0x61 && b <= 0x7A) || b == 0x5F else { return .noMatch }
            if p.count == length { return p.byte(length - 1) == 0 ? .match : .noMatch }
            return .match
        default: return .noMatch
        }
    }
}
