import Testing
import AppProtocols

@Suite struct SOCKSProbeTests {
    /// SOCKS5 greeting offering "no auth" and "user/password".
    static let greeting: [UInt8] = hex("05 02 00 02")
    /// SOCKS5 CONNECT to example.com:443.
    static let connect: [UInt8] = hex("05 01 00 03 0b") + ascii("example.com") + hex("01 bb")
    /// SOCKS4 CONNECT to 192.0.2.1:80 as "bob".
    static let v4: [UInt8] = hex("04 01 00 50 c0 00 02 01") + ascii("bob") + [0]
    /// SOCKS4a CONNECT to example.org:80.
    static let v4a: [UInt8] = hex("04 01 00 50 00 00 00 01") + [0] + ascii("example.org") + [0]

    @Test func goldenMatches() {
        expectGolden(SOCKSProbe.probe, Self.greeting, tcp(40000, 1080))
        expectGolden(SOCKSProbe.probe, Self.connect, tcp(40000, 1080))
        expectGolden(SOCKSProbe.probe, Self.v4, tcp(40000, 9050))
        expectGolden(SOCKSProbe.probe, Self.v4a, tcp(40000, 1080))
    }

    @Test func nearMisses() {
        expectMiss(SOCKSProbe.probe, hex("05 02 00 02 00"), tcp(40000, 1080))
        expectMiss(SOCKSProbe.probe, hex("05 02 00 7f"), tcp(40000, 1080))   // method 0x7F is unassigned
        expectMiss(SOCKSProbe.probe, hex("04 03 00 50 c0 00 02 01 00"), tcp(40000, 1080))
        expectMiss(SOCKSProbe.probe, Self.v4 + [0x41], tcp(40000, 1080))
        expectMiss(SOCKSProbe.probe, Self.greeting, udp(40000, 1080))
    }
}
