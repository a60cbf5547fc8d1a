import PacketCore

/// STUN / TURN (RFC 8489): two zero top bits, the magic cookie 0x2112A442 at offset 4, and a
/// length that is a multiple of 4 and spans the datagram (UDP) or fits the stream (TCP).
public enum STUNProbe {
    static let headerLength = 20
    static let magicCookie: UInt32 = 0x2112_A442
    /// RFC 8489 §5: methods in use are small (Binding 1, TURN 3–9, ICE/other up to 0x00C).
    static let maxMethod: UInt16 = 0x00C

    /// No port requirement (3478 is usual; WebRTC uses any); the cookie decides.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        let tcp = context.ipProto == 6
        guard tcp || context.ipProto == 17 else { return .noMatch }
        let p = payload
        guard p.count >= headerLength else {
            guard tcp else { return .noMatch }
            if p.count >= 1, p.byte(0) & 0xC0 != 0 { return .noMatch }
            var i = 4
            while i < min(p.count, 8) {
                guard p.byte(i) == UInt8(truncatingIfNeeded: magicCookie >> (8 * (7 - i))) else { return .noMatch }
                i += 1
            }
            return .needMore
        }
        let type = p.loadBE16(0), length = Int(p.loadBE16(2))
        guard type & 0xC000 == 0, p.loadBE32(4) == magicCookie, length % 4 == 0 else { return .noMatch }
        // The method is the type with the two class bits (C1 at 0x100, C0 at 0x10) taken out.
        let method = (type & 0x000F) | (type & 0x00E0) >> 1 | (type & 0x3E00) >> 2
        guard method >= 1, method <= maxMethod else { return .noMatch }
        // Over TCP messages follow each other in the stream (RFC 8489 §6.2.2).
        if tcp { return .match }
        return headerLength + length == p.count ? .match : .noMatch
    }
}
