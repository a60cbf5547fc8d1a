import Foundation
import MetricsEndpoint
import Synchronization
import TestLab
import Testing

@Suite struct MetricsServerTests {
    static func scrape(port: Int) throws -> String { try httpGet(port: port) }

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
