import Foundation
import MetricsEndpoint
import Synchronization
import Testing

@Suite struct MetricsServerTests {
    /// Reads `GET /metrics` over a plain socket (no HTTP client library needed).
    static func scrape(port: Int) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in(); a.sin_family = sa_family_t(AF_INET); a.sin_addr.s_addr = inet_addr("127.0.0.1")
        a.sin_port = UInt16(port).bigEndian
        let rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
        let req = Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = req.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, 0) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, 65536, 0) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func servesCountersAndGaugesInThePrometheusTextFormat() async throws {
        let packets = Atomic<UInt64>(0)
        let server = MetricsServer(host: "127.0.0.1", port: 0) {
            [MetricSample("tapline_packets_total", .counter, Double(packets.load(ordering: .relaxed)), help: "Packets read"),
             MetricSample("tapline_decode_errors_total", .counter, 3, labels: [("reason", "truncated")], help: "Errors"),
             MetricSample("tapline_flows_active", .gauge, 42, help: "Flows held")]
        }
        try await server.start()
        defer { Task { await server.stop() } }
        let port = try #require(server.port)
        packets.store(1000, ordering: .relaxed)
        let first = try Self.scrape(port: port)
        #expect(first.hasPrefix("HTTP/1.1 200"))
        #expect(first.contains("# TYPE tapline_packets_total counter"))
        #expect(first.contains("tapline_packets_total 1000"))
        #expect(first.contains("tapline_decode_errors_total{reason=\"truncated\"} 3"))
        #expect(first.contains("# TYPE tapline_flows_active gauge"))
        #expect(first.contains("tapline_flows_active 42"))
        packets.store(2500, ordering: .relaxed)
        #expect(try Self.scrape(port: port).contains("tapline_packets_total 2500"))
        await server.stop()
    }
}
