public import PacketCore

// L4 headers: TCP, UDP, SCTP, ICMP/ICMPv6 — and the hand-off to tunnels carried in IP or UDP.

@usableFromInline
enum IPProtocol {
    @usableFromInline static let icmp: UInt8 = 1
    @usableFromInline static let ipInIP: UInt8 = 4
    @usableFromInline static let tcp: UInt8 = 6
    @usableFromInline static let udp: UInt8 = 17
    @usableFromInline static let ipv6: UInt8 = 41
    @usableFromInline static let gre: UInt8 = 47
    @usableFromInline static let icmpv6: UInt8 = 58
    @usableFromInline static let sctp: UInt8 = 132
}

extension PacketDecoder {
    @usableFromInline static let tcpMinimumHeaderLength = 20
    @usableFromInline static let udpHeaderLength = 8
    /// Source and destination ports: the first 4 bytes of TCP, UDP and SCTP headers.
    @usableFromInline static let portsLength = 4
    /// TCP bytes up to and including the flags byte.
    @usableFromInline static let tcpFlagsEnd = 14
    /// SCTP common header (RFC 9260 §3.1).
    @usableFromInline static let sctpCommonHeaderLength = 12
    /// Type, code, checksum and the 4-byte rest-of-header that every ICMP/ICMPv6 message has.
    @usableFromInline static let icmpHeaderLength = 8

    /// The L4 header at `offset` inside an IP packet that ends at `ipEnd` (as its header says),
    /// of which the bytes before `end = min(ipEnd, limit)` are present. `offset ≤ end` on entry.
    /// Returns the next step: a tunnel, or `.done`.
    @inlinable
    func decodeTransport(_ frame: UnsafeRawBufferPointer, proto: UInt8, at offset: Int, ipEnd: Int, end: Int,
                         overIPv6: Bool, into info: inout PacketInfo) throws(ParseError) -> DecodeStep {
        info.ipProto = proto
        // Until an L4 header is decoded, the payload is everything after the IP header(s).
        info.payloadOffset = UInt32(truncatingIfNeeded: offset)
        info.payloadLength = UInt32(truncatingIfNeeded: end - offset)
        // A non-first fragment carries no L4 header; a fragment of any kind is never decapsulated.
        if info.isFragment && info.fragmentOffset != 0 { return .done }
        let mayDecapsulate = decapsulate && !info.isFragment

        switch proto {
        case IPProtocol.tcp:
            // Ports alone place a packet in its flow: a header cut by the snap length, a tiny first
            // fragment or a bad data offset still counts, flagged `l4Incomplete`, with no payload.
            try Self.require(Self.portsLength, at: offset, end: end)
            info.srcPort = frame.loadBE16(offset)
            info.dstPort = frame.loadBE16(offset + 2)
            info.hasL4 = true
            if end - offset >= Self.tcpFlagsEnd {
                info.tcpFlags = frame.byte(offset + 13)
                info.tcpSeq = frame.loadBE32(offset + 4)
            }
            let headerLength = end - offset >= Self.tcpFlagsEnd ? Int(frame.byte(offset + 12) >> 4) * 4 : 0
            guard headerLength >= Self.tcpMinimumHeaderLength, offset + headerLength <= ipEnd,
                  offset + headerLength <= end
            else {
                info.l4Incomplete = true
                info.setPayload(from: end, to: end)
                return .done
            }
            info.setPayload(from: offset + headerLength, to: end)
            return .done

        case IPProtocol.udp:
            try Self.require(Self.portsLength, at: offset, end: end)
            let srcPort = frame.loadBE16(offset)
            let dstPort = frame.loadBE16(offset + 2)
            info.srcPort = srcPort
            info.dstPort = dstPort
            info.hasL4 = true
            guard end - offset >= Self.udpHeaderLength else {
                info.l4Incomplete = true
                info.setPayload(from: end, to: end)
                return .done
            }
            let udpLength = Int(frame.loadBE16(offset + 4))
            // Length 0 is legal only in IPv6 jumbograms (RFC 2675 §4); then the IP length rules.
            var udpEnd = end
            if udpLength != 0 {
                guard udpLength >= Self.udpHeaderLength else {
                    info.l4Incomplete = true
                    info.setPayload(from: end, to: end)
                    return .done
                }
                udpEnd = min(end, offset + udpLength)
            }
            let payload = offset + Self.udpHeaderLength
            info.setPayload(from: payload, to: udpEnd)
            if mayDecapsulate {
                if dstPort == vxlanPort {
                    return DecodeStep(.vxlan, at: payload, limit: udpEnd, entersTunnel: .vxlan)
                }
                if dstPort == gtpUPort || srcPort == gtpUPort {
                    return DecodeStep(.gtpU, at: payload, limit: udpEnd, entersTunnel: .gtpU)
                }
            }
            return .done

        case IPProtocol.sctp:
            try Self.require(Self.portsLength, at: offset, end: end)
            info.srcPort = frame.loadBE16(offset)
            info.dstPort = frame.loadBE16(offset + 2)
            info.hasL4 = true
            guard end - offset >= Self.sctpCommonHeaderLength else {
                info.l4Incomplete = true
                info.setPayload(from: end, to: end)
                return .done
            }
            info.setPayload(from: offset + Self.sctpCommonHeaderLength, to: end)
            return .done

        case IPProtocol.icmp, IPProtocol.icmpv6:
            try Self.require(Self.icmpHeaderLength, at: offset, end: end)
            info.icmpType = frame.byte(offset)
            info.icmpCode = frame.byte(offset + 1)
            info.hasL4 = true
            info.setPayload(from: offset + Self.icmpHeaderLength, to: end)
            return .done

        case IPProtocol.ipInIP, IPProtocol.ipv6:
            guard mayDecapsulate else { return .done }
            return DecodeStep(proto == IPProtocol.ipInIP ? .ipv4 : .ipv6, at: offset, limit: end,
                              entersTunnel: overIPv6 ? .ipInIPv6 : .ipInIPv4)

        case IPProtocol.gre:
            guard mayDecapsulate else { return .done }
            return DecodeStep(.gre, at: offset, limit: end, entersTunnel: .gre)

        default:
            return .done
        }
    }
}

extension PacketInfo {
    /// Sets the payload to the bytes from `start` to `end`; callers have checked `start ≤ end ≤ frame.count`.
    @inlinable @inline(__always)
    mutating func setPayload(from start: Int, to end: Int) {
        payloadOffset = UInt32(truncatingIfNeeded: start)
        payloadLength = UInt32(truncatingIfNeeded: end - start)
    }
}
