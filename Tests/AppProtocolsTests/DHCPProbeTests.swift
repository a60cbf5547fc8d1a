import Testing
import AppProtocols

@Suite struct DHCPProbeTests {
    /// A DHCPREQUEST from 00:11:22:33:44:55 for 192.168.1.100, host name "laptop".
    static let request: [UInt8] =
        hex("""
        01 01 06 00   # op BOOTREQUEST, htype Ethernet, hlen 6, hops 0
        39 03 f3 5a   # xid
        00 00 80 00   # secs, flags: broadcast
        00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00   # ciaddr yiaddr siaddr giaddr
        00 11 22 33 44 55   # chaddr (padded to 16 below)
        """) + fill(10) + fill(64) + fill(128) +
        hex("""
        63 82 53 63         # magic cookie
        35 01 03            # option 53: DHCPREQUEST
        32 04 c0 a8 01 64   # option 50: 192.168.1.100
        0c 06 6c 61 70 74 6f 70   # option 12: "laptop"
        00 00               # pad
        ff                  # end
        """)

    @Test func goldenMatchesOnAnyPort() {
        expectGolden(DHCPProbe.probe, Self.request, udp(68, 67))
        expectGolden(DHCPProbe.probe, Self.request, udp(40000, 40001))
    }

    @Test func nearMisses() {
        var wrongCookie = Self.request
        wrongCookie[239] = 0x64
        expectMiss(DHCPProbe.probe, wrongCookie, udp(68, 67))
        var badOp = Self.request
        badOp[0] = 3
        expectMiss(DHCPProbe.probe, badOp, udp(68, 67))
        expectMiss(DHCPProbe.probe, Self.request, tcp(68, 67))
    }

    @Test func parserReadsClientFields() throws {
        let info = try Self.request.withUnsafeBytes { try DHCPParser.parse($0) }
        #expect(info.op == 1 && info.transactionID == 0x3903_F35A && info.messageType == 3)
        #expect(info.clientHardwareAddress == 28..<34)
        #expect(text(Self.request, info.hostname) == "laptop")
        #expect(info.requestedAddress == 0xC0A8_0164)
        #expect(!info.optionsTruncated && !info.tooManyOptions && info.yourAddress == 0)
    }

    @Test func parserTruncation() {
        #expect(truncations(Self.request) { try DHCPParser.parse($0) } == 240)
        // Cut inside the options: the header parses, and the cut is flagged.
        let cut = Array(Self.request[0..<250])
        let info = try? cut.withUnsafeBytes { try DHCPParser.parse($0) }
        #expect(info?.optionsTruncated == true && info?.messageType == 3 && info?.hostname == nil)
    }

    @Test func parserSurvivesHostileOptions() throws {
        // Lengths past the end, and an option stream of only pads with no END.
        let hostile = Array(Self.request[0..<240]) + hex("0c ff 61 62") + fill(100)
        let info = try hostile.withUnsafeBytes { try DHCPParser.parse($0) }
        #expect(info.hostname == nil && info.optionsTruncated)
        let many = Array(Self.request[0..<240]) + [UInt8](repeating: 0x01, count: 3 * 300)
        let manyInfo = try many.withUnsafeBytes { try DHCPParser.parse($0) }
        #expect(manyInfo.tooManyOptions)
    }
}
