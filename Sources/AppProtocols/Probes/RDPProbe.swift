import PacketCore

/// RDP over TCP: a TPKT (RFC 1006) carrying an X.224 Connection Request with a cookie or
/// RDP_NEG_REQ, or the server's Connection Confirm with RDP_NEG_RSP / RDP_NEG_FAILURE ([MS-RDPBCGR] 2.2.1).
public enum RDPProbe {
    /// TPKT header (4) + X.224 length indicator, code, dst-ref, src-ref, class (7).
    static let headerLength = 11
    /// X.224 CR and CC TPDU codes (upper nibble).
    static let connectionRequest: UInt8 = 0xE0
    static let connectionConfirm: UInt8 = 0xD0
    /// [MS-RDPBCGR] 2.2.1.1.1: RDP_NEG_REQ / RSP / FAILURE, 8 bytes each.
    static let negotiationLength = 8
    /// Connection requests are small; a bound on the TPKT length we wait for.
    static let maxLength = 1024

    /// A bare CR or CC (no cookie, no negotiation) matches only on port 3389.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 else { return .noMatch }
        let n = payload.count
        if n >= 1, payload.byte(0) != 3 { return .noMatch }
        if n >= 2, payload.byte(1) != 0 { return .noMatch }
        guard n >= 4 else { return .needMore }
        let length = Int(payload.loadBE16(2))
        guard length >= headerLength, length <= maxLength else { return .noMatch }
        if n >= 5, Int(payload.byte(4)) != length - 5 { return .noMatch }
        if n >= 6 {
            let code = payload.byte(5) & 0xF0
            guard code == connectionRequest || code == connectionConfirm else { return .noMatch }
        }
        guard n >= length else { return .needMore }
        let code = payload.byte(5) & 0xF0
        // dst-ref is zero in a CR; class 0 without options in both.
        guard payload.byte(10) == 0, code == connectionConfirm || payload.loadBE16(6) == 0 else { return .noMatch }
        var at = headerLength
        if code == connectionRequest {
            if ProbeScan.has(payload, "Cookie: mstshash=", at: at) || ProbeScan.has(payload, "Cookie: msts=", at: at) {
                guard let nl = ProbeScan.find(payload, "\r\n", from: at, end: length) else { return .noMatch }
                at = nl + 2
                if at == length { return .match }
            }
        }
        if at == length { return context.hasPort(3389) ? .match : .noMatch }
        guard at + negotiationLength <= length else { return .noMatch }
        let type = payload.byte(at)
        let expected: Bool = code == connectionRequest ? type == 1 : type == 2 || type == 3
        return expected && payload.loadLE16(at + 2) == UInt16(negotiationLength) ? .match : .noMatch
    }
}
