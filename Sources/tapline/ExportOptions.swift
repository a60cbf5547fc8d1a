import Anonymize
import Capture
import ArgumentParser
import Dispatch
import Engine
import Export
import FlowTrack
import MetricsEndpoint
import Outputs
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The output options shared by `analyze` (and later `capture`): IPFIX, pcapng, metrics,
/// anonymization, NDJSON rotation.
struct ExportOptions: ParsableArguments {
    @Option(help: "Export flow records as IPFIX: udp://HOST:PORT, tcp://HOST:PORT or file:PATH (repeatable).")
    var ipfix: [String] = []

    @Option(help: "IPFIX observation domain ID.")
    var ipfixDomain: UInt32 = 1

    @Option(help: "Enterprise number of Tapline's IPFIX elements (SNI, DNS name, HTTP host, JA4); docs/IPFIX.md.")
    var ipfixPen: UInt32 = IPFIX.defaultEnterpriseNumber

    @Option(help: "UDP: resend IPFIX templates after this many seconds.")
    var ipfixTemplateSeconds: UInt32 = 60

    @Option(help: "UDP: resend IPFIX templates after this many messages.")
    var ipfixTemplateMessages: Int = 20

    @Option(help: "Records queued per IPFIX exporter (the bounded send buffer; overflow is counted).")
    var ipfixQueue: Int = 65536

    @Option(help: "Write the analyzed packets as pcapng files in this directory.")
    var pcap: String?

    @Option(help: "Rotate pcapng files at this many bytes (0 = never).")
    var pcapRotateBytes: UInt64 = 256 << 20

    @Option(help: "Rotate pcapng files after this many seconds of packet time (0 = never).")
    var pcapRotateSeconds: UInt64 = 0

    @Option(help: "Keep at most this many pcapng files, removing the oldest (0 = all).")
    var pcapRing: Int = 0

    @Option(help: "Bytes kept of each packet in pcapng files.")
    var pcapSnaplen: Int = 65535

    @Option(help: "Write only the first N packets of each flow to pcapng.")
    var pcapFlowPackets: UInt64?

    @Option(help: "Write only the first N bytes of each flow to pcapng.")
    var pcapFlowBytes: UInt64?

    @Option(help: "Bytes of the queue between the packet path and the pcapng writer.")
    var pcapQueueBytes: Int = 64 << 20

    @Option(help: "Serve Prometheus metrics on HOST:PORT (e.g. 127.0.0.1:9464); off unless given.")
    var metrics: String?

    @Option(help: "Keep serving metrics this many seconds after the analysis ended.")
    var metricsHold: Double = 0

    @Option(help: "Anonymize addresses in every output with Crypto-PAn; the file holds a 32-byte key.")
    var anonymize: String?

    @Option(help: "Rotate the NDJSON file at this many bytes (files PATH.000000, PATH.000001 …; 0 = never).")
    var ndjsonRotateBytes: UInt64 = 0

    @Option(help: "Rotate the NDJSON file after this many seconds of record time (0 = never).")
    var ndjsonRotateSeconds: UInt64 = 0

    func validateExports() throws {
        for d in ipfix where IPFIXDestination(d) == nil {
            throw ValidationError("--ipfix takes udp://HOST:PORT, tcp://HOST:PORT or file:PATH, not \(d)")
        }
        if let metrics, Endpoint(Substring(metrics)) == nil {
            throw ValidationError("--metrics takes HOST:PORT, e.g. 127.0.0.1:9464")
        }
        if pcapFlowPackets != nil && pcapFlowBytes != nil {
            throw ValidationError("--pcap-flow-packets and --pcap-flow-bytes exclude each other")
        }
        guard pcapSnaplen >= 64 && pcapSnaplen <= 262_144 else { throw ValidationError("--pcap-snaplen must be 64…262144") }
        guard ipfixQueue >= 16 else { throw ValidationError("--ipfix-queue must be at least 16") }
    }

    func loadAnonymizer() throws -> CryptoPAn? {
        guard let anonymize else { return nil }
        let fd = open(anonymize, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ToolError("cannot read anonymization key \(anonymize): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var key = [UInt8](repeating: 0, count: 64)
        let n = key.withUnsafeMutableBytes { read(fd, $0.baseAddress!, 64) }
        do { return try CryptoPAn(key: Array(key.prefix(max(0, n)))) } catch {
            throw ToolError("anonymization key \(anonymize): \(error)")
        }
    }

    func makeExporters() throws -> [IPFIXExporter] {
        try ipfix.map { text in
            var c = IPFIXExporterConfig(destination: IPFIXDestination(text)!)
            c.observationDomain = ipfixDomain
            c.enterpriseNumber = ipfixPen
            c.templateRefreshSeconds = ipfixTemplateSeconds
            c.templateRefreshMessages = ipfixTemplateMessages
            c.queueCapacity = ipfixQueue
            do { return try IPFIXExporter(config: c) } catch { throw ToolError("--ipfix \(text): \(error)") }
        }
    }

    func makePcapWriter(anonymizer: CryptoPAn?, producers: Int = 1) throws -> PcapngRingWriter? {
        guard let pcap else { return nil }
        var c = PcapngRingConfig(directory: pcap)
        c.maxFileBytes = pcapRotateBytes
        c.maxFileSeconds = pcapRotateSeconds
        c.ringFiles = pcapRing
        c.snapLength = pcapSnaplen
        c.queueBytes = pcapQueueBytes
        if let n = pcapFlowPackets { c.cutoff = .packets(n) }
        if let n = pcapFlowBytes { c.cutoff = .bytes(n) }
        do { return try PcapngRingWriter(config: c, anonymizer: anonymizer, producers: producers) } catch {
            throw ToolError("--pcap \(pcap): \(error)")
        }
    }

    /// Starts the metrics endpoint (blocking until it listens), or nil when not asked for.
    func startMetrics(board: StatsBoard, exporters: [IPFIXExporter], pcap: PcapngRingWriter?,
                      pcapStats: (@Sendable () -> PcapngRingStats?)? = nil,
                      defaultEndpoint: String? = nil, capture: CaptureBoard? = nil) throws -> MetricsServer? {
        guard let text = metrics ?? defaultEndpoint, let ep = Endpoint(Substring(text)) else { return nil }
        let server = MetricsServer(host: ep.host, port: Int(ep.port)) {
            MetricsCatalog.samples(board.snapshot, exporters: exporters.map { ($0.config.destination.description, $0.stats) },
                                   pcap: pcap?.stats ?? pcapStats?(), capture: capture?.account)
        }
        let result = BlockingResult()
        Task { @Sendable in
            do { try await server.start(); result.set(nil) } catch { result.set("\(error)") }
        }
        if let e = result.wait() { throw ToolError("cannot serve metrics: \(e)") }
        return server
    }

    func stopMetrics(_ server: MetricsServer?) {
        guard let server else { return }
        if metricsHold > 0 { usleep(UInt32(min(metricsHold, 3600) * 1e6)) }
        let result = BlockingResult()
        Task { @Sendable in await server.stop(); result.set(nil) }
        _ = result.wait()
    }
}

/// The latest capture account, for the metrics endpoint (written by the control loop).
final class CaptureBoard: Sendable {
    private let state = Mutex<CaptureAccount?>(nil)
    var account: CaptureAccount? { state.withLock { $0 } }
    func set(_ a: CaptureAccount) { state.withLock { $0 = a } }
}

/// Hands one result from a task to a waiting synchronous caller.
final class BlockingResult: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var value: String?
    func set(_ v: String?) { value = v; semaphore.signal() }
    func wait() -> String? { semaphore.wait(); return value }
}
