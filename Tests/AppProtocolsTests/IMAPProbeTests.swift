import Testing
import AppProtocols

@Suite struct IMAPProbeTests {
    static let greeting = ascii("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE STARTTLS LOGINDISABLED] Dovecot ready.\r\n")
    static let startTLS = ascii("a001 STARTTLS\r\n")

    @Test func goldenMatches() {
        expectGolden(IMAPProbe.probe, Self.greeting, tcp(143, 40000, initiator: false))
        expectGolden(IMAPProbe.probe, Self.greeting, tcp(1430, 40000, initiator: false))
        expectGolden(IMAPProbe.probe, Self.startTLS, tcp(40000, 143))
        expectGolden(IMAPProbe.probe, ascii("A1 CAPABILITY\r\n"), tcp(40000, 9143))
        expectGolden(IMAPProbe.probe, ascii("* OK ready\r\n"), tcp(143, 40000))
    }

    @Test func nearMisses() {
        expectMiss(IMAPProbe.probe, ascii("* OK ready\r\n"), tcp(8080, 40000))
        expectMiss(IMAPProbe.probe, ascii("a001 FETCHALL\r\n"), tcp(40000, 143))
        expectMiss(IMAPProbe.probe, ascii("GET / HTTP/1.1\r\n"), tcp(40000, 143))
        expectMiss(IMAPProbe.probe, ascii("* NO IMAP\r\n"), tcp(143, 40000))
        // An FTP reply reads as tag "230" + LOGIN; tagged commands count only from the initiator.
        expectMiss(IMAPProbe.probe, ascii("230 Login successful.\r\n"), tcp(21, 40000, initiator: false))
    }

    @Test func parserReadsGreeting() throws {
        let info = try Self.greeting.withUnsafeBytes { try IMAPParser.parse($0) }
        #expect(info.isGreeting && info.startTLSOffered && !info.startTLSRequested && !info.linesTruncated)
        #expect(text(Self.greeting, info.banner)?.hasSuffix("Dovecot ready.") == true)
        let client = try Self.startTLS.withUnsafeBytes { try IMAPParser.parse($0) }
        #expect(client.startTLSRequested && !client.isGreeting && client.banner == nil)
        let caps = ascii("* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\na001 OK done\r\n")
        let capsInfo = try caps.withUnsafeBytes { try IMAPParser.parse($0) }
        #expect(capsInfo.startTLSOffered && !capsInfo.isGreeting)
    }

    @Test func parserTruncation() {
        #expect(truncations(Self.greeting) { try IMAPParser.parse($0) } == Self.greeting.count)
        #expect(truncations(Self.startTLS) { try IMAPParser.parse($0) } == Self.startTLS.count)
    }
}
