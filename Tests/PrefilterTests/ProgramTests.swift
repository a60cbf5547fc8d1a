import PacketCore
@testable import Prefilter
import Testing

/// The real program in the kernel, run on crafted frames with bpf_prog_test_run_opts.
@Suite(.serialized) struct ProgramTests {
    @Test func emptyRulesPassEverythingAndCount() throws {
        guard requireRoot() else { return }
        let p = try PrefilterProgram()
        let f = Frame()
        let r = try p.testRun(f.bytes)
        #expect(r.verdict == XDP_PASS_)
        #expect(r.frame == f.bytes)
        let c = p.counters()
        #expect(c.seen.packets == 1)
        #expect(c.seen.bytes == UInt64(f.bytes.count))
        #expect(c.passed.packets == 1)
        #expect(c.activeRule(RuleSet.maxRules).packets == 1)
    }

    @Test func everyRuleField() throws {
        guard requireRoot() else { return }
        let p = try program("""
            drop src 192.0.2.0/24          # rule 0
            drop dst 2001:db8:1::/48       # rule 1
            drop proto udp                 # rule 2
            drop sport 5000                # rule 3
            drop dport 8000-8100           # rule 4
            drop vlan 42                   # rule 5
            default pass
            """)
        var f = Frame(); f.src = "192.0.2.77"
        #expect(try p.rule(Frame()) == RuleSet.maxRules)
        #expect(try p.verdict(f) == XDP_DROP_)
        f.src = "192.0.3.1"
        #expect(try p.verdict(f) == XDP_PASS_)
        var v6 = Frame(); v6.src = "2001:db8:2::1"; v6.dst = "2001:db8:1:ff::9"
        #expect(try p.verdict(v6) == XDP_DROP_)
        v6.dst = "2001:db8:2::2"
        #expect(try p.verdict(v6) == XDP_PASS_)
        var u = Frame(); u.l4 = .udp(1, 2)
        #expect(try p.verdict(u) == XDP_DROP_)
        var s = Frame(); s.l4 = .tcp(5000, 22)
        #expect(try p.verdict(s) == XDP_DROP_)
        s.l4 = .tcp(5001, 22)
        #expect(try p.verdict(s) == XDP_PASS_)
        for port: UInt16 in [7999, 8000, 8050, 8100, 8101] {
            var d = Frame(); d.l4 = .tcp(1000, port)
            #expect(try p.verdict(d) == ((8000...8100).contains(port) ? XDP_DROP_ : XDP_PASS_), "dport \(port)")
        }
        var v = Frame(); v.vlans = [42]
        #expect(try p.verdict(v) == XDP_DROP_)
        v.vlans = [43]
        #expect(try p.verdict(v) == XDP_PASS_)
        let c = p.counters()
        for i in 0..<6 { #expect(c.activeRule(i).packets >= 1, "rule \(i)") }
        #expect(c.seen.packets == c.dropped.packets + c.passed.packets + c.captured.packets)
    }

    @Test func rulesCombineFieldsAndTheFirstMatchWins() throws {
        guard requireRoot() else { return }
        let p = try program("""
            pass src 10.0.0.0/8 dst 10.0.0.2 proto tcp dport 80 vlan 7
            drop src 10.0.0.0/8
            capture dst 10.0.0.0/8
            default drop
            """)
        var f = Frame(); f.vlans = [7]
        #expect(try p.rule(f) == 0)
        #expect(try p.verdict(f) == XDP_PASS_)
        f.l4 = .tcp(1234, 81)
        #expect(try p.verdict(f) == XDP_DROP_)
        var g = Frame(); g.src = "172.16.0.1"
        #expect(try p.rule(g) == 2) // capture; no AF_XDP socket: fallback pass, counted
        #expect(try p.verdict(g) == XDP_PASS_)
        #expect(p.counters().redirectFailures.packets == 2)
        var h = Frame(); h.src = "172.16.0.1"; h.dst = "172.16.0.2"
        #expect(try p.verdict(h) == XDP_DROP_)
        #expect(p.counters().activeRule(RuleSet.maxRules).packets == 1)
    }

    @Test func longestAndShorterPrefixesBothMatch() throws {
        guard requireRoot() else { return }
        // The trie answers with the longest prefix; rule 1's /8 must still match inside rule 0's /24.
        let p = try program("""
            pass src 10.1.2.0/24 proto udp
            drop src 10.0.0.0/8
            default pass
            """)
        var f = Frame(); f.src = "10.1.2.3"
        #expect(try p.rule(f) == 1)
        f.l4 = .udp(1, 2)
        #expect(try p.rule(f) == 0)
    }

    @Test func twoHundredFiftySixRulesTheLastMatches() throws {
        guard requireRoot() else { return }
        var text = ""
        for i in 0..<255 { text += "pass src 198.51.100.\(i) dport \(1000 + i)\n" }
        text += "drop proto tcp dport 80\n"
        let p = try program(text)
        #expect(p.rules.rules.count == 256)
        #expect(try p.rule(Frame()) == 255)
        #expect(try p.verdict(Frame()) == XDP_DROP_)
        var f = Frame(); f.src = "198.51.100.200"; f.l4 = .tcp(9, 1200)
        #expect(try p.rule(f) == 200)
    }

    @Test func sampleKeepsWholeFlowsBothDirections() throws {
        guard requireRoot() else { return }
        let p = try program("sample 4 proto udp\ndefault drop")
        var kept = 0
        for i in 0..<200 {
            var f = Frame(); f.src = "10.9.\(i / 250).\(i % 250)"; f.dst = "10.8.0.1"; f.l4 = .udp(UInt16(1000 + i), 53)
            let a = try p.verdict(f)
            #expect(try p.verdict(f.reversed) == a, "flow \(i) split by direction")
            var other = f; other.l4 = .udp(4000, 4000) // same address pair: same decision
            #expect(try p.verdict(other) == a)
            if a == XDP_PASS_ { kept += 1 } // capture without a socket falls back to pass
        }
        #expect(kept > 20 && kept < 90, "about 1 in 4 of 200 flows kept, got \(kept)")
        let c = p.counters()
        #expect(c.sampleKept.packets + c.sampleDropped.packets == 600)
        #expect(c.sampleKept.packets == UInt64(kept * 3))
    }

    @Test func metadataHashIsSymmetricAndEqualsFlowHash() throws {
        guard requireRoot() else { return }
        let p = try program("pass")
        for (s, d, l4) in [("10.0.0.1", "10.0.0.2", Frame.L4.tcp(1, 2)), ("192.0.2.9", "10.1.1.1", .udp(53, 9999)),
                           ("2001:db8::1", "2001:db8::2", .tcp(443, 50000)), ("fe80::1", "2001:db8::ff", .icmpv6)] {
            var f = Frame(); f.src = s; f.dst = d; f.l4 = l4
            let m = try #require(try p.testRun(f.bytes).metadata)
            let back = try #require(try p.testRun(f.reversed.bytes).metadata)
            #expect(m.isValid)
            #expect(m.flowHash == back.flowHash)
            #expect(m.flowHash == FlowHash.symmetric(Frame.ip(s), Frame.ip(d), proto: f.proto))
            #expect(m.isIPv6 == s.contains(":"))
        }
        var arp = Frame(); arp.etherType = 0x0806
        let m = try #require(try p.testRun(arp.bytes).metadata)
        #expect(m.flowHash == 0)
        #expect(p.counters().nonIP.packets == 1)
    }

    @Test func vlanAndQinQ() throws {
        guard requireRoot() else { return }
        let p = try program("drop vlan 100 dport 80\ndrop vlan 5 proto udp\ndefault pass")
        var f = Frame(); f.vlans = [100]
        #expect(try p.rule(f) == 0)
        f.vlans = [100, 200]; f.qinq = true // outer tag decides; IP is still found under two tags
        #expect(try p.rule(f) == 0)
        f.vlans = [200, 100]
        #expect(try p.rule(f) == RuleSet.maxRules)
        var u = Frame(); u.vlans = [5, 6]; u.l4 = .udp(1, 1)
        #expect(try p.verdict(u) == XDP_DROP_)
        var three = Frame(); three.vlans = [5, 6, 7]; three.l4 = .udp(1, 1)
        // A third tag is not parsed: the frame is non-IP and only port-less, proto-less rules apply.
        #expect(try p.verdict(three) == XDP_PASS_)
    }

    @Test func ipv6ExtensionHeadersAreWalked() throws {
        guard requireRoot() else { return }
        let p = try program("drop proto tcp dport 80\ndrop proto udp\ndefault pass")
        var f = Frame(); f.src = "2001:db8::1"; f.dst = "2001:db8::2"
        f.ipv6Extensions = [(0, 8), (60, 16), (43, 24), (51, 12)]
        #expect(try p.rule(f) == 0)
        f.ipv6Extensions = [(0, 8), (0, 8), (0, 8), (0, 8), (0, 8), (0, 8)]
        #expect(try p.rule(f) == 0)
        f.ipv6Extensions += [(0, 8)] // seven: past the bound, counted as malformed (action pass)
        let r = try p.testRun(f.bytes)
        #expect(r.verdict == XDP_PASS_)
        #expect(r.metadata?.rule == RuleSet.maxRules + 1)
        #expect(p.counters().parseErrors.packets == 1)
    }

    @Test func fragmentsWithoutPortsMatchOnlyPortlessRules() throws {
        guard requireRoot() else { return }
        let p = try program("drop dport 80\ncapture proto tcp\ndefault drop")
        var first = Frame(); first.moreFragments = true
        #expect(try p.rule(first) == 0)
        var later = Frame(); later.fragmentOffset = 185; later.l4 = .raw(6); later.payload = 16
        #expect(try p.rule(later) == 1)
        let m = try #require(try p.testRun(later.bytes).metadata)
        #expect(m.isFragment && !m.hasPorts)
        // No ports in the hash: a later fragment goes to the same worker as its first fragment.
        var firstPassed = first; firstPassed.l4 = .tcp(1234, 81)
        #expect(try p.testRun(firstPassed.bytes).metadata?.flowHash == m.flowHash)
        var v6 = Frame(); v6.src = "2001:db8::1"; v6.dst = "2001:db8::2"; v6.ipv6Extensions = [(44, 8)]
        v6.moreFragments = true
        #expect(try p.rule(v6) == 0)
        v6.fragmentOffset = 100; v6.l4 = .raw(6); v6.payload = 16
        #expect(try p.rule(v6) == 1)
        #expect(p.counters().fragments.packets == 6)
    }

    @Test func truncatedFramesAtEveryLength() throws {
        guard requireRoot() else { return }
        var config = PrefilterConfig()
        config.malformedAction = .drop
        let p = try program("pass", config: config)
        var v6 = Frame(); v6.src = "2001:db8::1"; v6.dst = "2001:db8::2"; v6.l4 = .udp(1, 2)
        v6.ipv6Extensions = [(0, 8), (44, 8)]
        var q = Frame(); q.vlans = [1, 2]; q.l4 = .icmp
        var expectedErrors: UInt64 = 0
        for f in [Frame(), v6, q] {
            let full = f.bytes
            let l4Length = f.l4IsTCP ? 20 : (f.proto == 17 ? 8 : 4)
            // The kernel refuses test frames under 14 bytes (ETH_HLEN), as a NIC never delivers them.
            for n in 14..<full.count {
                let r = try p.testRun(Array(full[0..<n]))
                let complete = n >= f.headerLength + l4Length
                #expect(r.verdict == (complete ? XDP_PASS_ : XDP_DROP_), "length \(n) of \(full.count)")
                if !complete { expectedErrors += 1 }
            }
            #expect(try p.testRun(full).verdict == XDP_PASS_)
        }
        #expect(p.counters().parseErrors.packets == expectedErrors)
    }

    @Test func malformedActionAndSocketFallbackAreConfigurable() throws {
        guard requireRoot() else { return }
        var config = PrefilterConfig()
        config.malformedAction = .capture
        config.passWhenNoSocket = false
        let p = try program("capture proto tcp\ndefault pass", config: config)
        let cut = Array(Frame().bytes[0..<30]) // inside the IPv4 header
        #expect(try p.testRun(cut).verdict == XDP_DROP_) // capture, no socket, fallback drop
        #expect(try p.verdict(Frame()) == XDP_DROP_)
        var u = Frame(); u.l4 = .udp(1, 2)
        #expect(try p.verdict(u) == XDP_PASS_)
        let c = p.counters()
        #expect(c.parseErrors.packets == 1)
        #expect(c.redirectFailures.packets == 2)
        #expect(c.dropped.packets == 2 && c.passed.packets == 1 && c.seen.packets == 3)
        config.writeMetadata = false
        let q = try program("pass", config: config)
        #expect(try q.testRun(Frame().bytes).metadata == nil)
    }

    @Test func shuntedFlowsAreCountedAndDropped() throws {
        guard requireRoot() else { return }
        let p = try program("pass")
        var f = Frame(); f.src = "10.0.0.5"; f.dst = "10.0.0.3"; f.l4 = .tcp(443, 50000); f.vlans = [9]
        let key = ShuntKey(src: Frame.ip("10.0.0.3"), sport: 50000, dst: Frame.ip("10.0.0.5"), dport: 443, proto: 6, vlan: 9)
        try p.addShunt(key, lifetimeNanoseconds: 60_000_000_000)
        #expect(try p.verdict(f) == XDP_DROP_)
        #expect(try p.verdict(f.reversed) == XDP_DROP_)
        var other = f; other.vlans = [10]
        #expect(try p.verdict(other) == XDP_PASS_)
        let counts = try #require(p.shuntCounts(key))
        #expect(counts.packets == 2)
        #expect(counts.bytes == UInt64(f.bytes.count * 2))
        #expect(p.counters().shunted.packets == 2)
        #expect(p.removeShunt(key)?.packets == 2)
        #expect(try p.verdict(f) == XDP_PASS_)

        try p.addShunt(key, lifetimeNanoseconds: 1) // already expired when the packet comes
        #expect(try p.verdict(f) == XDP_PASS_)
        #expect(p.shuntCounts(key) == nil) // the program deleted it
        try p.addShunt(key, lifetimeNanoseconds: 1)
        #expect(p.sweepShunts() == 1)
    }

    @Test func reloadSwitchesTheWholeSet() throws {
        guard requireRoot() else { return }
        let p = try program("drop proto tcp\ndefault pass")
        #expect(try p.verdict(Frame()) == XDP_DROP_)
        try p.install(rules("pass proto tcp\ndefault drop"))
        #expect(try p.verdict(Frame()) == XDP_PASS_)
        var u = Frame(); u.l4 = .udp(1, 1)
        #expect(try p.verdict(u) == XDP_DROP_)
        let c = p.counters()
        #expect(c.generation == 3) // empty set at load, then two installs
        #expect(c.activeRule(0).packets == 1)
        #expect(c.rules[1 - c.activeSet][0].packets == 1)
    }

    @Test func nonIPFramesMeetOnlyOpenRules() throws {
        guard requireRoot() else { return }
        let p = try program("drop proto tcp\ncapture vlan 3\ndrop\n")
        var arp = Frame(); arp.etherType = 0x0806
        #expect(try p.rule(arp) == 2)
        #expect(try p.verdict(arp) == XDP_DROP_)
        arp.vlans = [3]
        #expect(try p.rule(arp) == 1)
    }
}

extension Frame {
    var l4IsTCP: Bool { if case .tcp = l4 { return true } else { return false } }
    /// Bytes before the L4 header.
    var headerLength: Int {
        14 + 4 * vlans.count + (isIPv6 ? 40 + ipv6Extensions.reduce(0) { $0 + ($1.0 == 44 ? 8 : $1.1) } : 20)
    }
}
