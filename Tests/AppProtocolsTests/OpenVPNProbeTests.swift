import Testing
import AppProtocols

@Suite struct OpenVPNProbeTests {
    /// P_CONTROL_HARD_RESET_CLIENT_V2, key id 0, without tls-auth.
    static let plain: [UInt8] = hex("""
        38                        # opcode 7 << 3 | key id 0
        5f 3b 1c 9e 77 a0 12 04   # session id
        00                        # ack array length
        00 00 00 00               # message packet id
        """)
    /// The same with tls-auth (HMAC-SHA1), packet id 1 and a time.
    static let tlsAuth: [UInt8] = hex("38 5f 3b 1c 9e 77 a0 12 04") + fill(20, 0xC4) +
        hex("00 00 00 01  65 4f 2a 10  00  00 00 00 00")
    /// tls-crypt: packet id 1, time, 32-byte tag, encrypted rest.
    static let tlsCrypt: [UInt8] = hex("38 5f 3b 1c 9e 77 a0 12 04  00 00 00 01  65 4f 2a 10") + fill(32, 0x9D) + fill(14, 0x42)

    @Test func goldenMatches() {
        expectGolden(OpenVPNProbe.probe, Self.plain, udp(40000, 1194))
        expectGolden(OpenVPNProbe.probe, Self.tlsAuth, udp(40000, 1194))
        expectGolden(OpenVPNProbe.probe, Self.tlsCrypt, udp(40000, 443))
        expectGolden(OpenVPNProbe.probe, be16(Self.tlsAuth.count) + Self.tlsAuth, tcp(40000, 443))
    }

    @Test func nearMisses() {
        var controlV1 = Self.plain
        controlV1[0] = 0x20   // P_CONTROL_V1 is mid-session, not a reset
        expectMiss(OpenVPNProbe.probe, controlV1, udp(40000, 1194))
        var ack = Self.plain
        ack[9] = 1
        expectMiss(OpenVPNProbe.probe, ack, udp(40000, 1194))
        expectMiss(OpenVPNProbe.probe, Self.plain + [0], udp(40000, 1194))
        expectMiss(OpenVPNProbe.probe, be16(Self.plain.count + 1) + Self.plain + [1], tcp(40000, 1194))
    }
}
