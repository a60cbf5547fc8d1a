import Testing
import AppProtocols

@Suite struct XMPPProbeTests {
    static let open = ascii("<?xml version='1.0'?><stream:stream to='example.com' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")

    @Test func goldenMatches() {
        expectGolden(XMPPProbe.probe, Self.open, tcp(40000, 5222))
        expectGolden(XMPPProbe.probe, ascii("<stream:stream xmlns='jabber:server'>"), tcp(40000, 5269))
    }

    @Test func nearMisses() {
        expectMiss(XMPPProbe.probe, ascii("<?xml version='1.0'?>") + [0] + ascii("<stream:stream>"), tcp(40000, 5222))
        expectMiss(XMPPProbe.probe, ascii("<stream:streaX "), tcp(40000, 5222))
        expectMiss(XMPPProbe.probe, ascii("<html>"), tcp(40000, 5222))
        expectMiss(XMPPProbe.probe, ascii("<?xml version='1.0'?>") + ascii(String(repeating: "<a/>", count: 200)), tcp(40000, 5222))
    }
}
