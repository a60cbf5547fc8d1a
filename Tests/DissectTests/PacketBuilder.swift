import Dissect
import PacketCore
import Testing

// Small builders for test frames. Lengths and offsets are computed, checksums are left zero
// (the decoder does not verify them). Test target only.

typealias Bytes = [UInt8]

func be16(_ value: UInt16) -> Bytes { [UInt8(value >> 8), UInt8(value & 0xFF)] }
func be32(_ value: UInt32) -> Bytes { be16(UInt16(value >> 16)) + be16(UInt16(value & 0xFFFF)) }

/// 2001:db8::<n>
func v6(_ n: UInt64) -> IPAddress { IPAddress(high: 0x2001_0DB8_0000_0000, low: n, isIPv6: true) }
func v6Bytes(_ n: UInt64) -> Bytes { be32(0x2001_0DB8) + be32(0) + be32(UInt32(n >> 32)) + be32(UInt32(n & 0xFFFF_FFFF)) }
/// 10.0.0.<n> and friends, as host-order values.
func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> UInt32 {
    UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
}

enum Build {
    static let dstMAC: Bytes = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55]
    static let srcMAC: Bytes = [0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB]

    /// Ethernet II: MACs, then `tags` (already encoded), then the EtherType and payload.
    static func ethernet(_ type: UInt16, vlans: [(tpid: UInt16, vid: UInt16)] = [], _ payload: Bytes) -> Bytes {
        var out = dstMAC + srcMAC
        for tag in vlans { out += be16(tag.tpid) + be16(tag.vid) }  // TPID then TCI (priority 0)
        return out + be16(type) + payload
    }

    static func ipv4(src: UInt32, dst: UInt32, proto: UInt8, id: UInt16 = 0x1C46, flagsAndOffset: UInt16 = 0x4000,
                     options: Bytes = [], totalLength: Int? = nil, ihl: UInt8? = nil, _ payload: Bytes) -> Bytes {
        precondition(options.count % 4 == 0)
        let headerLength = 20 + options.count
        let total = totalLength ?? headerLength + payload.count
        var out: Bytes = [0x40 | (ihl ?? UInt8(headerLength / 4)), 0x00]
        out += be16(UInt16(total)) + be16(id) + be16(flagsAndOffset)
        out += [64, proto, 0, 0] + be32(src) + be32(dst) + options
        return out + payload
    }

    static func ipv6(src: UInt64 = 1, dst: UInt64 = 2, next: UInt8, payloadLength: Int? = nil, _ payload: Bytes) -> Bytes {
        var out: Bytes = [0x60, 0x00, 0x00, 0x00]
        out += be16(UInt16(payloadLength ?? payload.count)) + [next, 64]
        return out + v6Bytes(src) + v6Bytes(dst) + payload
    }

    /// An 8-byte-unit IPv6 extension header (hop-by-hop, routing, destination options) padded with PadN.
    static func ipv6Extension(next: UInt8, units: UInt8 = 0) -> Bytes {
        [next, units] + Bytes(repeating: 0, count: 6 + Int(units) * 8)
    }

    static func ipv6Fragment(next: UInt8, offset: UInt16, more: Bool, id: UInt32) -> Bytes {
        [next, 0] + be16(offset & 0xFFF8 | (more ? 1 : 0)) + be32(id)
    }

    static func tcp(sport: UInt16, dport: UInt16, flags: UInt8 = 0x18, options: Bytes = [], dataOffset: UInt8? = nil,
                    _ payload: Bytes = []) -> Bytes {
        precondition(options.count % 4 == 0)
        let offsetWords = dataOffset ?? UInt8((20 + options.count) / 4)
        var out = be16(sport) + be16(dport) + be32(0x0102_0304) + be32(0x0506_0708)
        out += [offsetWords << 4, flags] + be16(0xFFFF) + be16(0) + be16(0)
        return out + options + payload
    }

    static func udp(sport: UInt16, dport: UInt16, length: Int? = nil, _ payload: Bytes = []) -> Bytes {
        be16(sport) + be16(dport) + be16(UInt16(length ?? 8 + payload.count)) + be16(0) + payload
    }

    static func icmp(type: UInt8, code: UInt8, _ payload: Bytes = []) -> Bytes {
        [type, code, 0, 0, 0x12, 0x34, 0x00, 0x01] + payload
    }

    static func sctp(sport: UInt16, dport: UInt16, _ payload: Bytes = []) -> Bytes {
        be16(sport) + be16(dport) + be32(0xCAFE_F00D) + be32(0) + payload
    }

    /// GRE version 0 with optional checksum, key and sequence fields.
    static func gre(_ proto: UInt16, checksum: Bool = false, key: UInt32? = nil, sequence: UInt32? = nil,
                    _ payload: Bytes) -> Bytes {
        var flags: UInt16 = 0
        var optional: Bytes = []
        if checksum { flags |= 0x8000; optional += be32(0) }
        if let key { flags |= 0x2000; optional += be32(key) }
        if let sequence { flags |= 0x1000; optional += be32(sequence) }
        return be16(flags) + be16(proto) + optional + payload
    }

    static func vxlan(vni: UInt32, flags: UInt8 = 0x08, _ payload: Bytes) -> Bytes {
        [flags, 0, 0, 0] + be32(vni << 8) + payload
    }

    /// GTP-U v1. With `extensions`, each given as its content (a multiple of 4 minus 2 bytes), chained by type 0x85.
    static func gtpU(teid: UInt32, messageType: UInt8 = 255, extensions: [Bytes] = [], _ payload: Bytes) -> Bytes {
        var body: Bytes = []
        var flags: UInt8 = 0x30
        if !extensions.isEmpty {
            flags |= 0x04
            body += be16(0) + [0, 0x85]  // sequence, N-PDU, next extension type
            for (index, content) in extensions.enumerated() {
                precondition((content.count + 2) % 4 == 0)
                let next: UInt8 = index == extensions.count - 1 ? 0 : 0x85
                body += [UInt8((content.count + 2) / 4)] + content + [next]
            }
        }
        body += payload
        return [flags, messageType] + be16(UInt16(body.count)) + be32(teid) + body
    }
}

/// Decodes `bytes` as a `link` frame with the capture fields set, as the ingest side does.
func decode(_ bytes: Bytes, _ link: LinkType = .ethernet,
            decoder: PacketDecoder = PacketDecoder()) throws(ParseError) -> PacketInfo {
    var info = PacketInfo()
    info.timestampNs = 1_700_000_000_123_456_789
    info.wireLength = UInt32(bytes.count) + 100
    info.capturedLength = UInt32(bytes.count)
    var result: Result<PacketInfo, ParseError> = .failure(.unsupported)
    bytes.withUnsafeBytes { raw in
        do throws(ParseError) {
            try decoder.decode(raw, linkType: link, into: &info)
            result = .success(info)
        } catch {
            result = .failure(error)
        }
    }
    return try result.get()
}

/// The error `bytes` decode to, or nil when they decode.
func decodeError(_ bytes: Bytes, _ link: LinkType = .ethernet,
                 decoder: PacketDecoder = PacketDecoder()) -> ParseError? {
    do throws(ParseError) {
        _ = try decode(bytes, link, decoder: decoder)
        return nil
    } catch {
        return error
    }
}

/// Asserts that every field the decoder fills matches, and that the capture fields were preserved.
func expectFields(_ actual: PacketInfo, _ expected: PacketInfo, frameCount: Int,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.timestampNs == 1_700_000_000_123_456_789, "timestampNs", sourceLocation: sourceLocation)
    #expect(actual.capturedLength == UInt32(frameCount), "capturedLength", sourceLocation: sourceLocation)
    #expect(actual.wireLength == UInt32(frameCount) + 100, "wireLength", sourceLocation: sourceLocation)
    #expect(actual.ipVersion == expected.ipVersion, "ipVersion", sourceLocation: sourceLocation)
    #expect(actual.src == expected.src, "src", sourceLocation: sourceLocation)
    #expect(actual.dst == expected.dst, "dst", sourceLocation: sourceLocation)
    #expect(actual.ipProto == expected.ipProto, "ipProto", sourceLocation: sourceLocation)
    #expect(actual.ipLength == expected.ipLength, "ipLength", sourceLocation: sourceLocation)
    #expect(actual.srcPort == expected.srcPort, "srcPort", sourceLocation: sourceLocation)
    #expect(actual.dstPort == expected.dstPort, "dstPort", sourceLocation: sourceLocation)
    #expect(actual.tcpFlags == expected.tcpFlags, "tcpFlags", sourceLocation: sourceLocation)
    #expect(actual.icmpType == expected.icmpType, "icmpType", sourceLocation: sourceLocation)
    #expect(actual.icmpCode == expected.icmpCode, "icmpCode", sourceLocation: sourceLocation)
    #expect(actual.hasL4 == expected.hasL4, "hasL4", sourceLocation: sourceLocation)
    #expect(actual.vlan == expected.vlan, "vlan", sourceLocation: sourceLocation)
    #expect(actual.vlanDepth == expected.vlanDepth, "vlanDepth", sourceLocation: sourceLocation)
    #expect(actual.mplsDepth == expected.mplsDepth, "mplsDepth", sourceLocation: sourceLocation)
    #expect(actual.tunnel == expected.tunnel, "tunnel", sourceLocation: sourceLocation)
    #expect(actual.isFragment == expected.isFragment, "isFragment", sourceLocation: sourceLocation)
    #expect(actual.fragmentOffset == expected.fragmentOffset, "fragmentOffset", sourceLocation: sourceLocation)
    #expect(actual.moreFragments == expected.moreFragments, "moreFragments", sourceLocation: sourceLocation)
    #expect(actual.fragmentID == expected.fragmentID, "fragmentID", sourceLocation: sourceLocation)
    #expect(actual.payloadOffset == expected.payloadOffset, "payloadOffset", sourceLocation: sourceLocation)
    #expect(actual.payloadLength == expected.payloadLength, "payloadLength", sourceLocation: sourceLocation)
}

/// Builds an expected `PacketInfo` from the fields a test names; the rest stay zero.
func expected(_ build: (inout PacketInfo) -> Void) -> PacketInfo {
    var info = PacketInfo()
    build(&info)
    return info
}
