import Dissect
import PacketCore
import Testing

@Suite("Hostile and edge-case frames")
struct HostileTests {
    static let a = v4(10, 0, 0, 1)
    static let b = v4(10, 0, 0, 2)

    static func ip4(_ proto: UInt8, _ payload: Bytes, totalLength: Int? = nil, ihl: UInt8? = nil) -> Bytes {
        Build.ipv4(src: a, dst: b, proto: proto, totalLength: totalLength, ihl: ihl, payload)
    }

    // MARK: IPv4

    @Test func ihlBelowFive() {
        let frame = Build.ethernet(0x0800, Self.ip4(6, Build.tcp(sport: 1, dport: 2), ihl: 4))
        #expect(decodeError(frame) == .malformed(.ipv4HeaderLength))
    }

    @Test func totalLengthBelowHeaderLength() {
        let frame = Build.ethernet(0x0800, Self.ip4(6, Build.tcp(sport: 1, dport: 2), totalLength: 19))
        #expect(decodeError(frame) == .malformed(.ipTotalLength))
    }

    @Test func wrongVersionForEtherType() {
        var frame = Build.ethernet(0x0800, Self.ip4(17, Build.udp(sport: 1, dport: 2)))
        frame[14] = 0x65
        #expect(decodeError(frame) == .malformed(.ipVersion))
        #expect(decodeError(Build.ipv6(next: 59, []), .ipv4) == .malformed(.ipVersion))
        #expect(decodeError([0x50] + Bytes(repeating: 0, count: 40), .raw) == .malformed(.ipVersion))
    }

    @Test func snappedIPv4KeepsTotalLength() throws {
        // Total length 1500, 60 bytes captured: decode what is there.
        let frame = Build.ethernet(0x0800, Self.ip4(6, Build.tcp(sport: 1, dport: 2, Bytes(repeating: 0, count: 20)),
                                                    totalLength: 1500))
        let info = try decode(frame)
        #expect(info.ipLength == 1500 && info.hasL4 && info.srcPort == 1)
        #expect(info.payloadOffset == 54 && info.payloadLength == 20)
    }

    // MARK: TCP, UDP

    @Test func tcpDataOffsetBeyondSegmentKeepsTheFlowWithoutPayload() throws {
        let frame = Build.ethernet(0x0800, Self.ip4(6, Build.tcp(sport: 1, dport: 2, dataOffset: 15, [1, 2, 3, 4])))
        let info = try decode(frame)
        #expect(info.l4Incomplete && info.hasL4 && info.srcPort == 1 && info.dstPort == 2)
        #expect(info.payloadLength == 0 && Int(info.payloadOffset) <= frame.count)
    }

    @Test func tcpDataOffsetBelowFiveKeepsTheFlowWithoutPayload() throws {
        let frame = Build.ethernet(0x0800, Self.ip4(6, Build.tcp(sport: 1, dport: 2, dataOffset: 4, [1, 2, 3, 4])))
        let info = try decode(frame)
        #expect(info.l4Incomplete && info.srcPort == 1 && info.dstPort == 2 && info.payloadLength == 0)
    }

    @Test func tcpWithOnlyPortsLeftIsIncompleteAndThreeBytesIsTruncated() throws {
        let full = Build.ethernet(0x0800, Self.ip4(6, Build.tcp(sport: 7, dport: 8)))
        let ports = try decode(Array(full[0..<(14 + 20 + 4)]))
        #expect(ports.l4Incomplete && ports.srcPort == 7 && ports.dstPort == 8 && ports.tcpFlags == 0)
        #expect(decodeError(Array(full[0..<(14 + 20 + 3)])) == .truncated(needed: 4, have: 3))
    }

    @Test func tcpOptionsCutByCapture() throws {
        // IP says the options are there; the capture ends inside them: ports and flags are kept.
        let frame = Build.ethernet(0x0800, Self.ip4(6, Build.tcp(sport: 1, dport: 2, dataOffset: 8), totalLength: 100))
        let info = try decode(frame)
        #expect(info.l4Incomplete && info.srcPort == 1 && info.dstPort == 2 && info.payloadLength == 0)
    }

    @Test func udpLengthBelowHeaderKeepsTheFlowWithoutPayload() throws {
        let frame = Build.ethernet(0x0800, Self.ip4(17, Build.udp(sport: 1, dport: 2, length: 3, [1, 2])))
        let info = try decode(frame)
        #expect(info.l4Incomplete && info.srcPort == 1 && info.dstPort == 2 && info.payloadLength == 0)
    }

    @Test func udpLengthBoundsPayload() throws {
        // UDP length 10 inside a longer IP packet: the UDP length wins.
        let frame = Build.ethernet(0x0800, Self.ip4(17, Build.udp(sport: 1, dport: 2, length: 10, [1, 2, 3, 4, 5])))
        let info = try decode(frame)
        #expect(info.payloadOffset == 42 && info.payloadLength == 2)
    }

    // MARK: IPv6

    @Test func twentyExtensionHeaders() {
        var chain: Bytes = []
        for _ in 0..<20 { chain += Build.ipv6Extension(next: 60) }
        chain += Build.udp(sport: 1, dport: 2)
        let frame = Build.ethernet(0x86DD, Build.ipv6(next: 60, chain))
        #expect(decodeError(frame) == .malformed(.ipv6ExtensionChain))
    }

    @Test func extensionHeadersAtTheLimitDecode() throws {
        var chain: Bytes = []
        for index in 0..<DecodeLimits.maxIPv6ExtensionHeaders {
            chain += Build.ipv6Extension(next: index == DecodeLimits.maxIPv6ExtensionHeaders - 1 ? 17 : 60)
        }
        chain += Build.udp(sport: 1, dport: 2)
        let info = try decode(Build.ethernet(0x86DD, Build.ipv6(next: 60, chain)))
        #expect(info.ipProto == 17 && info.hasL4 && info.dstPort == 2)
        #expect(Int(info.payloadOffset) == 14 + 40 + 8 * DecodeLimits.maxIPv6ExtensionHeaders + 8)
    }

    @Test func jumbogramUsesCapturedLength() throws {
        // Payload length 0 with hop-by-hop (RFC 2675): the length is what was captured.
        let frame = Build.ipv6(next: 0, payloadLength: 0,
                               [17, 0, 0xC2, 4] + be32(70_000) + Build.udp(sport: 1, dport: 2, length: 0, [9, 9]))
        let info = try decode(frame, .raw)
        #expect(info.ipLength == UInt32(frame.count) && info.ipProto == 17 && info.hasL4)
        #expect(info.payloadOffset == 56 && info.payloadLength == 2)
    }

    @Test func ipv6NoNextHeader() throws {
        let info = try decode(Build.ethernet(0x86DD, Build.ipv6(next: 59, [])) + [0, 0, 0, 0])
        #expect(info.ipProto == 59 && !info.hasL4 && info.ipLength == 40 && info.payloadLength == 0)
    }

    // MARK: Ethernet, MPLS, link types

    @Test func vlanTagsBeyondLimit() {
        let tags = Array(repeating: (tpid: UInt16(0x8100), vid: UInt16(5)), count: DecodeLimits.maxVLANTags + 1)
        let frame = Build.ethernet(0x0800, vlans: tags, Self.ip4(17, Build.udp(sport: 1, dport: 2)))
        #expect(decodeError(frame) == .malformed(.vlanDepth))
    }

    @Test func vlanTagsAtLimit() throws {
        var tags = Array(repeating: (tpid: UInt16(0x8100), vid: UInt16(5)), count: DecodeLimits.maxVLANTags)
        tags[0] = (0x88A8, 0x0FFF)
        let info = try decode(Build.ethernet(0x0800, vlans: tags, Self.ip4(17, Build.udp(sport: 1, dport: 2))))
        #expect(info.vlan == 0x0FFF && Int(info.vlanDepth) == DecodeLimits.maxVLANTags && info.hasL4)
    }

    @Test func mplsWithoutBottomOfStack() {
        var labels: Bytes = []
        for label in 0..<UInt32(DecodeLimits.maxMPLSLabels + 2) { labels += Golden.mplsLabel(label, bottom: false) }
        let frame = Build.ethernet(0x8847, labels + Self.ip4(17, Build.udp(sport: 1, dport: 2)))
        #expect(decodeError(frame) == .malformed(.mplsDepth))
        // A short stack that ends with the frame is a truncation.
        let short = Build.ethernet(0x8847, Golden.mplsLabel(1, bottom: false) + Golden.mplsLabel(2, bottom: false))
        #expect(decodeError(short) == .truncated(needed: 4, have: 0))
    }

    @Test func mplsPseudowireIsUnsupported() {
        let frame = Build.ethernet(0x8847, Golden.mplsLabel(1, bottom: true) + [0x00, 0x00, 0x00, 0x00] + Bytes(repeating: 0, count: 20))
        #expect(decodeError(frame) == .unsupported)
    }

    @Test("zero-length frame", arguments: [LinkType.ethernet, .raw, .ipv4, .ipv6, .linuxSLL, .linuxSLL2, .null, .loop])
    func zeroLength(_ link: LinkType) {
        let needed: Int = switch link {
        case .ethernet: 14
        case .raw: 1
        case .ipv4: 20
        case .ipv6: 40
        case .linuxSLL: 16
        case .linuxSLL2: 20
        default: 4
        }
        #expect(decodeError([], link) == .truncated(needed: needed, have: 0))
    }

    @Test func unknownLinkType() {
        #expect(decodeError([], LinkType(rawValue: 147)) == .unsupported)
        #expect(decodeError(Golden.ethernetIPv4TCP, LinkType(rawValue: 105)) == .unsupported)
    }

    @Test func unknownBSDFamilyIsNotIP() throws {
        let info = try decode(be32(0x1234) + Bytes(repeating: 0x45, count: 40), .loop)
        #expect(info.ipVersion == 0 && !info.hasL4)
    }

    @Test func pppoeNonIPIsNotIP() throws {
        // PPP LCP (0xC021)
        let info = try decode(Build.ethernet(0x8864, [0x11, 0x00, 0x00, 0x01, 0x00, 0x06] + be16(0xC021) + [1, 1, 0, 4]))
        #expect(info.ipVersion == 0)
        #expect(decodeError(Build.ethernet(0x8864, [0x12, 0x00, 0x00, 0x01, 0x00, 0x06] + be16(0x0021))) == .malformed(.linkHeader))
    }

    // MARK: Tunnels

    /// `levels` GRE headers, each in its own IPv4 packet, around an inner TCP packet.
    static func greNest(_ levels: Int) -> Bytes {
        var packet = Golden.innerTCP
        for _ in 0..<levels { packet = Self.ip4(47, Build.gre(0x0800, packet)) }
        return Build.ethernet(0x0800, packet)
    }

    @Test func greInGREBeyondTunnelDepth() {
        #expect(decodeError(Self.greNest(DecodeLimits.maxTunnelDepth + 1)) == .malformed(.tunnelDepth))
        #expect(decodeError(Self.greNest(20)) == .malformed(.tunnelDepth))
    }

    @Test func greInGREAtTunnelDepth() throws {
        let info = try decode(Self.greNest(DecodeLimits.maxTunnelDepth))
        #expect(info.tunnel == .gre && info.src == Golden.c && info.dstPort == 22 && info.hasL4)
    }

    static func vxlan(_ inner: Bytes, flags: UInt8 = 0x08) -> Bytes {
        Build.ethernet(0x0800, Self.ip4(17, Build.udp(sport: 5, dport: 4789, Build.vxlan(vni: 9, flags: flags, inner))))
    }

    /// The outer UDP flow of `vxlan(_:)`, unmarked.
    static func expectOuterVXLANFlow(_ info: PacketInfo, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(info.tunnel == .none, sourceLocation: sourceLocation)
        #expect(info.src == IPAddress(ipv4: a) && info.dst == IPAddress(ipv4: b), sourceLocation: sourceLocation)
        #expect(info.ipProto == 17 && info.srcPort == 5 && info.dstPort == 4789 && info.hasL4,
                sourceLocation: sourceLocation)
        #expect(info.payloadOffset == 42, sourceLocation: sourceLocation)
    }

    @Test func vxlanWithTruncatedInnerFrame() throws {
        let full = Build.ethernet(0x0800, Golden.innerTCP)
        for cut in 0..<34 {
            // The outer lengths announce only what is present: the inner frame itself is short.
            let info = try decode(Self.vxlan(Array(full[0..<cut])))
            Self.expectOuterVXLANFlow(info)
            #expect(Int(info.payloadLength) == 8 + cut)
        }
    }

    @Test func vxlanWithoutIFlagOrWithNonIPInner() throws {
        Self.expectOuterVXLANFlow(try decode(Self.vxlan(Build.ethernet(0x0800, Golden.innerTCP), flags: 0)))
        Self.expectOuterVXLANFlow(try decode(Self.vxlan(Build.ethernet(0x0806, Bytes(repeating: 0, count: 28)))))
    }

    @Test func malformedInnerIPKeepsOuterFlow() throws {
        var inner = Golden.innerTCP
        inner[0] = 0x43  // IHL 3
        let info = try decode(Build.ethernet(0x0800, Self.ip4(4, inner)))
        #expect(info.tunnel == .none && info.ipProto == 4 && info.src == IPAddress(ipv4: Self.a) && !info.hasL4)
        #expect(info.payloadOffset == 34 && Int(info.payloadLength) == inner.count)
    }

    @Test func greOddHeadersKeepOuterFlow() throws {
        let routing = be16(0x4000) + be16(0x0800) + Bytes(repeating: 0, count: 8) + Golden.innerTCP
        let unknownProtocol = Build.gre(0x88BE, Golden.innerTCP)
        let version2 = be16(0x0002) + be16(0x0800) + Golden.innerTCP
        let pptpAckOnly = be16(0x2081) + be16(0x880B) + be16(0) + be16(7) + be32(3)
        for gre in [routing, unknownProtocol, version2, pptpAckOnly] {
            let info = try decode(Build.ethernet(0x0800, Self.ip4(47, gre)))
            #expect(info.tunnel == .none && info.ipProto == 47 && info.src == IPAddress(ipv4: Self.a))
        }
    }

    @Test func pptpCompressedPPPProtocol() throws {
        // Protocol-field compression: one byte 0x21, no address/control.
        let gre = be16(0x3001) + be16(0x880B) + be16(46) + be16(7) + be32(1) + [0x21] + Golden.innerTCP
        let info = try decode(Build.ethernet(0x0800, Self.ip4(47, gre)))
        #expect(info.tunnel == .gre && info.src == Golden.c && info.dstPort == 22)
    }

    @Test func gtpExtensionChainsKeepOuterFlowWhenBad() throws {
        let innerIP = Golden.innerTCP
        func frame(_ gtp: Bytes) -> Bytes {
            Build.ethernet(0x0800, Self.ip4(17, Build.udp(sport: 2152, dport: 2152, gtp)))
        }
        // Too many extension headers.
        let long = Build.gtpU(teid: 1, extensions: Array(repeating: [0, 1], count: DecodeLimits.maxGTPExtensionHeaders + 1), innerIP)
        let info = try decode(frame(long))
        #expect(info.tunnel == .none && info.dstPort == 2152)
        // At the limit: decoded.
        let ok = Build.gtpU(teid: 1, extensions: Array(repeating: [0, 1], count: DecodeLimits.maxGTPExtensionHeaders), innerIP)
        #expect(try decode(frame(ok)).tunnel == .gtpU)
        // An extension header of length 0 would loop forever if followed.
        var zero = Build.gtpU(teid: 1, extensions: [[0, 1]], innerIP)
        zero[12] = 0
        #expect(try decode(frame(zero)).tunnel == .none)
    }

    @Test func decapsulationOff() throws {
        let info = try decode(Golden.tunnels[6].bytes, decoder: PacketDecoder(decapsulate: false))
        #expect(info.tunnel == .none && info.dstPort == 4789 && info.src == Golden.a && info.vlan == 10)
    }

    @Test func nonFirstOuterFragmentIsOuterFragment() throws {
        let frame = Build.ethernet(0x0800, Build.ipv4(src: Self.a, dst: Self.b, proto: 47, id: 9, flagsAndOffset: 100,
                                                       Build.gre(0x0800, Golden.innerTCP)))
        let info = try decode(frame)
        #expect(info.tunnel == .none && info.ipProto == 47 && info.isLaterFragment && info.fragmentOffset == 800)
        #expect(!info.hasL4 && info.fragmentID == 9 && info.src == IPAddress(ipv4: Self.a))
    }
}
