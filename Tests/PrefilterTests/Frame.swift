import Foundation
import PacketCore

/// Builds test frames: Ethernet, up to two VLAN tags, IPv4 or IPv6 (with extension headers and
/// fragments), then TCP, UDP, ICMP or raw bytes. Checksums are left zero: XDP does not read them.
struct Frame {
    enum L4 { case tcp(UInt16, UInt16), udp(UInt16, UInt16), icmp, icmpv6, raw(UInt8) }

    var vlans: [UInt16] = []
    var qinq = false
    var src = "10.0.0.1"
    var dst = "10.0.0.2"
    var l4 = L4.tcp(1234, 80)
    var payload = 0
    /// IPv4: fragment offset in 8-byte units, and the more-fragments bit.
    var fragmentOffset: UInt16 = 0
    var moreFragments = false
    /// IPv6 extension headers before the L4 header: (type, total length in bytes).
    var ipv6Extensions: [(UInt8, Int)] = []
    /// Non-IP EtherType (ARP …) when set.
    var etherType: UInt16?

    var isIPv6: Bool { src.contains(":") }

    static func address(_ s: String) -> [UInt8] {
        if s.contains(":") {
            // Only the forms the tests use: "2001:db8::N" and "fe80::N" etc.: expand via IPAddress parse.
            let cidr = try! parse6(s)
            return cidr
        }
        return s.split(separator: ".").map { UInt8($0)! }
    }

    static func parse6(_ s: String) throws -> [UInt8] {
        let halves = s.components("::")
        func groups(_ t: Substring) -> [UInt16] { t.isEmpty ? [] : t.split(separator: ":").map { UInt16($0, radix: 16)! } }
        let head = groups(halves[0])
        let tail = halves.count > 1 ? groups(halves[1]) : []
        let all = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    static func ip(_ s: String) -> IPAddress {
        let b = address(s)
        if b.count == 4 { return IPAddress(ipv4: b.reduce(0) { $0 << 8 | UInt32($1) }) }
        let hi = b[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let lo = b[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return IPAddress(high: hi, low: lo, isIPv6: true)
    }

    var proto: UInt8 {
        switch l4 {
        case .tcp: 6
        case .udp: 17
        case .icmp: 1
        case .icmpv6: 58
        case .raw(let p): p
        }
    }

    var bytes: [UInt8] {
        var f: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]
        func be16(_ v: UInt16) { f += [UInt8(v >> 8), UInt8(v & 0xff)] }
        for (i, v) in vlans.enumerated() {
            be16(i == 0 && qinq ? 0x88a8 : 0x8100)
            be16(v)
        }
        if let t = etherType {
            be16(t)
            f += [UInt8](repeating: 0xab, count: 28)
            return f
        }
        var l4bytes: [UInt8] = []
        switch l4 {
        case .tcp(let s, let d):
            l4bytes = [UInt8(s >> 8), UInt8(s & 0xff), UInt8(d >> 8), UInt8(d & 0xff), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]
        case .udp(let s, let d):
            let len = UInt16(8 + payload)
            l4bytes = [UInt8(s >> 8), UInt8(s & 0xff), UInt8(d >> 8), UInt8(d & 0xff), UInt8(len >> 8), UInt8(len & 0xff), 0, 0]
        case .icmp, .icmpv6:
            l4bytes = [8, 0, 0, 0, 0, 1, 0, 1]
        case .raw:
            l4bytes = []
        }
        l4bytes += [UInt8](repeating: 0x5a, count: payload)
        if isIPv6 {
            be16(0x86dd)
            var ext: [UInt8] = []
            let types = ipv6Extensions.map(\.0) + [proto]
            for (i, (_, len)) in ipv6Extensions.enumerated() {
                let next = types[i + 1]
                let type = types[i]
                if type == 44 {
                    ext += [next, 0, UInt8(fragmentOffset >> 5), UInt8((fragmentOffset << 3) & 0xf8) | (moreFragments ? 1 : 0), 0, 0, 0, 7]
                } else if type == 51 {
                    ext += [next, UInt8(len / 4 - 2)] + [UInt8](repeating: 0, count: len - 2)
                } else {
                    ext += [next, UInt8(len / 8 - 1)] + [UInt8](repeating: 0, count: len - 2)
                }
            }
            let plen = UInt16(ext.count + l4bytes.count)
            f += [0x60, 0, 0, 0, UInt8(plen >> 8), UInt8(plen & 0xff), types[0], 64]
            f += Frame.address(src) + Frame.address(dst) + ext + l4bytes
        } else {
            be16(0x0800)
            let total = UInt16(20 + l4bytes.count)
            let frag = fragmentOffset | (moreFragments ? 0x2000 : 0)
            f += [0x45, 0, UInt8(total >> 8), UInt8(total & 0xff), 0, 7, UInt8(frag >> 8), UInt8(frag & 0xff), 64, proto, 0, 0]
            f += Frame.address(src) + Frame.address(dst) + l4bytes
        }
        return f
    }

    /// The same frame in the other direction.
    var reversed: Frame {
        var r = self
        (r.src, r.dst) = (dst, src)
        switch l4 {
        case .tcp(let s, let d): r.l4 = .tcp(d, s)
        case .udp(let s, let d): r.l4 = .udp(d, s)
        default: break
        }
        return r
    }
}

extension String {
    func components(_ separator: String) -> [Substring] {
        guard let r = range(of: separator) else { return [Substring(self)] }
        return [self[startIndex..<r.lowerBound], self[r.upperBound...]]
    }
}
