import Testing
import AppProtocols

@Suite struct SMTPProbeTests {
    static let greeting = ascii("220 mx.example.com ESMTP Postfix (Debian)\r\n")
    static let ehloReply = ascii("250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
    static let ehlo = ascii("EHLO client.example.org\r\n")

    @Test func goldenMatches() {
        expectGolden(SMTPProbe.probe, Self.greeting, tcp(25, 40000, initiator: false))
        expectGolden(SMTPProbe.probe, Self.greeting, tcp(2600, 40000, initiator: false))
        expectGolden(SMTPProbe.probe, Self.ehlo, tcp(40000, 587))
        // No hint in the banner: only on a mail port.
        expectGolden(SMTPProbe.probe, ascii("220 mail.example.net\r\n"), tcp(25, 40000))
    }

    @Test func nearMisses() {
        expectMiss(SMTPProbe.probe, ascii("220 mail.example.net\r\n"), tcp(2600, 40000))
        expectMiss(SMTPProbe.probe, ascii("220 ProFTPD Server (Debian) [::ffff:10.0.0.1]\r\n"), tcp(25, 40000))
        expectMiss(SMTPProbe.probe, ascii("221 mx.example.com ESMTP closing\r\n"), tcp(25, 40000))
        expectMiss(SMTPProbe.probe, ascii("220x mx ESMTP\r\n"), tcp(25, 40000))
        expectMiss(SMTPProbe.probe, ascii("EHLOx\r\n"), tcp(40000, 25))
        expectMiss(SMTPProbe.probe, Self.greeting, udp(25, 40000))
    }

    @Test func parserReadsGreeting() throws {
        let info = try Self.greeting.withUnsafeBytes { try SMTPParser.parse($0) }
        #expect(info.replyCode == 220 && info.extended && !info.linesTruncated)
        #expect(text(Self.greeting, info.banner) == "mx.example.com ESMTP Postfix (Debian)")
    }

    @Test func parserSeesStartTLS() throws {
        let offered = try Self.ehloReply.withUnsafeBytes { try SMTPParser.parse($0) }
        #expect(offered.replyCode == 250 && offered.startTLSOffered && !offered.startTLSRequested && offered.banner == nil)
        let client = Self.ehlo + ascii("STARTTLS\r\n")
        let requested = try client.withUnsafeBytes { try SMTPParser.parse($0) }
        #expect(requested.startTLSRequested && !requested.startTLSOffered && requested.replyCode == 0)
        #expect(text(client, requested.clientDomain) == "client.example.org")
    }

    @Test func parserTruncation() {
        let firstLine = Self.greeting.count   // every cut is before the newline
        #expect(truncations(Self.greeting) { try SMTPParser.parse($0) } == firstLine)
        let cut = Array(Self.ehloReply[0..<40])
        let info = try? cut.withUnsafeBytes { try SMTPParser.parse($0) }
        #expect(info?.linesTruncated == true && info?.startTLSOffered == false)
        _ = truncations(Self.ehloReply) { try SMTPParser.parse($0) }
    }
}
