import Testing
import AppProtocols

@Suite struct SIPProbeTests {
    static let invite = ascii("""
        INVITE sip:bob@biloxi.example.com SIP/2.0\r
        Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r
        Max-Forwards: 70\r
        To: Bob <sip:bob@biloxi.example.com>\r
        f: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r
        Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r
        CSeq: 314159 INVITE\r
        User-Agent: Linphone/5.2.0\r
        Content-Length: 0\r
        \r

        """)
    static let ok = ascii("SIP/2.0 200 OK\r\nTo: sip:bob@biloxi.example.com;tag=a6c85cf\r\nContent-Length: 0\r\n\r\n")

    @Test func goldenMatches() {
        expectGolden(SIPProbe.probe, Self.invite, udp(5060, 5060))
        expectGolden(SIPProbe.probe, Self.invite, tcp(40000, 5080))
        expectGolden(SIPProbe.probe, Self.ok, tcp(5060, 40000))
        expectGolden(SIPProbe.probe, ascii("OPTIONS sips:carol@chicago.example.com SIP/2.0\r\n\r\n"), udp(5061, 5061))
    }

    @Test func nearMisses() {
        expectMiss(SIPProbe.probe, ascii("INVITE http://bob SIP/2.0\r\n\r\n"), udp(5060, 5060))
        expectMiss(SIPProbe.probe, ascii("INVITE sip:bob@x HTTP/1.1\r\n\r\n"), udp(5060, 5060))
        expectMiss(SIPProbe.probe, ascii("SIP/2.0 2x0 OK\r\n\r\n"), udp(5060, 5060))
        expectMiss(SIPProbe.probe, ascii("HTTP/1.1 200 OK\r\n\r\n"), udp(5060, 5060))
        expectMiss(SIPProbe.probe, ascii("INVITEX sip:bob@x SIP/2.0\r\n"), udp(5060, 5060))
    }

    @Test func parserReadsRequest() throws {
        let info = try Self.invite.withUnsafeBytes { try SIPParser.parse($0) }
        #expect(info.method == .invite && info.statusCode == 0 && !info.headersTruncated)
        #expect(text(Self.invite, info.requestURI) == "sip:bob@biloxi.example.com")
        #expect(text(Self.invite, info.toURI) == "sip:bob@biloxi.example.com")
        #expect(text(Self.invite, info.fromURI) == "sip:alice@atlanta.example.com")
        #expect(text(Self.invite, info.callID) == "a84b4c76e66710@pc33.atlanta.example.com")
        #expect(text(Self.invite, info.userAgent) == "Linphone/5.2.0")
    }

    @Test func parserReadsResponse() throws {
        let info = try Self.ok.withUnsafeBytes { try SIPParser.parse($0) }
        #expect(info.method == .none && info.statusCode == 200 && info.requestURI == nil)
        #expect(text(Self.ok, info.toURI) == "sip:bob@biloxi.example.com")
    }

    @Test func parserTruncation() {
        let firstLine = ascii("INVITE sip:bob@biloxi.example.com SIP/2.0\r\n").count
        #expect(truncations(Self.invite) { try SIPParser.parse($0) } == firstLine)
        let cut = Array(Self.invite[0..<120])
        let info = try? cut.withUnsafeBytes { try SIPParser.parse($0) }
        #expect(info?.headersTruncated == true && info?.method == .invite && info?.userAgent == nil)
    }
}
