import Testing
import AppProtocols

@Suite struct SSDPProbeTests {
    static let search = ascii("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n")
    static let notify = ascii("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\nUSN: uuid:1::upnp:rootdevice\r\n\r\n")
    static let response = ascii("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nST: upnp:rootdevice\r\nUSN: uuid:1::upnp:rootdevice\r\n\r\n")

    @Test func goldenMatches() {
        expectGolden(SSDPProbe.probe, Self.search, udp(40000, 1900))
        expectGolden(SSDPProbe.probe, Self.notify, udp(1900, 1900))
        expectGolden(SSDPProbe.probe, Self.response, udp(1900, 40000))
    }

    @Test func nearMisses() {
        expectMiss(SSDPProbe.probe, ascii("M-SEARCH / HTTP/1.1\r\n\r\n"), udp(40000, 1900))
        expectMiss(SSDPProbe.probe, Self.response, udp(8080, 40000))
        expectMiss(SSDPProbe.probe, ascii("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n"), udp(1900, 40000))
        expectMiss(SSDPProbe.probe, Self.search, tcp(40000, 1900))
    }
}
