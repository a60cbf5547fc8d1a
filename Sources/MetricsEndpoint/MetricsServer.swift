import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization

/// One metric value as the exporter's owner reads it from published counters.
public struct MetricSample: Sendable {
    public enum Kind: Sendable { case counter, gauge }
    /// Prometheus name (`tapline_…`, counters end in `_total`).
    public var name: String
    public var help: String
    public var kind: Kind
    public var labels: [(String, String)]
    public var value: Double

    public init(_ name: String, _ kind: Kind, _ value: Double, labels: [(String, String)] = [], help: String) {
        self.name = name; self.kind = kind; self.value = value; self.labels = labels; self.help = help
    }
}

/// Serves `GET /metrics` in the Prometheus text format (hummingbird + swift-prometheus).
/// It never touches the packet path: each scrape calls `provider`, which reads counters that the
/// pipeline published (atomics, snapshots), and carries them into a collector registry.
public final class MetricsServer: Sendable {
    public let host: String
    private let requestedPort: Int
    private let provider: @Sendable () -> [MetricSample]
    private let registry = PrometheusCollectorRegistry()
    private let metrics = Mutex<[String: (counter: Counter?, gauge: Gauge?, last: Double)]>([:])
    private let boundPort = Mutex<Int?>(nil)
    private let task = Mutex<Task<Void, any Error>?>(nil)
    private let group = Mutex<ServiceGroup?>(nil)
    private let failure = Mutex<String?>(nil)

    /// `port` 0 picks a free port; `port` tells which once `start` returned.
    public init(host: String, port: Int, provider: @escaping @Sendable () -> [MetricSample]) {
        self.host = host; self.requestedPort = port; self.provider = provider
    }

    /// The port the server listens on (after `start`).
    public var port: Int? { boundPort.withLock { $0 } }

    /// Starts serving in the background; returns once the socket is bound, or throws why it was not.
    public func start(timeoutMs: Int = 10_000) async throws {
        let router = Router()
        router.get("/metrics") { [self] _, _ -> Response in
            let text = self.render()
            return Response(status: .ok,
                            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        var logger = Logger(label: "tapline-metrics")
        logger.logLevel = .error
        let app = Application(router: router,
                              configuration: .init(address: .hostname(host, port: requestedPort),
                                                   serverName: "tapline"),
                              onServerRunning: { [self] channel in
                                  self.boundPort.withLock { $0 = channel.localAddress?.port }
                              },
                              logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        group.withLock { $0 = services }
        let t = Task {
            do { try await services.run() } catch {
                self.failure.withLock { $0 = "\(error)" }
                throw error
            }
        }
        task.withLock { $0 = t }
        var waited = 0
        while port == nil {
            if let f = failure.withLock({ $0 }) { throw MetricsServerError(description: "metrics on \(host):\(requestedPort): \(f)") }
            if waited >= timeoutMs { throw MetricsServerError(description: "metrics on \(host):\(requestedPort): not listening after \(timeoutMs) ms") }
            try await Task.sleep(for: .milliseconds(10))
            waited += 10
        }
    }

    /// Stops the server.
    public func stop() async {
        // Graceful: the listener closes, requests in flight finish.
        await group.withLock { $0 }?.triggerGracefulShutdown()
        _ = try? await task.withLock { $0 }?.value
    }

    /// The exposition text for the current values (also what `GET /metrics` returns).
    public func render() -> String {
        let samples = provider()
        metrics.withLock { table in
            for s in samples {
                let key = s.name + "|" + s.labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
                var entry = table[key] ?? (nil, nil, 0)
                switch s.kind {
                case .counter:
                    if entry.counter == nil {
                        entry.counter = registry.makeCounter(descriptor: Self.descriptor(s), labels: s.labels)
                    }
                    // Counters only go up: carry the increase since the last scrape.
                    if s.value > entry.last { entry.counter!.increment(by: s.value - entry.last); entry.last = s.value }
                case .gauge:
                    if entry.gauge == nil {
                        entry.gauge = registry.makeGauge(descriptor: Self.descriptor(s), labels: s.labels)
                    }
                    entry.gauge!.set(s.value)
                }
                table[key] = entry
            }
        }
        return registry.emitToString()
    }

    /// The whole name is the metric name: callers already follow the conventions (`_total` …).
    private static func descriptor(_ s: MetricSample) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: s.name, unitName: "", helpText: s.help)
    }
}

public struct MetricsServerError: Error, CustomStringConvertible {
    public var description: String
}
