import Testing
import AppProtocols

@Suite struct MySQLProbeTests {
    static let body: [UInt8] = hex("0a") + ascii("8.0.36-0ubuntu0.22.04.1") + hex("""
        00                         # end of version
        2b 00 00 00                # thread id 43
        3a 23 5f 1e 6b 4c 07 61    # auth-plugin-data part 1
        00                         # filler
        ff ff ff 02 00 ff df 15    # capabilities, charset, status, capabilities, auth data length 21
        00 00 00 00 00 00 00 00 00 00   # reserved
        1c 3f 4e 29 6a 0b 53 12 2e 0d 7f 61 00   # auth-plugin-data part 2
        """) + ascii("caching_sha2_password") + [0]
    /// Packet header: 3-byte little-endian length, sequence 0.
    static let greeting: [UInt8] = [UInt8(body.count & 0xFF), UInt8(body.count >> 8), 0, 0] + body

    @Test func goldenMatches() {
        expectGolden(MySQLProbe.probe, Self.greeting, tcp(3306, 40000, initiator: false))
        expectGolden(MySQLProbe.probe, Self.greeting, tcp(33060, 40000, initiator: false))
    }

    @Test func nearMisses() {
        var protocol9 = Self.greeting
        protocol9[4] = 9
        expectMiss(MySQLProbe.probe, protocol9, tcp(3306, 40000))
        var sequence = Self.greeting
        sequence[3] = 1
        expectMiss(MySQLProbe.probe, sequence, tcp(3306, 40000))
        var filler = Self.greeting
        filler[4 + 1 + 23 + 1 + 4 + 8] = 0x01
        expectMiss(MySQLProbe.probe, filler, tcp(3306, 40000))
        var version = Self.greeting
        version[5] = 0x76   // "v8.0…": versions start with a digit
        expectMiss(MySQLProbe.probe, version, tcp(3306, 40000))
    }
}
