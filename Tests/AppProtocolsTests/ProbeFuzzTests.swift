import Testing
import AppProtocols

/// A fixed-seed generator so the fuzz corpus is the same on every run (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Every probe with the contexts it is most likely to accept: its own ports, each transport.
struct ProbeEntry: Sendable, CustomTestStringConvertible {
    var name: String
    var probe: Probe
    var contexts: [ProbeContext]
    var testDescription: String { name }
}

let allProbes: [ProbeEntry] = [
    ProbeEntry(name: "DHCP", probe: DHCPProbe.probe, contexts: [udp(68, 67)]),
    ProbeEntry(name: "DHCPv6", probe: DHCPv6Probe.probe, contexts: [udp(546, 547)]),
    ProbeEntry(name: "NTP", probe: NTPProbe.probe, contexts: [udp(123, 123)]),
    ProbeEntry(name: "SMTP", probe: SMTPProbe.probe, contexts: [tcp(25, 40000)]),
    ProbeEntry(name: "IMAP", probe: IMAPProbe.probe, contexts: [tcp(143, 40000)]),
    ProbeEntry(name: "POP3", probe: POP3Probe.probe, contexts: [tcp(110, 40000)]),
    ProbeEntry(name: "FTP", probe: FTPProbe.probe, contexts: [tcp(21, 40000)]),
    ProbeEntry(name: "SIP", probe: SIPProbe.probe, contexts: [udp(5060, 5060), tcp(40000, 5060)]),
    ProbeEntry(name: "BitTorrent", probe: BitTorrentProbe.probe, contexts: [tcp(40000, 6881), udp(6881, 6881)]),
    ProbeEntry(name: "WireGuard", probe: WireGuardProbe.probe, contexts: [udp(40000, 51820)]),
    ProbeEntry(name: "OpenVPN", probe: OpenVPNProbe.probe, contexts: [udp(40000, 1194), tcp(40000, 1194)]),
    ProbeEntry(name: "RDP", probe: RDPProbe.probe, contexts: [tcp(40000, 3389)]),
    ProbeEntry(name: "SMB2", probe: SMB2Probe.probe, contexts: [tcp(40000, 445)]),
    ProbeEntry(name: "Kerberos", probe: KerberosProbe.probe, contexts: [udp(40000, 88), tcp(40000, 88)]),
    ProbeEntry(name: "LDAP", probe: LDAPProbe.probe, contexts: [tcp(40000, 389), udp(40000, 389)]),
    ProbeEntry(name: "RTSP", probe: RTSPProbe.probe, contexts: [tcp(40000, 554)]),
    ProbeEntry(name: "MQTT", probe: MQTTProbe.probe, contexts: [tcp(40000, 1883)]),
    ProbeEntry(name: "Redis", probe: RedisProbe.probe, contexts: [tcp(40000, 6379)]),
    ProbeEntry(name: "PostgreSQL", probe: PostgreSQLProbe.probe, contexts: [tcp(40000, 5432)]),
    ProbeEntry(name: "MySQL", probe: MySQLProbe.probe, contexts: [tcp(3306, 40000)]),
    ProbeEntry(name: "STUN", probe: STUNProbe.probe, contexts: [udp(40000, 3478), tcp(40000, 3478)]),
    ProbeEntry(name: "SSDP", probe: SSDPProbe.probe, contexts: [udp(1900, 40000)]),
    ProbeEntry(name: "NetBIOS", probe: NetBIOSProbe.probe, contexts: [udp(137, 137), udp(138, 138)]),
    ProbeEntry(name: "SNMP", probe: SNMPProbe.probe, contexts: [udp(40000, 161)]),
    ProbeEntry(name: "Syslog", probe: SyslogProbe.probe, contexts: [udp(40000, 514)]),
    ProbeEntry(name: "RTP", probe: RTPProbe.probe, contexts: [udp(16384, 16386), tcp(40000, 5000)]),
    ProbeEntry(name: "Telnet", probe: TelnetProbe.probe, contexts: [tcp(23, 40000)]),
    ProbeEntry(name: "SOCKS", probe: SOCKSProbe.probe, contexts: [tcp(40000, 1080)]),
    ProbeEntry(name: "XMPP", probe: XMPPProbe.probe, contexts: [tcp(40000, 5222)]),
    ProbeEntry(name: "IPsec", probe: IPsecProbe.probe, contexts: [udp(500, 500), udp(4500, 4500)]),
    ProbeEntry(name: "gQUIC", probe: GQUICProbe.probe, contexts: [udp(40000, 443)]),
]

@Suite struct ProbeFuzzTests {
    /// Payloads per probe and context.
    static let payloads = 100_000
    /// The largest false-match rate any probe may have on random bytes.
    static let maxRate = 0.001

    /// Random bytes of random lengths (half short, to reach every header check; half up to an
    /// MTU) never trap any probe and rarely match it.
    /// The corpus, built once: payload `i` is `bytes[starts[i] ..< starts[i + 1]]`.
    static let corpus: (bytes: [UInt8], starts: [Int]) = {
        var rng = SplitMix64(state: 0x7A91_11E0)
        var starts = [0]
        var total = 0
        for i in 0..<payloads {
            total += i & 1 == 0 ? Int.random(in: 0..<64, using: &rng) : Int.random(in: 0..<1500, using: &rng)
            starts.append(total)
        }
        var bytes = [UInt8](repeating: 0, count: (total + 7) & ~7)
        bytes.withUnsafeMutableBytes { raw in
            for w in 0..<(raw.count / 8) { raw.storeBytes(of: rng.next(), toByteOffset: w * 8, as: UInt64.self) }
        }
        return (bytes, starts)
    }()

    @Test(arguments: allProbes)
    func randomPayloadsRarelyMatch(_ entry: ProbeEntry) {
        let (bytes, starts) = Self.corpus
        for context in entry.contexts {
            var matches = 0
            bytes.withUnsafeBytes { raw in
                for i in 0..<Self.payloads {
                    let v = entry.probe(UnsafeRawBufferPointer(rebasing: raw[starts[i]..<starts[i + 1]]), context)
                    if v == .match { matches += 1 }
                }
            }
            let rate = Double(matches) / Double(Self.payloads)
            print("fuzz \(entry.name) proto \(context.ipProto) ports \(context.srcPort)/\(context.dstPort): \(matches) matches in \(Self.payloads) (\(rate * 100)%)")
            #expect(rate < Self.maxRate, "\(entry.name): \(matches) matches")
        }
    }

    /// Random payloads that open with each probe's likely first bytes: deeper paths, no traps.
    @Test(arguments: allProbes)
    func structuredPrefixesNeverTrap(_ entry: ProbeEntry) {
        var rng = SplitMix64(state: 0xB0_0B5)
        let openings: [[UInt8]] = [
            [0x01, 0x01, 0x06], [0x30, 0x82, 0xFF, 0xFF, 0x02, 0x04], [0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF],
            [0x6A, 0x84, 0xFF, 0xFF, 0xFF, 0xFF], [0x00, 0x00, 0x00, 0x10, 0x6C], [0x10, 0xFF, 0xFF, 0xFF, 0xFF],
            [0x03, 0x00, 0x00, 0x13, 0x0E, 0xE0], [0x2A, 0x33, 0x0D, 0x0A, 0x24], [0xFF, 0xFA, 0x18],
            [0x05, 0x01, 0x00, 0x03, 0xFF], [0x04, 0x01, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01], [0x80, 0x60],
            [0x90, 0x60], [0xA0, 0x60], [0x80, 0xC8, 0x00, 0x01], Array("220 ".utf8), Array("* OK ".utf8),
            Array("INVITE sip:".utf8), Array("<?xml".utf8), Array("<13>".utf8), [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42],
            [0x38], [0x00, 0x0E, 0x38], [0x41, 0x01], [0x0D], [0xC3, 0x51, 0x30, 0x34, 0x36],
        ]
        var buffer = [UInt8](repeating: 0, count: 600)
        for context in entry.contexts {
            for i in 0..<20_000 {
                let opening = openings[i % openings.count]
                let length = Int.random(in: 0..<600, using: &rng)
                for w in 0..<length { buffer[w] = w < opening.count ? opening[w] : UInt8.random(in: 0...255, using: &rng) }
                _ = buffer.withUnsafeBytes { entry.probe(UnsafeRawBufferPointer(rebasing: $0[0..<length]), context) }
            }
        }
    }
}

@Suite struct ParserFuzzTests {
    /// The probe fuzz corpus through every parser, and the same bytes behind each parser's
    /// fixed-header signature so the option and line walks run on garbage: no traps, and every
    /// range a parser returns lies inside the payload.
    @Test func parsersNeverTrapOrPointOutside() throws {
        let (bytes, starts) = ProbeFuzzTests.corpus
        let dhcpHead = Array(DHCPProbeTests.request[0..<240])
        var scratch = [UInt8]()
        for i in 0..<20_000 {
            let payload = Array(bytes[starts[i]..<starts[i + 1]])
            for variant in 0..<4 {
                switch variant {
                case 0: scratch = payload
                case 1: scratch = dhcpHead + payload
                case 2: scratch = [0x01, 0x10, 0x20, 0x30] + payload
                default: scratch = ascii("INVITE sip:a@b SIP/2.0\r\n") + payload.map { $0 & 1 == 0 ? 0x0A : $0 }
                }
                scratch.withUnsafeBytes { p in
                    let n = p.count
                    func inside(_ r: Range<Int>?) -> Bool { r.map { $0.lowerBound >= 0 && $0.upperBound <= n } ?? true }
                    if let d = try? DHCPParser.parse(p) {
                        #expect(inside(d.hostname) && inside(d.clientHardwareAddress))
                    }
                    if let d = try? DHCPv6Parser.parse(p) { #expect(inside(d.clientFQDN) && inside(d.clientID)) }
                    _ = try? NTPParser.parse(p)
                    if let s = try? SMTPParser.parse(p) { #expect(inside(s.banner) && inside(s.clientDomain)) }
                    if let s = try? IMAPParser.parse(p) { #expect(inside(s.banner)) }
                    if let s = try? POP3Parser.parse(p) { #expect(inside(s.banner) && inside(s.user)) }
                    if let s = try? FTPParser.parse(p) { #expect(inside(s.banner) && inside(s.user)) }
                    if let s = try? SIPParser.parse(p) {
                        #expect(inside(s.requestURI) && inside(s.fromURI) && inside(s.toURI))
                        #expect(inside(s.callID) && inside(s.userAgent))
                    }
                }
            }
        }
    }
}
