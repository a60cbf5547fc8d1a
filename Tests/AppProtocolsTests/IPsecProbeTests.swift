import Testing
import AppProtocols

@Suite struct IPsecProbeTests {
    /// IKEv2 IKE_SA_INIT request with one (abridged) SA payload; length 36.
    static let saInit: [UInt8] = hex("""
        6a 2f 11 90 c4 5e 0b 37   # initiator SPI
        00 00 00 00 00 00 00 00   # responder SPI
        21 20 22 08               # next payload SA, version 2.0, IKE_SA_INIT, flags Initiator
        00 00 00 00               # message id
        00 00 00 24               # length 36
        00 00 00 08 00 00 00 00   # SA payload header (abridged)
        """)
    /// IKEv1 Main Mode, version 1.0.
    static let mainMode: [UInt8] = hex("6a 2f 11 90 c4 5e 0b 37  00 00 00 00 00 00 00 00  01 10 02 00  00 00 00 00  00 00 00 1c")

    @Test func goldenMatches() {
        expectGolden(IPsecProbe.probe, Self.saInit, udp(500, 500))
        expectGolden(IPsecProbe.probe, Self.mainMode, udp(500, 500))
        expectGolden(IPsecProbe.probe, fill(4) + Self.saInit, udp(4500, 4500))
        expectGolden(IPsecProbe.probe, [0xFF], udp(40000, 4500))
    }

    @Test func nearMisses() {
        expectMiss(IPsecProbe.probe, Self.saInit + [0], udp(500, 500))
        var version = Self.saInit
        version[17] = 0x30
        expectMiss(IPsecProbe.probe, version, udp(500, 500))
        var exchange = Self.saInit
        exchange[18] = 40
        expectMiss(IPsecProbe.probe, exchange, udp(500, 500))
        expectMiss(IPsecProbe.probe, [0xFF], udp(40000, 500))
        // ESP on 4500 (non-zero SPI): not IKE.
        expectMiss(IPsecProbe.probe, hex("00 00 10 01") + Self.saInit, udp(4500, 4500))
    }
}
