import Testing
import AppProtocols

@Suite struct POP3ProbeTests {
    static let greeting = ascii("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n")
    static let capaReply = ascii("+OK Capability list follows\r\nTOP\r\nUSER\r\nSTLS\r\nSASL PLAIN\r\n.\r\n")

    @Test func goldenMatches() {
        expectGolden(POP3Probe.probe, Self.greeting, tcp(110, 40000, initiator: false))
        expectGolden(POP3Probe.probe, Self.greeting, tcp(1100, 40000, initiator: false))
        expectGolden(POP3Probe.probe, ascii("CAPA\r\n"), tcp(40000, 1100))
        expectGolden(POP3Probe.probe, ascii("USER alice\r\n"), tcp(40000, 110))
        expectGolden(POP3Probe.probe, ascii("+OK Dovecot ready.\r\n"), tcp(110, 40000))
    }

    @Test func nearMisses() {
        // Redis answers "+OK" too; without a POP hint or port 110 it is not POP3.
        expectMiss(POP3Probe.probe, ascii("+OK\r\n"), tcp(6379, 40000))
        expectMiss(POP3Probe.probe, ascii("USER alice\r\n"), tcp(40000, 21))
        expectMiss(POP3Probe.probe, ascii("+OKAY POP\r\n"), tcp(110, 40000))
        expectMiss(POP3Probe.probe, ascii("-ERR POP3\r\n"), tcp(110, 40000))
    }

    @Test func parserReadsGreetingAndSTLS() throws {
        let info = try Self.greeting.withUnsafeBytes { try POP3Parser.parse($0) }
        #expect(info.isOK && !info.stlsOffered && text(Self.greeting, info.banner)?.hasPrefix("POP3 server ready") == true)
        let capa = try Self.capaReply.withUnsafeBytes { try POP3Parser.parse($0) }
        #expect(capa.stlsOffered && !capa.stlsRequested && !capa.linesTruncated)
        let client = ascii("USER alice\r\nSTLS\r\n")
        let clientInfo = try client.withUnsafeBytes { try POP3Parser.parse($0) }
        #expect(clientInfo.stlsRequested && !clientInfo.isOK && text(client, clientInfo.user) == "alice")
    }

    @Test func parserTruncation() {
        #expect(truncations(Self.greeting) { try POP3Parser.parse($0) } == Self.greeting.count)
        _ = truncations(Self.capaReply) { try POP3Parser.parse($0) }
    }
}
