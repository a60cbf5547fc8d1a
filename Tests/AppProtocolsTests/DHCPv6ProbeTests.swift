import Testing
import AppProtocols

@Suite struct DHCPv6ProbeTests {
    /// A Solicit with a client DUID, elapsed time and client FQDN "host.lan".
    static let solicit: [UInt8] = hex("""
        01 10 20 30                     # Solicit, transaction id 0x102030
        00 01 00 0e 00 01 00 01 2a 3b 4c 5d 00 11 22 33 44 55   # option 1: DUID-LLT
        00 08 00 02 00 00               # option 8: elapsed time 0
        00 27 00 0b 01 04 68 6f 73 74 03 6c 61 6e 00   # option 39: flags S, "host.lan"
        """)

    @Test func goldenMatchesOnItsPorts() {
        expectGolden(DHCPv6Probe.probe, Self.solicit, udp(546, 547))
    }

    @Test func nearMisses() {
        expectMiss(DHCPv6Probe.probe, Self.solicit, udp(40000, 40001))
        var badTiling = Self.solicit
        badTiling[7] = 0x0f   // DUID length one too long: options no longer tile the datagram
        expectMiss(DHCPv6Probe.probe, badTiling, udp(546, 547))
        var badType = Self.solicit
        badType[0] = 0x20
        expectMiss(DHCPv6Probe.probe, badType, udp(546, 547))
        expectMiss(DHCPv6Probe.probe, Array(Self.solicit[0..<4]), udp(546, 547))
    }

    @Test func parserReadsTypeAndFQDN() throws {
        let info = try Self.solicit.withUnsafeBytes { try DHCPv6Parser.parse($0) }
        #expect(info.messageType == 1 && info.transactionID == 0x10_2030)
        #expect(info.fqdnFlags == 1 && info.optionCount == 3 && !info.optionsTruncated)
        #expect(info.clientFQDN.map { Array(Self.solicit[$0]) } == hex("04 68 6f 73 74 03 6c 61 6e 00"))
        #expect(info.clientID == 8..<22)
    }

    @Test func parserTruncation() {
        #expect(truncations(Self.solicit) { try DHCPv6Parser.parse($0) } == 4)
        let cut = Array(Self.solicit[0..<30])
        let info = try? cut.withUnsafeBytes { try DHCPv6Parser.parse($0) }
        #expect(info?.optionsTruncated == true && info?.clientFQDN == nil && info?.optionCount == 2)
    }
}
