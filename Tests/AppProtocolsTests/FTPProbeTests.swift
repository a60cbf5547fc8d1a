import Testing
import AppProtocols

@Suite struct FTPProbeTests {
    static let greeting = ascii("220 (vsFTPd 3.0.3)\r\n")
    static let feat = ascii("211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n UTF8\r\n211 End\r\n")

    @Test func goldenMatches() {
        expectGolden(FTPProbe.probe, Self.greeting, tcp(2121, 40000, initiator: false))
        expectGolden(FTPProbe.probe, ascii("220-Welcome\r\n220 ready\r\n"), tcp(21, 40000))
        expectGolden(FTPProbe.probe, ascii("AUTH TLS\r\n"), tcp(40000, 2121))
        expectGolden(FTPProbe.probe, ascii("USER anonymous\r\n"), tcp(40000, 21))
    }

    @Test func nearMisses() {
        expectMiss(FTPProbe.probe, ascii("220 mx.example.com ESMTP\r\n"), tcp(21, 40000))
        expectMiss(FTPProbe.probe, ascii("220 ready\r\n"), tcp(2121, 40000))
        expectMiss(FTPProbe.probe, ascii("USER anonymous\r\n"), tcp(40000, 110))
        expectMiss(FTPProbe.probe, ascii("230 FTP login ok\r\n"), tcp(21, 40000))
    }

    @Test func parserReadsGreetingAndAuthTLS() throws {
        let info = try Self.greeting.withUnsafeBytes { try FTPParser.parse($0) }
        #expect(info.replyCode == 220 && text(Self.greeting, info.banner) == "(vsFTPd 3.0.3)")
        let feat = try Self.feat.withUnsafeBytes { try FTPParser.parse($0) }
        #expect(feat.replyCode == 211 && feat.authTLSOffered && !feat.authTLSRequested)
        let client = ascii("AUTH TLS\r\n")
        #expect(try client.withUnsafeBytes { try FTPParser.parse($0) }.authTLSRequested)
        let accepted = ascii("234 Proceed with negotiation.\r\n")
        #expect(try accepted.withUnsafeBytes { try FTPParser.parse($0) }.authTLSAccepted)
        let user = ascii("USER anonymous\r\n")
        #expect(text(user, try user.withUnsafeBytes { try FTPParser.parse($0) }.user) == "anonymous")
    }

    @Test func parserTruncation() {
        #expect(truncations(Self.greeting) { try FTPParser.parse($0) } == Self.greeting.count)
        _ = truncations(Self.feat) { try FTPParser.parse($0) }
    }
}
