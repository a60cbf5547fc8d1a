import Dissect
import PacketCore
import Testing

/// A frame with every field it must decode to, and where its needed headers end (for truncation tests).
struct Golden: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: Bytes
    let link: LinkType
    let info: PacketInfo
    /// Cuts before this offset fall inside a header the outermost flow needs: they must throw `.truncated`.
    let outerHeaderEnd: Int
    /// Cuts in `outerHeaderEnd..<innerHeaderEnd` fall inside a tunnel's inner headers: they must decode
    /// to an outer flow. Equal to `outerHeaderEnd` without a tunnel.
    let innerHeaderEnd: Int
    /// The outer flow's source that such cuts fall back to (nil for nested tunnels: any outer level).
    let outerSrc: IPAddress?

    init(_ name: String, _ bytes: Bytes, link: LinkType = .ethernet, headerEnd: Int,
         innerHeaderEnd: Int? = nil, outerSrc: IPAddress? = nil, _ build: (inout PacketInfo) -> Void) {
        self.name = name
        self.bytes = bytes
        self.link = link
        self.info = expected(build)
        self.outerHeaderEnd = headerEnd
        self.innerHeaderEnd = innerHeaderEnd ?? headerEnd
        self.outerSrc = outerSrc
    }

    var testDescription: String { name }
}

extension Golden {
    static let a = IPAddress(ipv4: v4(10, 0, 0, 1))
    static let b = IPAddress(ipv4: v4(10, 0, 0, 2))
    static let c = IPAddress(ipv4: v4(192, 168, 1, 1))
    static let d = IPAddress(ipv4: v4(192, 168, 1, 2))

    static let ethernetIPv4TCP: Bytes = [
        // Ethernet: dst 00:11:22:33:44:55, src 66:77:88:99:aa:bb, type IPv4
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0x08, 0x00,
        // IPv4: v4 IHL 5, TOS 0, total 44, id 0x1c46, DF, TTL 64, TCP, checksum, 192.168.0.1 → 192.168.0.2
        0x45, 0x00, 0x00, 0x2C, 0x1C, 0x46, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
        0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0x02,
        // TCP: 12345 → 80, seq 1, ack 2, data offset 5, PSH|ACK, window, checksum, urgent
        0x30, 0x39, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
        0x50, 0x18, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00,
        // payload "GET "
        0x47, 0x45, 0x54, 0x20,
        // Ethernet padding to 60 bytes: beyond the IP total length, never payload
        0x00, 0x00,
    ]

    static func mplsLabel(_ label: UInt32, bottom: Bool) -> Bytes {
        be32(label << 12 | (bottom ? 0x100 : 0) | 64)
    }

    // MARK: Link, Ethernet, IP, L4

    static let layers: [Golden] = [
        Golden("Ethernet IPv4 TCP with padding", ethernetIPv4TCP, headerEnd: 54) {
            $0.ipVersion = 4; $0.src = IPAddress(ipv4: v4(192, 168, 0, 1)); $0.dst = IPAddress(ipv4: v4(192, 168, 0, 2))
            $0.ipProto = 6; $0.ipLength = 44; $0.srcPort = 12345; $0.dstPort = 80; $0.tcpFlags = 0x18
            $0.hasL4 = true; $0.fragmentID = 0x1C46; $0.payloadOffset = 54; $0.payloadLength = 4
        },
        Golden("QinQ IPv4 UDP",
               Build.ethernet(0x0800, vlans: [(0x88A8, 0xE064), (0x8100, 200)],
                              Build.ipv4(src: v4(10, 0, 0, 1), dst: v4(10, 0, 0, 2), proto: 17,
                                         Build.udp(sport: 5353, dport: 53, Bytes(repeating: 0xAB, count: 12)))),
               headerEnd: 50) {
            $0.ipVersion = 4; $0.src = a; $0.dst = b; $0.ipProto = 17; $0.ipLength = 40
            $0.srcPort = 5353; $0.dstPort = 53; $0.hasL4 = true; $0.vlan = 100; $0.vlanDepth = 2
            $0.fragmentID = 0x1C46; $0.payloadOffset = 50; $0.payloadLength = 12
        },
        Golden("802.1Q 0x9100 IPv4 TCP",
               Build.ethernet(0x0800, vlans: [(0x9100, 4095)],
                              Build.ipv4(src: v4(10, 0, 0, 1), dst: v4(10, 0, 0, 2), proto: 6,
                                         Build.tcp(sport: 1, dport: 2, flags: 0x02))),
               headerEnd: 58) {
            $0.ipVersion = 4; $0.src = a; $0.dst = b; $0.ipProto = 6; $0.ipLength = 40
            $0.srcPort = 1; $0.dstPort = 2; $0.tcpFlags = 0x02; $0.hasL4 = true; $0.vlan = 4095; $0.vlanDepth = 1
            $0.fragmentID = 0x1C46; $0.payloadOffset = 58; $0.payloadLength = 0
        },
        Golden("MPLS two labels IPv6 UDP",
               Build.ethernet(0x8847, mplsLabel(16, bottom: false) + mplsLabel(17, bottom: true)
                              + Build.ipv6(next: 17, Build.udp(sport: 1000, dport: 2000, [1, 2, 3, 4]))),
               headerEnd: 70) {
            $0.ipVersion = 6; $0.src = v6(1); $0.dst = v6(2); $0.ipProto = 17; $0.ipLength = 52
            $0.srcPort = 1000; $0.dstPort = 2000; $0.hasL4 = true; $0.mplsDepth = 2
            $0.payloadOffset = 70; $0.payloadLength = 4
        },
        Golden("PPPoE session IPv4 ICMP echo",
               Build.ethernet(0x8864, [0x11, 0x00] + be16(0x0001) + be16(2 + 32) + be16(0x0021)
                              + Build.ipv4(src: v4(10, 0, 0, 1), dst: v4(10, 0, 0, 2), proto: 1,
                                           Build.icmp(type: 8, code: 0, [9, 9, 9, 9]))
                              + [0, 0, 0, 0]),  // padding beyond the PPPoE length
               headerEnd: 50) {
            $0.ipVersion = 4; $0.src = a; $0.dst = b; $0.ipProto = 1; $0.ipLength = 32
            $0.icmpType = 8; $0.hasL4 = true; $0.fragmentID = 0x1C46; $0.payloadOffset = 50; $0.payloadLength = 4
        },
        Golden("ARP is not IP", Build.ethernet(0x0806, Bytes(repeating: 0x01, count: 28)), headerEnd: 14) { _ in },
        Golden("VLAN LLDP is not IP", Build.ethernet(0x88CC, vlans: [(0x8100, 7)], Bytes(repeating: 2, count: 30)),
               headerEnd: 18) {
            $0.vlan = 7; $0.vlanDepth = 1
        },
        Golden("IPv6 extension chain, first fragment, TCP SYN",
               Build.ethernet(0x86DD, Build.ipv6(next: 0,
                   Build.ipv6Extension(next: 43)
                   + Build.ipv6Extension(next: 60, units: 1)
                   + Build.ipv6Extension(next: 44)
                   + Build.ipv6Fragment(next: 6, offset: 0, more: true, id: 0xDEAD_BEEF)
                   + Build.tcp(sport: 443, dport: 50000, flags: 0x02, options: [0x02, 0x04, 0x05, 0xB4]))),
               headerEnd: 118) {
            $0.ipVersion = 6; $0.src = v6(1); $0.dst = v6(2); $0.ipProto = 6; $0.ipLength = 104
            $0.srcPort = 443; $0.dstPort = 50000; $0.tcpFlags = 0x02; $0.hasL4 = true
            $0.isFragment = true; $0.moreFragments = true; $0.fragmentID = 0xDEAD_BEEF
            $0.payloadOffset = 118; $0.payloadLength = 0
        },
        Golden("IPv6 non-first fragment",
               Build.ethernet(0x86DD, Build.ipv6(next: 44,
                   Build.ipv6Fragment(next: 17, offset: 1448, more: false, id: 7) + Bytes(repeating: 0x55, count: 100))),
               headerEnd: 62) {
            $0.ipVersion = 6; $0.src = v6(1); $0.dst = v6(2); $0.ipProto = 17; $0.ipLength = 148
            $0.isFragment = true; $0.fragmentOffset = 1448; $0.fragmentID = 7
            $0.payloadOffset = 62; $0.payloadLength = 100
        },
        Golden("IPv4 non-first fragment",
               Build.ethernet(0x0800, Build.ipv4(src: v4(10, 0, 0, 1), dst: v4(10, 0, 0, 2), proto: 17, id: 0x4242,
                                                 flagsAndOffset: 0x2000 | 185, Bytes(repeating: 0x66, count: 50))),
               headerEnd: 34) {
            $0.ipVersion = 4; $0.src = a; $0.dst = b; $0.ipProto = 17; $0.ipLength = 70
            $0.isFragment = true; $0.moreFragments = true; $0.fragmentOffset = 1480; $0.fragmentID = 0x4242
            $0.payloadOffset = 34; $0.payloadLength = 50
        },
        Golden("IPv4 options SCTP",
               Build.ethernet(0x0800, Build.ipv4(src: v4(10, 0, 0, 1), dst: v4(10, 0, 0, 2), proto: 132,
                                                 flagsAndOffset: 0, options: [0x94, 0x04, 0x00, 0x00],
                                                 Build.sctp(sport: 2905, dport: 2906, Bytes(repeating: 3, count: 16)))),
               headerEnd: 50) {
            $0.ipVersion = 4; $0.src = a; $0.dst = b; $0.ipProto = 132; $0.ipLength = 52
            $0.srcPort = 2905; $0.dstPort = 2906; $0.hasL4 = true; $0.fragmentID = 0x1C46
            $0.payloadOffset = 50; $0.payloadLength = 16
        },
        Golden("IPv6 AH TCP",
               Build.ethernet(0x86DD, Build.ipv6(next: 51,
                   [6, 4, 0, 0] + be32(0x100) + be32(1) + Bytes(repeating: 0xEE, count: 12)
                   + Build.tcp(sport: 179, dport: 40000, flags: 0x10, Bytes(repeating: 1, count: 10)))),
               headerEnd: 98) {
            $0.ipVersion = 6; $0.src = v6(1); $0.dst = v6(2); $0.ipProto = 6; $0.ipLength = 94
            $0.srcPort = 179; $0.dstPort = 40000; $0.tcpFlags = 0x10; $0.hasL4 = true
            $0.payloadOffset = 98; $0.payloadLength = 10
        },
        Golden("IPv6 ESP stops the walk",
               Build.ethernet(0x86DD, Build.ipv6(next: 50, be32(0x1234) + be32(1) + Bytes(repeating: 7, count: 20))),
               headerEnd: 54) {
            $0.ipVersion = 6; $0.src = v6(1); $0.dst = v6(2); $0.ipProto = 50; $0.ipLength = 68
            $0.payloadOffset = 54; $0.payloadLength = 28
        },
        Golden("IPv6 ICMPv6 echo",
               Build.ethernet(0x86DD, Build.ipv6(next: 58, Build.icmp(type: 128, code: 0, Bytes(repeating: 8, count: 8)))),
               headerEnd: 62) {
            $0.ipVersion = 6; $0.src = v6(1); $0.dst = v6(2); $0.ipProto = 58; $0.ipLength = 56
            $0.icmpType = 128; $0.hasL4 = true; $0.payloadOffset = 62; $0.payloadLength = 8
        },
        // Link types
        Golden("raw IPv4 UDP", Build.ipv4(src: v4(10, 0, 0, 1), dst: v4(10, 0, 0, 2), proto: 17,
                                         Build.udp(sport: 68, dport: 67, [1, 2])),
               link: .raw, headerEnd: 28) {
            $0.ipVersion = 4; $0.src = a; $0.dst = b; $0.ipProto = 17; $0.ipLength = 30
            $0.srcPort = 68; $0.dstPort = 67; $0.hasL4 = true; $0.fragmentID = 0x1C46
            $0.payloadOffset = 28; $0.payloadLength = 2
        },
        Golden("raw IPv6 TCP", Build.ipv6(next: 6, Build.tcp(sport: 80, dport: 8080, flags: 0x11)),
               link: .raw, headerEnd: 60) {
            $0.ipVersion = 6; $0.src = v6(1); $0.dst = v6(2); $0.ipProto = 6; $0.ipLength = 60
            $0.srcPort = 80; $0.dstPort = 8080; $0.tcpFlags = 0x11; $0.hasL4 = true; $0.payloadOffset = 60
        },
        Golden("LINKTYPE_IPV4 TCP", Build.ipv4(src: v4(10, 0, 0, 1), dst: v4(10, 0, 0, 2), proto: 6,
                                               Build.tcp(sport: 5, dport: 6, [0xAA])),
               link: .ipv4, headerEnd: 40) {
            $0.ipVersion = 4; $0.src = a; $0.dst = b; $0.ipProto = 6; $0.ipLength = 41
            $0.srcPort = 5; $0.dstPort = 6; $0.tcpFlags = 0x18; $0.hasL4 = true; $0.fragmentID = 0x1C46
            $0.payloadOffset = 40; $0.payloadLength = 1
        },
        Golden("LINKTYPE_IPV6 UDP", Build.ipv6(next: 17, Build.udp(sport: 53, dport: 33333, [1])),
               link: .ipv6, headerEnd: 48) {
            $0.ipVersion = 6; $0.src = v6(1); $0.dst = v6(2); $0.ipProto = 17; $0.ipLength = 49
            $0.srcPort = 53; $0.dstPort = 33333; $0.hasL4 = true; $0.payloadOffset = 48; $0.payloadLength = 1
        },
        Golden("Linux SLL IPv4 UDP",
               // packet type 0 (to us), ARPHRD_ETHER, address length 6, address (8 bytes), protocol IPv4
               be16(0) + be16(1) + be16(6) + Build.srcMAC + [0, 0] + be16(0x0800)
               + Build.ipv4(src: v4(10, 0, 0, 1), dst: v4(10, 0, 0, 2), proto: 17, Build.udp(sport: 1, dport: 2, [7])),
               link: .linuxSLL, headerEnd: 44) {
            $0.ipVersion = 4; $0.src = a; $0.dst = b; $0.ipProto = 17; $0.ipLength = 29
            $0.srcPort = 1; $0.dstPort = 2; $0.hasL4 = true; $0.fragmentID = 0x1C46
            $0.payloadOffset = 44; $0.payloadLength = 1
        },
        Golden("Linux SLL2 VLAN IPv6 TCP",
               // protocol 802.1Q, reserved, ifindex 2, ARPHRD_ETHER, packet type 4 (outgoing), address length 6, address
               be16(0x8100) + be16(0) + be32(2) + be16(1) + [4, 6] + Build.srcMAC + [0, 0]
               + be16(12) + be16(0x86DD)
               + Build.ipv6(next: 6, Build.tcp(sport: 22, dport: 50022)),
               link: .linuxSLL2, headerEnd: 84) {
            $0.ipVersion = 6; $0.src = v6(1); $0.dst = v6(2); $0.ipProto = 6; $0.ipLength = 60
            $0.srcPort = 22; $0.dstPort = 50022; $0.tcpFlags = 0x18; $0.hasL4 = true
            $0.vlan = 12; $0.vlanDepth = 1; $0.payloadOffset = 84
        },
        Golden("BSD null little-endian AF_INET",
               [0x02, 0x00, 0x00, 0x00] + Build.ipv4(src: v4(10, 0, 0, 1), dst: v4(10, 0, 0, 2), proto: 6,
                                                     Build.tcp(sport: 9, dport: 10)),
               link: .null, headerEnd: 44) {
            $0.ipVersion = 4; $0.src = a; $0.dst = b; $0.ipProto = 6; $0.ipLength = 40
            $0.srcPort = 9; $0.dstPort = 10; $0.tcpFlags = 0x18; $0.hasL4 = true; $0.fragmentID = 0x1C46
            $0.payloadOffset = 44
        },
        Golden("BSD null big-endian AF_INET6 (Darwin 30)",
               [0x00, 0x00, 0x00, 0x1E] + Build.ipv6(next: 17, Build.udp(sport: 5, dport: 6)),
               link: .null, headerEnd: 52) {
            $0.ipVersion = 6; $0.src = v6(1); $0.dst = v6(2); $0.ipProto = 17; $0.ipLength = 48
            $0.srcPort = 5; $0.dstPort = 6; $0.hasL4 = true; $0.payloadOffset = 52
        },
        Golden("OpenBSD loop AF_INET6 (24)",
               [0x00, 0x00, 0x00, 0x18] + Build.ipv6(next: 58, Build.icmp(type: 135, code: 0)),
               link: .loop, headerEnd: 52) {
            $0.ipVersion = 6; $0.src = v6(1); $0.dst = v6(2); $0.ipProto = 58; $0.ipLength = 48
            $0.icmpType = 135; $0.hasL4 = true; $0.payloadOffset = 52
        },
    ]
}
