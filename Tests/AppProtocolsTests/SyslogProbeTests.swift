import Testing
import AppProtocols

@Suite struct SyslogProbeTests {
    static let rfc5424 = ascii("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8\n")
    static let rfc3164 = ascii("<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!")

    @Test func goldenMatches() {
        expectGolden(SyslogProbe.probe, Self.rfc5424, udp(40000, 514))
        expectGolden(SyslogProbe.probe, Self.rfc3164, udp(40000, 5514))
        expectGolden(SyslogProbe.probe, ascii("<0>kernel: panic"), udp(40000, 514))
    }

    @Test func nearMisses() {
        expectMiss(SyslogProbe.probe, ascii("<192>1 - - - - - -"), udp(40000, 514))
        expectMiss(SyslogProbe.probe, ascii("<034>Feb  5 x"), udp(40000, 514))
        expectMiss(SyslogProbe.probe, ascii("<34 Feb  5 x"), udp(40000, 514))
        expectMiss(SyslogProbe.probe, ascii("<34>") + hex("00 01 02 03"), udp(40000, 514))
        expectMiss(SyslogProbe.probe, Self.rfc3164, tcp(40000, 514))
    }
}
