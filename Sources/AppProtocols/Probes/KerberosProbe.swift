import PacketCore

/// Kerberos 5 (RFC 4120) over UDP, or over TCP behind a 4-byte record mark (§7.2.2): an
/// APPLICATION-tagged AS-REQ/AS-REP/TGS-REQ/TGS-REP/KRB-ERROR whose pvno is 5 and msg-type agrees.
public enum KerberosProbe {
    /// A bound on messages (tickets with PACs reach tens of KiB, RFC 4120 leaves it open).
    static let maxLength = 1 << 20

    /// No port requirement; the ASN.1 shape with pvno 5 and a matching msg-type decides.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        if context.ipProto == 17 { return message(payload, total: payload.count) }
        guard context.ipProto == 6 else { return .noMatch }
        if payload.count >= 1, payload.byte(0) & 0x80 != 0 { return .noMatch }   // reserved bit
        guard payload.count >= 4 else { return payload.count >= 1 && payload.byte(0) != 0 ? .noMatch : .needMore }
        let record = Int(payload.loadBE32(0))
        guard record > 0, record <= maxLength else { return .noMatch }
        let body = UnsafeRawBufferPointer(rebasing: payload[4..<min(payload.count, 4 + record)])
        return message(body, total: record)
    }

    /// The message at the start of `p`, which is `total` bytes long when complete.
    static func message(_ p: UnsafeRawBufferPointer, total: Int) -> ProbeVerdict {
        let more: ProbeVerdict = p.count >= total ? .noMatch : .needMore
        guard p.count >= 1 else { return more }
        let tag = p.byte(0)
        let msgType: UInt8
        switch tag {
        case 0x6A, 0x6B, 0x6C, 0x6D: msgType = tag & 0x1F   // AS-REQ 10 … TGS-REP 13
        case 0x7E: msgType = 30                              // KRB-ERROR
        default: return .noMatch
        }
        guard let app = ProbeScan.ber(p, at: 0) else { return ProbeScan.berCut(p, at: 0) ? more : .noMatch }
        // The application element spans the message exactly.
        guard app.content + app.length == total else { return .noMatch }
        guard let seq = ProbeScan.ber(p, at: app.content) else { return ProbeScan.berCut(p, at: app.content) ? more : .noMatch }
        guard seq.tag == 0x30, seq.content + seq.length == app.content + app.length else { return .noMatch }
        // KDC-REQ numbers pvno [1] and msg-type [2]; KDC-REP and KRB-ERROR use [0] and [1].
        let request = msgType == 10 || msgType == 12
        let first: UInt8 = request ? 0xA1 : 0xA0
        // [n] { INTEGER 5 } then [n+1] { INTEGER msgType }: An 03 02 01 05 An+1 03 02 01 tt.
        for i in 0..<10 {
            guard seq.content + i < p.count else { return more }
            guard p.byte(seq.content + i) == expectedByte(i, first: first, msgType: msgType) else { return .noMatch }
        }
        return .match
    }

    /// Byte `i` of the pvno and msg-type elements.
    static func expectedByte(_ i: Int, first: UInt8, msgType: UInt8) -> UInt8 {
        switch i {
        case 0: first
        case 5: first + 1
        case 1, 6: 3
        case 2, 7: 2
        case 3, 8: 1
        case 4: 5
        default: msgType
        }
    }
}
