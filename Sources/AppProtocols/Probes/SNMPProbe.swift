import PacketCore

/// SNMP over UDP: a SEQUENCE spanning the datagram, version INTEGER 0/1/3, then a community
/// OCTET STRING and a PDU tag (v1/v2c, RFC 3416) or a header-data SEQUENCE (v3, RFC 3412).
public enum SNMPProbe {
    /// Communities are short printable strings.
    static let maxCommunity = 64

    /// No port requirement (161/162 are usual); the nested BER headers decide.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 17 else { return .noMatch }
        let p = payload
        guard p.count >= 2, p.byte(0) == 0x30, let seq = ProbeScan.ber(p, at: 0),
              seq.content + seq.length == p.count else { return .noMatch }
        guard let ver = ProbeScan.ber(p, at: seq.content), ver.tag == 0x02, ver.length == 1,
              ver.content < p.count else { return .noMatch }
        let version = p.byte(ver.content)
        let next = ver.content + 1
        if version == 3 {
            guard let header = ProbeScan.ber(p, at: next), header.tag == 0x30,
                  let msgID = ProbeScan.ber(p, at: header.content), msgID.tag == 0x02,
                  msgID.length >= 1, msgID.length <= 4 else { return .noMatch }
            return header.content + header.length < p.count ? .match : .noMatch
        }
        guard version <= 1, let community = ProbeScan.ber(p, at: next), community.tag == 0x04,
              community.length <= maxCommunity,
              ProbeScan.isPrintable(p, community.content..<(community.content + community.length)) else { return .noMatch }
        let pduAt = community.content + community.length
        guard pduAt < p.count else { return .noMatch }
        // GetRequest A0 … Report A8 (A4 is the v1 Trap).
        let tag = p.byte(pduAt)
        guard tag >= 0xA0, tag <= 0xA8, let pdu = ProbeScan.ber(p, at: pduAt) else { return .noMatch }
        return pdu.content + pdu.length == p.count ? .match : .noMatch
    }
}
