import Testing
import AppProtocols

@Suite struct RDPProbeTests {
    /// TPKT + X.224 Connection Request with a routing cookie and RDP_NEG_REQ (TLS | CredSSP).
    static let request: [UInt8] = hex("""
        03 00 00 2b            # TPKT version 3, length 43
        26 e0 00 00 00 00 00   # LI 38, CR, dst-ref 0, src-ref 0, class 0
        """) + ascii("Cookie: mstshash=alice\r\n") + hex("""
        01 00 08 00 03 00 00 00   # RDP_NEG_REQ, flags 0, length 8, PROTOCOL_SSL | PROTOCOL_HYBRID
        """)
    /// Connection Confirm with RDP_NEG_RSP choosing CredSSP.
    static let confirm: [UInt8] = hex("03 00 00 13  0e d0 00 00 12 34 00  02 1f 08 00 02 00 00 00")

    @Test func goldenMatches() {
        expectGolden(RDPProbe.probe, Self.request, tcp(40000, 3389))
        expectGolden(RDPProbe.probe, Self.request, tcp(40000, 33890))
        expectGolden(RDPProbe.probe, Self.confirm, tcp(3389, 40000, initiator: false))
        // Negotiation request alone (no cookie).
        expectGolden(RDPProbe.probe, hex("03 00 00 13  0e e0 00 00 00 00 00  01 00 08 00 0b 00 00 00"), tcp(40000, 3390))
    }

    @Test func nearMisses() {
        var li = Self.request
        li[4] = 0x27
        expectMiss(RDPProbe.probe, li, tcp(40000, 3389))
        var dataTPDU = Self.request
        dataTPDU[5] = 0xF0
        expectMiss(RDPProbe.probe, dataTPDU, tcp(40000, 3389))
        // A bare CR with nothing after it: only on 3389.
        let bare = hex("03 00 00 0b  06 e0 00 00 00 00 00")
        expectMiss(RDPProbe.probe, bare, tcp(40000, 102))
        expectGolden(RDPProbe.probe, bare, tcp(40000, 3389))
        expectMiss(RDPProbe.probe, Self.request, udp(40000, 3389))
    }
}
