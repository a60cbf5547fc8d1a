import Testing
import AppProtocols

@Suite struct STUNProbeTests {
    /// Binding request with PRIORITY and USERNAME attributes (RFC 8445 §7.1).
    static let binding: [UInt8] = hex("""
        00 01 00 10                # Binding request, length 16
        21 12 a4 42                # magic cookie
        b7 e7 a7 01 bc 34 d6 86 fa 87 df ae   # transaction id
        00 24 00 04 6e 7f 1e ff    # PRIORITY
        00 06 00 04 61 62 3a 63    # USERNAME "ab:c"
        """)
    /// Binding success response with XOR-MAPPED-ADDRESS.
    static let success: [UInt8] = hex("01 01 00 0c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae  00 20 00 08 00 01 a1 47 e1 12 a6 43")

    @Test func goldenMatches() {
        expectGolden(STUNProbe.probe, Self.binding, udp(40000, 3478))
        expectGolden(STUNProbe.probe, Self.success, udp(19302, 40000))
        expectGolden(STUNProbe.probe, Self.binding, tcp(40000, 3478))
        // TURN Allocate request (method 3).
        expectGolden(STUNProbe.probe, hex("00 03 00 00 21 12 a4 42") + fill(12, 0x33), udp(40000, 3478))
    }

    @Test func nearMisses() {
        var cookie = Self.binding
        cookie[7] = 0x43
        expectMiss(STUNProbe.probe, cookie, udp(40000, 3478))
        expectMiss(STUNProbe.probe, Self.binding + [0, 0, 0, 0], udp(40000, 3478))
        var top = Self.binding
        top[0] = 0x40   // ChannelData / RTP range, not STUN
        expectMiss(STUNProbe.probe, top, udp(40000, 3478))
        var method = Self.binding
        method[1] = 0x0f
        expectMiss(STUNProbe.probe, method, udp(40000, 3478))
    }
}
