import Testing
import AppProtocols

@Suite struct TelnetProbeTests {
    /// Server opening: DO TERMINAL-TYPE, DO TSPEED, DO XDISPLOC, DO NEW-ENVIRON.
    static let opening: [UInt8] = hex("ff fd 18  ff fd 20  ff fd 23  ff fd 27")
    /// Client: SB TERMINAL-TYPE IS "xterm" SE, then WILL NAWS.
    static let subnegotiation: [UInt8] = hex("ff fa 18 00 78 74 65 72 6d ff f0  ff fb 1f")

    @Test func goldenMatches() {
        expectGolden(TelnetProbe.probe, Self.opening, tcp(23, 40000, initiator: false))
        expectGolden(TelnetProbe.probe, Self.subnegotiation, tcp(40000, 23))
        expectGolden(TelnetProbe.probe, hex("ff fb 01 ff fb 03") + ascii("login: "), tcp(2323, 40000))
    }

    @Test func nearMisses() {
        expectMiss(TelnetProbe.probe, hex("ff fd 99"), tcp(23, 40000))   // option 153 is unassigned
        expectMiss(TelnetProbe.probe, hex("ff 20 18"), tcp(23, 40000))
        expectMiss(TelnetProbe.probe, ascii("login: "), tcp(23, 40000))
        expectMiss(TelnetProbe.probe, Self.opening, udp(23, 40000))
    }
}
