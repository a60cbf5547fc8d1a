import PacketCore

/// LDAP (RFC 4511) over TCP, or CLDAP over UDP: an LDAPMessage SEQUENCE, a messageID INTEGER,
/// then a protocolOp with an APPLICATION tag that RFC 4511 defines.
public enum LDAPProbe {
    /// RFC 4511 §4.1.1: MessageID ::= INTEGER (0 .. maxInt), at most 4 content bytes.
    static let maxMessageIDLength = 4
    /// A bound on one message (search results can be large; servers cap requests near this).
    static let maxLength = 1 << 24

    /// No port requirement; the three nested BER headers decide.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 || context.ipProto == 17 else { return .noMatch }
        let more: ProbeVerdict = context.ipProto == 6 ? .needMore : .noMatch
        let p = payload
        if p.count >= 1, p.byte(0) != 0x30 { return .noMatch }
        guard let seq = ProbeScan.ber(p, at: 0) else { return ProbeScan.berCut(p, at: 0) ? more : .noMatch }
        let end = seq.content + seq.length
        guard seq.length >= 5, seq.length <= maxLength else { return .noMatch }
        if context.ipProto == 17, end != p.count { return .noMatch }
        // messageID
        if p.count > seq.content, p.byte(seq.content) != 0x02 { return .noMatch }
        guard let id = ProbeScan.ber(p, at: seq.content) else { return ProbeScan.berCut(p, at: seq.content) ? more : .noMatch }
        guard id.length >= 1, id.length <= maxMessageIDLength, id.content == seq.content + 2 else { return .noMatch }
        if p.count > id.content, p.byte(id.content) & 0x80 != 0 { return .noMatch }
        let opAt = id.content + id.length
        guard opAt < end else { return .noMatch }
        guard opAt < p.count else { return more }
        guard isOperationTag(p.byte(opAt)) else { return .noMatch }
        guard let op = ProbeScan.ber(p, at: opAt) else { return ProbeScan.berCut(p, at: opAt) ? more : .noMatch }
        return op.content + op.length <= end ? .match : .noMatch
    }

    /// RFC 4511 §4.2–4.14: constructed APPLICATION 0–25 in use, or the primitive Unbind (2),
    /// Delete (10) and Abandon (16) requests.
    static func isOperationTag(_ tag: UInt8) -> Bool {
        switch tag {
        case 0x42, 0x4A, 0x50: return true
        case 0x60...0x79:
            let n = tag & 0x1F
            return n != 2 && n != 10 && n != 16 && n != 17 && n != 18 && !(n >= 20 && n <= 22)
        default: return false
        }
    }
}
