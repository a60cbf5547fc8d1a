import PacketCore

/// IKE (RFC 7296 / 2408) over UDP: an ISAKMP header with a non-zero initiator SPI, version 2.0
/// or 1.0, a known exchange type and a length equal to the datagram; on 4500 behind the 4-byte
/// non-ESP marker (RFC 3948 §2.2), and NAT-keepalives (a single 0xFF) on 4500.
public enum IPsecProbe {
    static let headerLength = 28
    /// The non-ESP marker: four zero bytes where ESP has its SPI.
    static let nonESPMarker = 4

    /// No port requirement for IKE itself (the exact length decides); keepalives need 4500.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 17 else { return .noMatch }
        let p = payload
        if p.count == 1, p.byte(0) == 0xFF, context.hasPort(4500) { return .match }
        if p.count >= nonESPMarker + headerLength, p.loadBE32(0) == 0,
           isIKE(UnsafeRawBufferPointer(rebasing: p[nonESPMarker...])) { return .match }
        return isIKE(p) ? .match : .noMatch
    }

    static func isIKE(_ p: UnsafeRawBufferPointer) -> Bool {
        guard p.count >= headerLength, p.loadBE64(0) != 0, Int(p.loadBE32(24)) == p.count else { return false }
        let version = p.byte(17), exchange = p.byte(18), flags = p.byte(19)
        switch version {
        case 0x20:
            // IKE_SA_INIT … INFORMATIONAL (34–37), IKE_SESSION_RESUME 38, IKE_INTERMEDIATE 43;
            // flags only I (0x08), V (0x10), R (0x20).
            return ((exchange >= 34 && exchange <= 38) || exchange == 43) && flags & 0xC7 == 0
        case 0x10:
            // Base 1, identity protection 2, authentication only 3, aggressive 4, informational 5,
            // quick mode 32, new group 33; flags E, C, A only.
            return ((exchange >= 1 && exchange <= 5) || exchange == 32 || exchange == 33) && flags & 0xF8 == 0
        default:
            return false
        }
    }
}
