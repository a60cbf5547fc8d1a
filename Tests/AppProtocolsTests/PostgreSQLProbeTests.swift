import Testing
import AppProtocols

@Suite struct PostgreSQLProbeTests {
    static let params = ascii("user\u{0}postgres\u{0}database\u{0}app\u{0}application_name\u{0}psql\u{0}\u{0}")
    /// StartupMessage: length, protocol 3.0 (196608), parameters.
    static let startup: [UInt8] = be32(8 + params.count) + hex("00 03 00 00") + params
    /// SSLRequest: length 8, code 80877103.
    static let sslRequest: [UInt8] = hex("00 00 00 08  04 d2 16 2f")

    @Test func goldenMatches() {
        expectGolden(PostgreSQLProbe.probe, Self.startup, tcp(40000, 5432))
        expectGolden(PostgreSQLProbe.probe, Self.sslRequest, tcp(40000, 6432))
        expectGolden(PostgreSQLProbe.probe, hex("00 00 00 08  04 d2 16 30"), tcp(40000, 5432))   // GSSENCRequest
    }

    @Test func nearMisses() {
        var v2 = Self.startup
        v2[5] = 0x02   // protocol 2.0 is gone
        expectMiss(PostgreSQLProbe.probe, v2, tcp(40000, 5432))
        expectMiss(PostgreSQLProbe.probe, Self.sslRequest + [0], tcp(40000, 5432))
        var unterminated = Self.startup
        unterminated[unterminated.count - 1] = 0x41
        expectMiss(PostgreSQLProbe.probe, unterminated, tcp(40000, 5432))
        expectMiss(PostgreSQLProbe.probe, be32(20_000) + hex("00 03 00 00") + Self.params, tcp(40000, 5432))
    }
}
