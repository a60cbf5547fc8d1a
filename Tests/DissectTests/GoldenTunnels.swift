import Dissect
import PacketCore
import Testing

extension Golden {
    static let innerTCP = Build.ipv4(src: v4(192, 168, 1, 1), dst: v4(192, 168, 1, 2), proto: 6, id: 0x0101,
                                     Build.tcp(sport: 1111, dport: 22, [1, 2, 3, 4, 5]))

    /// Fields of `innerTCP` (45 bytes of IP) with its payload at `payloadOffset`.
    static func innerTCPInfo(_ info: inout PacketInfo, payloadOffset: UInt32, tunnel: TunnelKind) {
        info.ipVersion = 4; info.src = c; info.dst = d; info.ipProto = 6; info.ipLength = 45
        info.srcPort = 1111; info.dstPort = 22; info.tcpFlags = 0x18; info.hasL4 = true
        info.fragmentID = 0x0101; info.tunnel = tunnel
        info.payloadOffset = payloadOffset; info.payloadLength = 5
    }

    static func outerIPv4(_ proto: UInt8, flagsAndOffset: UInt16 = 0x4000, _ payload: Bytes) -> Bytes {
        Build.ipv4(src: v4(10, 0, 0, 1), dst: v4(10, 0, 0, 2), proto: proto, flagsAndOffset: flagsAndOffset, payload)
    }

    static let tunnels: [Golden] = [
        Golden("IPv4 in IPv4", Build.ethernet(0x0800, outerIPv4(4, innerTCP)),
               headerEnd: 34, innerHeaderEnd: 74, outerSrc: a) {
            innerTCPInfo(&$0, payloadOffset: 74, tunnel: .ipInIPv4)
        },
        Golden("IPv6 in IPv4 (6in4)",
               Build.ethernet(0x0800, outerIPv4(41, Build.ipv6(next: 17, Build.udp(sport: 7, dport: 8, [1])))),
               headerEnd: 34, innerHeaderEnd: 82, outerSrc: a) {
            $0.ipVersion = 6; $0.src = v6(1); $0.dst = v6(2); $0.ipProto = 17; $0.ipLength = 49
            $0.srcPort = 7; $0.dstPort = 8; $0.hasL4 = true; $0.tunnel = .ipInIPv4
            $0.payloadOffset = 82; $0.payloadLength = 1
        },
        Golden("IPv4 in IPv6 (4in6)",
               Build.ethernet(0x86DD, Build.ipv6(src: 9, dst: 10, next: 4, innerTCP)),
               headerEnd: 54, innerHeaderEnd: 94, outerSrc: v6(9)) {
            innerTCPInfo(&$0, payloadOffset: 94, tunnel: .ipInIPv6)
        },
        Golden("GRE v0 checksum key sequence IPv4",
               Build.ethernet(0x0800, outerIPv4(47, Build.gre(0x0800, checksum: true, key: 77, sequence: 5, innerTCP))),
               headerEnd: 34, innerHeaderEnd: 90, outerSrc: a) {
            innerTCPInfo(&$0, payloadOffset: 90, tunnel: .gre)
        },
        Golden("GRE transparent Ethernet bridging, inner VLAN ignored",
               Build.ethernet(0x0800, outerIPv4(47, Build.gre(0x6558,
                   Build.ethernet(0x0800, vlans: [(0x8100, 30)], innerTCP)))),
               headerEnd: 34, innerHeaderEnd: 96, outerSrc: a) {
            innerTCPInfo(&$0, payloadOffset: 96, tunnel: .gre)
        },
        Golden("GRE v1 (PPTP) PPP IPv4",
               // flags K|S|A version 1, protocol PPP, payload length, call ID, sequence, ack; PPP FF 03 0021
               Build.ethernet(0x0800, outerIPv4(47, be16(0x3081) + be16(0x880B) + be16(49) + be16(0x0007)
                   + be32(1) + be32(0) + [0xFF, 0x03] + be16(0x0021) + innerTCP)),
               headerEnd: 34, innerHeaderEnd: 94, outerSrc: a) {
            innerTCPInfo(&$0, payloadOffset: 94, tunnel: .gre)
        },
        Golden("VXLAN inner Ethernet VLAN IPv4, outer VLAN kept",
               Build.ethernet(0x0800, vlans: [(0x8100, 10)], outerIPv4(17, Build.udp(sport: 49152, dport: 4789,
                   Build.vxlan(vni: 42, Build.ethernet(0x0800, vlans: [(0x8100, 20)], innerTCP))))),
               headerEnd: 46, innerHeaderEnd: 112, outerSrc: a) {
            innerTCPInfo(&$0, payloadOffset: 112, tunnel: .vxlan)
            $0.vlan = 10; $0.vlanDepth = 1
        },
        Golden("GTP-U G-PDU with extension header IPv6",
               Build.ethernet(0x0800, outerIPv4(17, Build.udp(sport: 2152, dport: 2152,
                   Build.gtpU(teid: 0x1234_5678, extensions: [[0x00, 0x09]],
                              Build.ipv6(next: 17, Build.udp(sport: 443, dport: 55555, [1, 2, 3])))))),
               headerEnd: 42, innerHeaderEnd: 106, outerSrc: a) {
            $0.ipVersion = 6; $0.src = v6(1); $0.dst = v6(2); $0.ipProto = 17; $0.ipLength = 51
            $0.srcPort = 443; $0.dstPort = 55555; $0.hasL4 = true; $0.tunnel = .gtpU
            $0.payloadOffset = 106; $0.payloadLength = 3
        },
        Golden("GTP-U echo request keeps the outer UDP flow",
               Build.ethernet(0x0800, outerIPv4(17, Build.udp(sport: 40000, dport: 2152,
                   Build.gtpU(teid: 0, messageType: 1, [0, 0, 0, 0])))),
               headerEnd: 42) {
            $0.ipVersion = 4; $0.src = a; $0.dst = b; $0.ipProto = 17; $0.ipLength = 40
            $0.srcPort = 40000; $0.dstPort = 2152; $0.hasL4 = true; $0.fragmentID = 0x1C46
            $0.payloadOffset = 42; $0.payloadLength = 12
        },
        Golden("VXLAN in IPv4 carrying GRE: innermost flow, outermost tunnel",
               Build.ethernet(0x0800, outerIPv4(17, Build.udp(sport: 1, dport: 4789, Build.vxlan(vni: 1,
                   Build.ethernet(0x0800, Build.ipv4(src: v4(172, 16, 0, 1), dst: v4(172, 16, 0, 2), proto: 47,
                                                     Build.gre(0x0800, innerTCP))))))),
               headerEnd: 42, innerHeaderEnd: 128) {
            innerTCPInfo(&$0, payloadOffset: 128, tunnel: .vxlan)
        },
        Golden("first fragment of a GRE packet is not decapsulated",
               Build.ethernet(0x0800, outerIPv4(47, flagsAndOffset: 0x2000, Build.gre(0x0800, innerTCP))),
               headerEnd: 34) {
            $0.ipVersion = 4; $0.src = a; $0.dst = b; $0.ipProto = 47; $0.ipLength = 69
            $0.isFragment = true; $0.moreFragments = true; $0.fragmentID = 0x1C46
            $0.payloadOffset = 34; $0.payloadLength = 49
        },
        Golden("first fragment of a VXLAN packet keeps its UDP ports",
               Build.ethernet(0x0800, outerIPv4(17, flagsAndOffset: 0x2000, Build.udp(sport: 3, dport: 4789,
                   Build.vxlan(vni: 1, Build.ethernet(0x0800, innerTCP))))),
               headerEnd: 42) {
            $0.ipVersion = 4; $0.src = a; $0.dst = b; $0.ipProto = 17; $0.ipLength = 95
            $0.srcPort = 3; $0.dstPort = 4789; $0.hasL4 = true
            $0.isFragment = true; $0.moreFragments = true; $0.fragmentID = 0x1C46
            $0.payloadOffset = 42; $0.payloadLength = 67
        },
    ]

    static let all: [Golden] = layers + tunnels
}
