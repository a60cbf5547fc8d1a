import CPrefilter
import PacketCore
@testable import Prefilter
import Testing

/// The address lookup paths in the kernel (bpf_prog_test_run_opts): no lookup (no prefix of the
/// family), hash probes per distinct length behind the quick-reject filter, and the LPM trie when
/// there are more than TL_ADDR_HASH_LENGTHS lengths. Each is checked against a first-match
/// reference over addresses inside, beside and outside every prefix.
@Suite(.serialized) struct AddressLookupTests {
    /// First matching rule of `set` for an untagged TCP/UDP frame, as docs/RULES.md defines it.
    static func reference(_ set: RuleSet, _ f: Frame) -> Int {
        let src = Frame.ip(f.src), dst = Frame.ip(f.dst)
        let host = src.isIPv6 ? 128 : 32
        var ports: (UInt16, UInt16)?
        switch f.l4 {
        case .tcp(let s, let d), .udp(let s, let d): ports = (s, d)
        default: ports = nil
        }
        func inRange(_ r: PortRange?, _ p: UInt16?) -> Bool {
            guard let r else { return true }
            guard let p else { return false }
            return r.lower <= p && p <= r.upper
        }
        for (i, r) in set.rules.enumerated() {
            if let c = r.source, !c.contains(CIDR(address: src, length: host)) { continue }
            if let c = r.destination, !c.contains(CIDR(address: dst, length: host)) { continue }
            if let p = r.proto, p != f.proto { continue }
            if !inRange(r.sourcePort, ports?.0) || !inRange(r.destinationPort, ports?.1) { continue }
            if r.vlan != nil { continue }
            return i
        }
        return RuleSet.maxRules
    }

    /// The rule the program chose, from the metadata (every rule and the default pass).
    static func kernelRule(_ p: PrefilterProgram, _ f: Frame) throws -> Int? {
        try p.testRun(f.bytes).metadata?.rule
    }

    /// Checks every frame against the reference; returns the rules that decided (so a test can
    /// see that its frames reach every rule, not only the default).
    @discardableResult
    static func agree(_ p: PrefilterProgram, _ frames: [Frame]) throws -> Set<Int> {
        var seen = Set<Int>()
        for f in frames {
            let want = reference(p.rules, f)
            seen.insert(want)
            #expect(try kernelRule(p, f) == want, "\(f.src) -> \(f.dst) \(f.l4)")
        }
        return seen
    }

    static func v4(_ x: UInt32) -> String { "\(x >> 24).\((x >> 16) & 255).\((x >> 8) & 255).\(x & 255)" }
    static func v6text(_ hi: UInt64, _ lo: UInt64) -> String {
        (0..<8).map { i in String(UInt16(truncatingIfNeeded: (i < 4 ? hi : lo) >> UInt64(48 - 16 * (i % 4))), radix: 16) }
            .joined(separator: ":")
    }

    /// Addresses inside each prefix (its first, last and a middle address), just outside it, and far away.
    static func probes(_ set: RuleSet, v6: Bool) -> [String] {
        var out: [String] = []
        for r in set.rules {
            for c in [r.source, r.destination].compactMap({ $0 }) where c.isIPv6 == v6 {
                let a = c.address
                if v6 {
                    let span: UInt64 = c.length >= 128 ? 0 : (c.length <= 64 ? .max : .max >> UInt64(c.length - 64))
                    let hiSpan: UInt64 = c.length >= 64 ? 0 : (c.length == 0 ? .max : .max >> UInt64(c.length))
                    // The sibling prefix: the last prefix bit flipped.
                    var sibling = (a.high, a.low)
                    if c.length > 0 {
                        let b = c.length - 1
                        if b < 64 { sibling.0 ^= 1 << UInt64(63 - b) } else { sibling.1 ^= 1 << UInt64(127 - b) }
                    }
                    out += [Self.v6text(a.high, a.low), Self.v6text(a.high | hiSpan, a.low | span), Self.v6text(a.high | hiSpan / 3, a.low | span / 3),
                            Self.v6text(sibling.0, sibling.1)]
                } else {
                    let base = UInt32(truncatingIfNeeded: a.low)
                    let span: UInt32 = c.length == 0 ? .max : (c.length == 32 ? 0 : UInt32.max >> UInt32(c.length))
                    out += [v4(base), v4(base | span), v4(base | span / 3), v4(base &+ span &+ 1), v4(base &- 1)]
                }
            }
        }
        out += v6 ? [Self.v6text(0x2001_0db8_ffff_0000, 1), Self.v6text(0xfe80_0000_0000_0000, 9)] : ["192.0.2.1", "203.0.113.77"]
        return out
    }

    static func frames(_ set: RuleSet, v6: Bool) -> [Frame] {
        let addresses = probes(set, v6: v6)
        let other = v6 ? "2001:db8:9::9" : "10.9.9.9"
        var out: [Frame] = []
        for (i, a) in addresses.enumerated() {
            var f = Frame(); f.src = a; f.dst = other; f.l4 = i % 2 == 0 ? .udp(53, 1000) : .tcp(40000, 80)
            out.append(f)
            var g = f; g.src = other; g.dst = a
            out.append(g)
        }
        return out
    }

    static func mode(_ set: RuleSet, direction: Int, v6: Bool) -> UInt8 {
        CompiledRuleSet(set).addressGroups[direction * 2 + (v6 ? 1 : 0)].plan.mode
    }

    @Test func hostOnlySetUsesOneHashProbe() throws {
        guard requireRoot() else { return }
        var text = ""
        for i in 0..<200 { text += "pass src 198.51.\(i / 100).\(i % 100 * 2)\n" }
        for i in 0..<40 { text += "pass dst 2001:db8::\(String(i * 3 + 1, radix: 16))\n" }
        text += "pass proto udp dport 1000\n"
        let set = rules(text)
        #expect(Self.mode(set, direction: 0, v6: false) == UInt8(TL_ADDR_HASH.rawValue))
        #expect(CompiledRuleSet(set).addressGroups[0].plan.count == 1)
        #expect(Self.mode(set, direction: 1, v6: true) == UInt8(TL_ADDR_HASH.rawValue))
        #expect(Self.mode(set, direction: 0, v6: true) == UInt8(TL_ADDR_BASE.rawValue))
        let p = try PrefilterProgram()
        try p.install(set)
        let decided = try Self.agree(p, Self.frames(set, v6: false) + Self.frames(set, v6: true))
        #expect(decided.count >= 200, "\(decided.count)")
        var f = Frame(); f.src = "198.51.1.98"
        #expect(try Self.kernelRule(p, f) == 149)
        f.src = "198.51.1.99"
        #expect(try Self.kernelRule(p, f) == RuleSet.maxRules)
    }

    @Test func mixedLengthsProbeLongestFirst() throws {
        guard requireRoot() else { return }
        // Rule order does not follow length: a shorter prefix earlier wins inside a longer one.
        let set = rules("""
            pass src 10.1.0.0/16 proto udp
            pass src 10.1.2.3
            pass dst 10.1.2.0/24 dport 80
            pass src 10.0.0.0/8 dport 1000
            pass src 10.1.2.0/24
            pass src 0.0.0.0/0 proto tcp dport 80
            pass dst 2001:db8:1:2::5
            pass dst 2001:db8:1:2::/64 proto tcp
            pass dst 2001:db8:1::/48
            pass src 2001:db8::/32 proto udp
            """)
        #expect(Self.mode(set, direction: 0, v6: false) == UInt8(TL_ADDR_HASH.rawValue))
        #expect(Self.mode(set, direction: 1, v6: true) == UInt8(TL_ADDR_HASH.rawValue))
        let p = try PrefilterProgram()
        try p.install(set)
        let decided = try Self.agree(p, Self.frames(set, v6: false) + Self.frames(set, v6: true))
        #expect(decided == Set(0..<10).union([RuleSet.maxRules]), "\(decided.sorted())")
        var f = Frame(); f.src = "10.1.2.3"; f.l4 = .udp(1, 2)
        #expect(try Self.kernelRule(p, f) == 0)
        f.l4 = .tcp(1, 2)
        #expect(try Self.kernelRule(p, f) == 1)
    }

    @Test func manyLengthsFallBackToTheTrie() throws {
        guard requireRoot() else { return }
        var text = ""
        for len in stride(from: 32, through: 8, by: -4) { // 7 lengths, some nested, longest first
            let a = CIDR.masked(IPAddress(ipv4: 0x0A00_0000 | UInt32(len) << 16 | 0x0304), to: len)
            text += "pass src \(CIDR(address: a, length: len)) proto \(len % 8 == 0 ? "udp" : "tcp")\n"
        }
        for len in [128, 112, 96, 80, 64, 48, 32, 16] {
            let a = CIDR.masked(IPAddress(high: 0x2001_0db8_0000_0000 | UInt64(len) << 8, low: UInt64(len) << 40 | 1, isIPv6: true),
                                to: len)
            text += "pass dst \(CIDR(address: a, length: len))\n"
        }
        let set = rules(text)
        #expect(Self.mode(set, direction: 0, v6: false) == UInt8(TL_ADDR_LPM.rawValue))
        #expect(Self.mode(set, direction: 1, v6: true) == UInt8(TL_ADDR_LPM.rawValue))
        let p = try PrefilterProgram()
        try p.install(set)
        let decided = try Self.agree(p, Self.frames(set, v6: false) + Self.frames(set, v6: true))
        #expect(decided.count >= 12, "\(decided.sorted())")
    }

    @Test func reloadsBetweenHashAndTrieLeaveNoStalePrefixes() throws {
        guard requireRoot() else { return }
        let hashSet = rules("pass src 10.0.0.1\npass src 10.2.0.0/16\n")
        var text = ""
        for len in [8, 12, 16, 20, 24, 28] { text += "pass src 10.0.0.0/\(len) dport \(len)\n" }
        let trieSet = rules(text)
        let p = try PrefilterProgram()
        for set in [hashSet, trieSet, hashSet, rules("pass dst 10.0.0.1"), trieSet, RuleSet()] {
            try p.install(set)
            try Self.agree(p, Self.frames(hashSet, v6: false) + Self.frames(trieSet, v6: false))
        }
        // Non-IP frames meet only rules without addresses, whatever the address plan.
        try p.install(rules("pass src 10.0.0.1\npass vlan 5\n"))
        var arp = Frame(); arp.etherType = 0x0806; arp.vlans = [5]
        #expect(try Self.kernelRule(p, arp) == 1)
    }

    @Test func quickRejectHashIsTheProgramsHash() {
        // Swift calls the header's function: this pins its values so a change is noticed.
        let c = CIDR(address: IPAddress(ipv4: 0xC633_6401), length: 32)
        #expect(CompiledRuleSet.filterHash(c) == tl_addr_filter_hash(0xC633_6401, 0, 0, 0, 32))
        #expect(tl_addr_filter_hash(0, 0, 0, 0, 0) == 0)
    }
}
