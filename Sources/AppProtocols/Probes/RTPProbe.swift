import PacketCore

/// RTP and RTCP (RFC 3550) over UDP, and RTP over TCP (RFC 4571), on unprivileged ports, one of
/// them even (§11).
///
/// One datagram says little: version 2 is two bits. RTP is accepted only with no CSRCs, a valid
/// extension (RFC 8285 profile) or padding when flagged, a payload type in use today, and a payload
/// size that fits fixed-rate codecs. RTCP must be a compound of packets whose lengths tile the datagram.
public enum RTPProbe {
    static let headerLength = 12
    /// RTP packets fit one path MTU (1500 − 20 IPv4 − 8 UDP); larger datagrams are something else.
    static let maxLength = 1472
    /// A bound on the RTCP compound walk (SR/RR + SDES + BYE + feedback).
    static let maxRTCPPackets = 8
    /// MPEG-TS packets carried by payload type 33 (RFC 2250 §2).
    static let transportStreamPacket = 188

    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.srcPort >= 1024, context.dstPort >= 1024,
              context.srcPort & 1 == 0 || context.dstPort & 1 == 0 else { return .noMatch }
        if context.ipProto == 6 { return framed(payload) }
        guard context.ipProto == 17 else { return .noMatch }
        let p = payload
        guard p.count >= headerLength, p.count <= maxLength, p.byte(0) & 0xC0 == 0x80 else { return .noMatch }
        let type = p.byte(1)
        if type >= 200, type <= 206 { return isRTCP(p) ? .match : .noMatch }
        return isRTP(p) ? .match : .noMatch
    }

    /// RTP over TCP (RFC 4571): a 2-byte length, then the packet.
    static func framed(_ p: UnsafeRawBufferPointer) -> ProbeVerdict {
        guard p.count >= 2 else { return .needMore }
        let length = Int(p.loadBE16(0))
        guard length > headerLength, length <= maxLength else { return .noMatch }
        if p.count >= 2 + length {
            let frame = UnsafeRawBufferPointer(rebasing: p[2..<(2 + length)])
            return frame.byte(0) & 0xC0 == 0x80 && isRTP(frame) ? .match : .noMatch
        }
        // Cut inside the first frame: wait while the fixed header agrees so far.
        if p.count >= 3, p.byte(2) & 0xCF != 0x80 { return .noMatch }
        if p.count >= 4, !isPayloadType(p.byte(3) & 0x7F) { return .noMatch }
        return .needMore
    }

    /// Payload types the probe accepts (RFC 3551 §6 static types in use, and dynamic 96–127).
    static func isPayloadType(_ pt: UInt8) -> Bool {
        switch pt {
        case 0, 3, 4, 8, 9, 13, 18, 33, 34, 96...127: true
        default: false
        }
    }

    static func isRTP(_ p: UnsafeRawBufferPointer) -> Bool {
        let b0 = p.byte(0)
        // No CSRC list: mixers that add one are rare, and allowing 0–15 makes random bytes pass.
        guard b0 & 0x0F == 0 else { return false }
        var start = headerLength
        if b0 & 0x10 != 0 {
            guard start + 4 <= p.count else { return false }
            let profile = p.loadBE16(start)
            // RFC 8285: one-byte (0xBEDE) or two-byte (0x100x) header extensions.
            guard profile == 0xBEDE || profile & 0xFFF0 == 0x1000 else { return false }
            start += 4 + 4 * Int(p.loadBE16(start + 2))
        }
        var end = p.count
        if b0 & 0x20 != 0 {
            // The last byte counts the padding; senders fill the rest of it with zeros.
            let pad = Int(p.byte(p.count - 1))
            guard pad >= 1, pad <= p.count - start else { return false }
            for i in (p.count - pad)..<(p.count - 1) where p.byte(i) != 0 { return false }
            end -= pad
        }
        guard start < end else { return false }
        let size = end - start
        switch p.byte(1) & 0x7F {
        case 0, 8, 9: return size % 8 == 0                 // PCMU, PCMA, G.722: 8 bytes per ms
        case 3: return size % 33 == 0                      // GSM 06.10 frames
        case 4: return size % 24 == 0 || size % 20 == 0    // G.723.1 frames of 24 or 20 bytes
        case 13: return size <= 16                         // comfort noise (RFC 3389)
        case 18: return size % 10 == 0 || size % 10 == 2   // G.729 frames, optional SID
        case 33: return size % transportStreamPacket == 0 && p.byte(start) == 0x47
        case 34: return true                               // H.263 (RFC 2190), still common
        case 96...127: return true                         // dynamic (Opus, H.264, VP8, events …)
        default: return false
        }
    }

    /// SR/RR/SDES/BYE/APP/RTPFB/PSFB packets, version 2, whose lengths tile the datagram.
    static func isRTCP(_ p: UnsafeRawBufferPointer) -> Bool {
        var at = 0, n = 0
        while at < p.count {
            guard n < maxRTCPPackets, at + 4 <= p.count, p.byte(at) & 0xC0 == 0x80 else { return false }
            let type = p.byte(at + 1)
            guard type >= 200, type <= 206 else { return false }
            at += 4 * (Int(p.loadBE16(at + 2)) + 1)
            n += 1
        }
        return at == p.count
    }
}
