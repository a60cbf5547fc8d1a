import PacketCore
@testable import Prefilter
import Testing

@Suite struct RuleParserTests {
    func errors(_ text: String) -> [String] {
        switch RuleParser.parse(text) {
        case .success: return []
        case .failure(let e): return e.errors.map(\.description)
        }
    }

    @Test func goldenFile() throws {
        let text = """
            # Tapline prefilter rules
            default drop            # nothing unless a rule says so

            drop  src 10.0.0.0/8 dport 873          # rsync backups
            sample 10 proto udp dport 53
            capture proto tcp dport 80-443 vlan 100
            pass dst 2001:db8::/32 sport 1-1023
            \tcapture src 192.0.2.1
            """
        let set = try RuleParser.parse(text).get()
        #expect(set.defaultAction == .drop)
        #expect(set.rules.count == 5)
        #expect(set.rules[0] == Rule(action: .drop, source: try RuleParser.parseCIDR("10.0.0.0/8").get(),
                                     destinationPort: PortRange(873, 873), line: 4))
        #expect(set.rules[1].action == .sample(10))
        #expect(set.rules[1].proto == 17)
        #expect(set.rules[2].destinationPort == PortRange(80, 443))
        #expect(set.rules[2].vlan == 100)
        #expect(set.rules[3].destination?.isIPv6 == true)
        #expect(set.rules[3].destination?.length == 32)
        #expect(set.rules[4].source == CIDR(address: IPAddress(ipv4: 0xC000_0201), length: 32))
        #expect(set.rules[4].line == 8)
    }

    @Test func eachErrorWithLineAndColumn() {
        #expect(errors("dorp src 10.0.0.0/8") == ["1:1: unknown action 'dorp' (drop, pass, capture or sample N)"])
        #expect(errors("drop srcc 10.0.0.0/8") == ["1:6: unknown field 'srcc' (src, dst, proto, sport, dport, vlan)"])
        #expect(errors("drop src") == ["1:10: 'src' needs a value"])
        #expect(errors("drop src 10.0.0.300") == ["1:10: bad address '10.0.0.300' (IPv4 like 10.0.0.0/8 or IPv6 like 2001:db8::/32)"])
        #expect(errors("drop src 10.0.0.0/33") == ["1:10: bad prefix length '33' (0-32)"])
        #expect(errors("drop src 10.0.0.1/8") == ["1:10: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)"])
        #expect(errors("drop dst 2001:db8::1/129") == ["1:10: bad prefix length '129' (0-128)"])
        #expect(errors("drop proto tcpp") == ["1:12: unknown protocol 'tcpp' (tcp, udp, icmp, icmpv6 or 0-255)"])
        #expect(errors("drop dport 70000") == ["1:12: bad port '70000' (a port 0-65535 or a range LOW-HIGH with LOW <= HIGH)"])
        #expect(errors("drop dport 90-80") == ["1:12: bad port '90-80' (a port 0-65535 or a range LOW-HIGH with LOW <= HIGH)"])
        #expect(errors("drop vlan 4096") == ["1:11: bad VLAN ID '4096' (0-4095)"])
        #expect(errors("sample 0") == ["1:8: sample N: '0' is not a whole number from 1 to 4294967295"])
        #expect(errors("sample") == ["1:8: sample needs N (keep 1 flow in N)"])
        #expect(errors("drop vlan 1 vlan 2") == ["1:13: 'vlan' given twice (first at column 6)"])
        #expect(errors("drop src 10.0.0.0/8 dst ::1") == ["1:21: src is IPv4 but dst is IPv6: no packet can match"])
        #expect(errors("drop proto icmp dport 1") == ["1:12: ports need proto tcp or udp (the prefilter reads no other ports)"])
        #expect(errors("default pass\ndefault drop") == ["2:1: a second default action (the first is on line 1)"])
        #expect(errors("default") == ["1:9: missing action (drop, pass, capture or sample N)"])
        #expect(errors("default drop now") == ["1:14: unexpected 'now' after the default action"])
    }

    @Test func everyErrorIsReportedAndNothingIsReturned() {
        let text = """
            drop src 10.0.0.0/8
            drop dport x   # one
            pass             # fine
            capture vlan 9999 proto zz
            """
        #expect(errors(text) == [
            "2:12: bad port 'x' (a port 0-65535 or a range LOW-HIGH with LOW <= HIGH)",
            "4:14: bad VLAN ID '9999' (0-4095)",
            "4:25: unknown protocol 'zz' (tcp, udp, icmp, icmpv6 or 0-255)",
        ])
    }

    @Test func tooManyRules() {
        let text = String(repeating: "drop proto tcp\n", count: RuleSet.maxRules + 1)
        #expect(errors(text) == ["257:1: more than 256 rules"])
    }

    @Test func commandLineRulesUseTheSameLanguage() throws {
        let set = try RuleParser.parse(lines: ["drop proto udp", "default capture"]).get()
        #expect(set.rules == [Rule(action: .drop, proto: 17, line: 1)])
        #expect(set.defaultAction == .capture)
        #expect(errors("") == [])
        #expect(try RuleParser.parse("  # only a comment\n\n").get() == RuleSet())
    }

    @Test func cidrContainment() throws {
        let a = try RuleParser.parseCIDR("10.0.0.0/8").get()
        let b = try RuleParser.parseCIDR("10.1.0.0/16").get()
        let c = try RuleParser.parseCIDR("2001:db8::/32").get()
        #expect(a.contains(b) && !b.contains(a) && !a.contains(c))
        #expect(try RuleParser.parseCIDR("::/0").get().contains(c))
        #expect(a.description == "10.0.0.0/8")
    }
}
