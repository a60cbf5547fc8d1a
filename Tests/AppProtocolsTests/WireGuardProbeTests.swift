import Testing
import AppProtocols

@Suite struct WireGuardProbeTests {
    /// Handshake initiation: type 1, reserved zeros, sender index, then 140 bytes of key material.
    static let initiation: [UInt8] = hex("01 00 00 00  9a 3c 11 07") + fill(140, 0x5C)
    static let response: [UInt8] = hex("02 00 00 00  11 22 33 44  9a 3c 11 07") + fill(80, 0x3A)
    static let cookie: [UInt8] = hex("03 00 00 00  9a 3c 11 07") + fill(56, 0x77)
    /// Transport data: header 16, 32 bytes of encrypted data, 16-byte tag.
    static let data: [UInt8] = hex("04 00 00 00  11 22 33 44  00 00 00 00 00 00 00 07") + fill(48, 0xE1)

    @Test func goldenMatches() {
        for message in [Self.initiation, Self.response, Self.cookie, Self.data] {
            expectGolden(WireGuardProbe.probe, message, udp(40000, 51820))
        }
        expectGolden(WireGuardProbe.probe, Array(Self.data[0..<32]), udp(40000, 51820))   // keepalive
    }

    @Test func nearMisses() {
        expectMiss(WireGuardProbe.probe, Self.initiation + [0], udp(40000, 51820))
        var reserved = Self.initiation
        reserved[2] = 1
        expectMiss(WireGuardProbe.probe, reserved, udp(40000, 51820))
        expectMiss(WireGuardProbe.probe, Self.data + [0], udp(40000, 51820))
        expectMiss(WireGuardProbe.probe, Self.initiation, tcp(40000, 51820))
    }
}
