import Testing
import AppProtocols

@Suite struct GQUICProbeTests {
    /// Q043 client Initial: public flags (version, 8-byte CID, 1-byte packet number), CID, "Q043".
    static let q043: [UInt8] = hex("0d  95 e2 0a 7d 31 c8 55 12") + ascii("Q043") + hex("01") + fill(1300, 0x5A)
    /// Q046 long header: 0xC3, "Q046", CID lengths, 8-byte CID.
    static let q046: [UInt8] = hex("c3") + ascii("Q046") + hex("50  95 e2 0a 7d 31 c8 55 12  00 00 00 01") + fill(1300, 0x5A)

    @Test func goldenMatches() {
        expectGolden(GQUICProbe.probe, Self.q043, udp(40000, 443))
        expectGolden(GQUICProbe.probe, Self.q046, udp(40000, 443))
        expectGolden(GQUICProbe.probe, hex("c3") + ascii("T051") + fill(40, 0x11), udp(40000, 443))
    }

    @Test func nearMisses() {
        // IETF QUIC v1 long header: version 0x00000001, not a gQUIC tag.
        expectMiss(GQUICProbe.probe, hex("c3 00 00 00 01 08") + fill(40, 0x11), udp(40000, 443))
        var flags = Self.q043
        flags[0] = 0x0c   // no version flag
        expectMiss(GQUICProbe.probe, flags, udp(40000, 443))
        var tag = Self.q043
        tag[10] = 0x31   // "Q143"
        expectMiss(GQUICProbe.probe, tag, udp(40000, 443))
        expectMiss(GQUICProbe.probe, Self.q043, tcp(40000, 443))
    }
}
