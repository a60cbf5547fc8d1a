import Testing
import AppProtocols

@Suite struct NTPProbeTests {
    /// An NTPv4 server reply: stratum 2, poll 6, precision −23, ref id 192.0.2.1.
    static let reply: [UInt8] = hex("""
        24 02 06 e9           # LI 0, VN 4, mode 4; stratum 2; poll 6; precision -23
        00 00 01 00 00 00 02 00   # root delay, root dispersion
        c0 00 02 01           # reference id
        e9 8f 1d 00 00 00 00 00   # reference timestamp
        e9 8f 1d 10 00 00 00 00   # origin
        e9 8f 1d 10 10 00 00 00   # receive
        e9 8f 1d 10 20 00 00 00   # transmit
        """)
    /// An NTPv3 client request, everything zero but the first byte and poll.
    static let request: [UInt8] = hex("1b 00 0a 00") + fill(44)

    @Test func goldenMatches() {
        expectGolden(NTPProbe.probe, Self.reply, udp(123, 40000))
        expectGolden(NTPProbe.probe, Self.request, udp(40000, 123))
        // With a 20-byte key id + MD5 MAC.
        expectGolden(NTPProbe.probe, Self.reply + fill(20, 0xAB), udp(123, 123))
    }

    @Test func controlAndPrivateModesOnPort123() {
        // Mode 7 (ntpdc) response, version 2: implementation 3, request 42, 1 item of 72 bytes.
        let monlist = hex("97 00 03 2a 00 01 00 48") + fill(72, 0x10)
        expectGolden(NTPProbe.probe, monlist, udp(123, 40000))
        expectMiss(NTPProbe.probe, monlist, udp(40000, 40001))
        expectMiss(NTPProbe.probe, hex("97 00 03 2a 00 02 00 48") + fill(72, 0x10), udp(123, 40000))
        // Mode 6 read-variables request, version 2: opcode 2, count 0.
        let readvar = hex("16 02 00 01 00 00 00 00 00 00 00 00")
        expectGolden(NTPProbe.probe, readvar, udp(40000, 123))
        expectMiss(NTPProbe.probe, hex("16 02 00 01 00 00 00 00 00 00 00 08"), udp(40000, 123))
    }

    @Test func nearMisses() {
        var control = Self.reply
        control[0] = 0x26   // mode 6 (control) has another layout
        expectMiss(NTPProbe.probe, control, udp(123, 40000))
        var version0 = Self.reply
        version0[0] = 0x04
        expectMiss(NTPProbe.probe, version0, udp(123, 40000))
        var stratum = Self.reply
        stratum[1] = 17
        expectMiss(NTPProbe.probe, stratum, udp(123, 40000))
        expectMiss(NTPProbe.probe, Self.reply + [0], udp(123, 40000))
    }

    @Test func parserReadsHeader() throws {
        let info = try Self.reply.withUnsafeBytes { try NTPParser.parse($0) }
        #expect(info.leap == 0 && info.version == 4 && info.mode == 4 && info.stratum == 2)
        #expect(info.poll == 6 && info.precision == -23 && info.referenceID == 0xC000_0201)
        #expect(info.transmitTimestamp == 0xE98F_1D10_2000_0000)
        #expect(truncations(Self.reply) { try NTPParser.parse($0) } == 48)
    }
}
