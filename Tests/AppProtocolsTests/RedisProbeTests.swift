import Testing
import AppProtocols

@Suite struct RedisProbeTests {
    static let ping = ascii("*1\r\n$4\r\nPING\r\n")
    static let set = ascii("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")

    @Test func goldenMatches() {
        expectGolden(RedisProbe.probe, Self.ping, tcp(40000, 6379))
        expectGolden(RedisProbe.probe, Self.set, tcp(40000, 16379))
        expectGolden(RedisProbe.probe, ascii("+PONG\r\n"), tcp(6379, 40000, initiator: false))
        expectGolden(RedisProbe.probe, ascii("PING\r\n"), tcp(40000, 6379))
        expectGolden(RedisProbe.probe, ascii("*2\r\n$6\r\nclient\r\n$7\r\nsetname\r\n"), tcp(40000, 6379))
    }

    @Test func nearMisses() {
        expectMiss(RedisProbe.probe, ascii("*1\r\n$4\r\nPI1G\r\n"), tcp(40000, 6379))
        expectMiss(RedisProbe.probe, ascii("*1\r\n$0\r\n\r\n"), tcp(40000, 6379))
        expectMiss(RedisProbe.probe, ascii("*0\r\n"), tcp(40000, 6379))
        expectMiss(RedisProbe.probe, ascii("+OK\r\n"), tcp(6379, 40000))
        expectMiss(RedisProbe.probe, ascii("*1\n$4\nPING\n"), tcp(40000, 6379))
    }
}
