import PacketCore

/// OpenVPN: the client's first control packet, P_CONTROL_HARD_RESET_CLIENT_V2 or _V3, over UDP or
/// over TCP behind a 2-byte length.
public enum OpenVPNProbe {
    /// Opcodes in the high 5 bits, key id 0 in the low 3 (ssl.h): HARD_RESET_CLIENT_V2 = 7, _V3 = 10.
    static let hardResetClientV2: UInt8 = 7 << 3
    static let hardResetClientV3: UInt8 = 10 << 3
    /// Opcode + 8-byte session id.
    static let sessionHeader = 9
    /// Without tls-auth: ack array length 0, then packet id 0.
    static let plainResetLength = 14
    /// tls-auth HMAC sizes: MD5, SHA-1, SHA-256, SHA-512; with packet id and time (8), ack
    /// length (1) and message packet id (4).
    static func isTLSAuthResetLength(_ n: Int) -> Bool {
        let rest = n - sessionHeader - 8 - 1 - 4
        return rest == 16 || rest == 20 || rest == 32 || rest == 64
    }
    /// tls-crypt: packet id and time (8), tag (32), then at least the encrypted ack length and packet id.
    static let tlsCryptMinLength = sessionHeader + 8 + 32 + 5
    /// A TCP-framed reset is a few hundred bytes at most (tls-crypt-v2 adds a wrapped key).
    static let maxResetLength = 1024

    /// No port requirement (1194 is common but not universal); the reset's shape decides.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        if context.ipProto == 17 { return isReset(payload) ? .match : .noMatch }
        guard context.ipProto == 6 else { return .noMatch }
        guard payload.count >= 3 else {
            // A 2-byte length below the bound, then a reset opcode.
            if payload.count >= 1, payload.byte(0) != 0 { return .noMatch }
            if payload.count == 2, Int(payload.loadBE16(0)) > maxResetLength { return .noMatch }
            return .needMore
        }
        let length = Int(payload.loadBE16(0))
        let op = payload.byte(2)
        guard length >= plainResetLength, length <= maxResetLength,
              op == hardResetClientV2 || op == hardResetClientV3 else { return .noMatch }
        guard payload.count >= 2 + length else { return .needMore }
        return isReset(UnsafeRawBufferPointer(rebasing: payload[2..<(2 + length)])) ? .match : .noMatch
    }

    /// One UDP datagram (or TCP frame) that is a client hard reset.
    static func isReset(_ p: UnsafeRawBufferPointer) -> Bool {
        let n = p.count
        guard n >= plainResetLength, n <= maxResetLength else { return false }
        let op = p.byte(0)
        guard op == hardResetClientV2 || op == hardResetClientV3, p.loadBE64(1) != 0 else { return false }
        // Without tls-auth: ack length 0 and message packet id 0 end the packet.
        if n == plainResetLength { return p.byte(9) == 0 && p.loadBE32(10) == 0 }
        // With tls-auth: the same five bytes end it, after the HMAC, packet id and time.
        if isTLSAuthResetLength(n) { return p.byte(n - 5) == 0 && p.loadBE32(n - 4) == 0 && p.loadBE32(n - 13) != 0 }
        // tls-crypt(-v2): encrypted; the replay packet id is 1 for the first packet, and v3
        // ends with the wrapped client key's 16-bit length.
        guard n >= tlsCryptMinLength, p.loadBE32(sessionHeader) == 1 else { return false }
        if op == hardResetClientV3 {
            let wkc = Int(p.loadBE16(n - 2))
            return wkc >= 2 && wkc <= n - tlsCryptMinLength
        }
        return true
    }
}
