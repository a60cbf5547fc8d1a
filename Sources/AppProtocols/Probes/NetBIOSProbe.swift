import PacketCore

/// NetBIOS over UDP (RFC 1002): name service on 137 (header sanity plus a first-level encoded
/// name) and datagram service on 138 (message type plus encoded source name).
public enum NetBIOSProbe {
    /// RFC 1002 §4.2.1: 12-byte name service header.
    static let nameServiceHeader = 12
    /// An encoded NetBIOS name: length 0x20, then 32 bytes 'A'…'P' (RFC 1001 §14.1).
    static let encodedNameLength = 32
    /// Datagram header (§4.4.1): type, flags, id, source IP, port, length, offset = 14 bytes.
    static let datagramHeader = 14
    /// Name service messages carry one or two records; a bound on the counts.
    static let maxRecords: UInt16 = 8

    /// Ports are required (the first-level encoding is distinctive, but the header is short).
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 17 else { return .noMatch }
        if context.hasPort(137), nameService(payload) { return .match }
        if context.hasPort(138), datagram(payload) { return .match }
        return .noMatch
    }

    static func nameService(_ p: UnsafeRawBufferPointer) -> Bool {
        guard p.count >= nameServiceHeader + 1 + encodedNameLength + 1 + 4 else { return false }
        let flags = p.loadBE16(2)
        let opcode = (flags >> 11) & 0xF
        // Query 0, registration 5, release 6, WACK 7, refresh 8/9, multi-homed registration 15.
        guard opcode == 0 || (opcode >= 5 && opcode <= 9) || opcode == 15 else { return false }
        let qd = p.loadBE16(4), an = p.loadBE16(6), ns = p.loadBE16(8), ar = p.loadBE16(10)
        guard qd <= 1, an <= maxRecords, ns <= maxRecords, ar <= maxRecords, qd + an >= 1 else { return false }
        return isEncodedName(p, at: nameServiceHeader)
    }

    static func datagram(_ p: UnsafeRawBufferPointer) -> Bool {
        guard p.count >= 10 else { return false }
        let type = p.byte(0)
        switch type {
        case 0x10, 0x11, 0x12:
            guard p.count >= datagramHeader + 2 * (1 + encodedNameLength + 1) else { return false }
            return Int(p.loadBE16(10)) <= p.count - datagramHeader && isEncodedName(p, at: datagramHeader)
        case 0x14, 0x15, 0x16:
            return isEncodedName(p, at: 10)
        default:
            return false
        }
    }

    /// 0x20, 32 bytes in 'A'…'P', then a zero length or a scope label.
    static func isEncodedName(_ p: UnsafeRawBufferPointer, at: Int) -> Bool {
        guard at + 1 + encodedNameLength + 1 <= p.count, p.byte(at) == 0x20 else { return false }
        for i in 1...encodedNameLength {
            let b = p.byte(at + i)
            guard b >= 0x41, b <= 0x50 else { return false }
        }
        return p.byte(at + 1 + encodedNameLength) < 64
    }
}
