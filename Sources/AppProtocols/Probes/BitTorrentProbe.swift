import PacketCore

/// BitTorrent: the peer wire handshake (BEP 3) over TCP; DHT KRPC (BEP 5), uTP (BEP 29) and the
/// UDP tracker connect request (BEP 15) and local service discovery (BEP 14) over UDP.
public enum BitTorrentProbe {
    /// BEP 29: type (0–4) in the high nibble, version 1 in the low nibble; then a 20-byte header.
    static let utpHeaderLength = 20
    /// A bound on the uTP extension chain (two extensions are defined).
    static let maxUTPExtensions = 4
    /// BEP 15: the connect request's protocol id.
    static let trackerProtocolID: UInt64 = 0x417_2710_1980

    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        if context.ipProto == 6 { return ProbeScan.prefix(payload, "\u{13}BitTorrent protocol") }
        guard context.ipProto == 17 else { return .noMatch }
        if isDHT(payload) || isUTP(payload) { return .match }
        // Local Service Discovery (BEP 14), multicast on 6771.
        if ProbeScan.has(payload, "BT-SEARCH * HTTP/1.1\r\n") { return .match }
        if payload.count == 16, payload.loadBE64(0) == trackerProtocolID, payload.loadBE32(8) == 0 { return .match }
        return .noMatch
    }

    /// A bencoded KRPC dictionary: keys are sorted, so messages open with "a", "e", "ip" or "r".
    static func isDHT(_ p: UnsafeRawBufferPointer) -> Bool {
        guard p.count >= 12, p.byte(p.count - 1) == 0x65 /* e */ else { return false }
        if ProbeScan.has(p, "d1:ad2:id20:") || ProbeScan.has(p, "d1:rd2:id20:") || ProbeScan.has(p, "d1:eli") {
            return true
        }
        // Responses that report the querier's address put "ip" first (BEP 42).
        return ProbeScan.has(p, "d2:ip") && ProbeScan.find(p, "1:rd2:id20:", from: 5, end: min(p.count, 64)) != nil
    }

    /// A uTP header with a known type, version 1, a walkable extension chain, and data only on ST_DATA.
    static func isUTP(_ p: UnsafeRawBufferPointer) -> Bool {
        guard p.count >= utpHeaderLength else { return false }
        let b0 = p.byte(0)
        let type = b0 >> 4
        guard b0 & 0x0F == 1, type <= 4 else { return false }
        // Connection ids are random and non-zero in practice; a STUN cookie where uTP keeps its
        // timestamp means STUN (0x0101 success responses look like ST_DATA with an extension).
        guard p.loadBE16(2) != 0, p.loadBE32(4) != STUNProbe.magicCookie else { return false }
        var ext = p.byte(1), at = utpHeaderLength, n = 0
        while ext != 0 {
            guard ext <= 2, n < maxUTPExtensions, at + 2 <= p.count else { return false }
            ext = p.byte(at)
            let length = Int(p.byte(at + 1))
            // BEP 29: extension payloads (selective ACK bitmasks) are non-empty multiples of 4.
            guard length >= 4, length % 4 == 0, at + 2 + length <= p.count else { return false }
            at += 2 + length
            n += 1
        }
        // ST_DATA (0) carries data; ST_FIN, ST_STATE, ST_RESET and ST_SYN do not.
        return type == 0 ? at < p.count : at == p.count
    }
}
