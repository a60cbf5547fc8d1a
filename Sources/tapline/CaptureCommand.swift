import Synchronization
import ArgumentParser
import Capture
import CShims
import AppProtocols
import Engine
import Export
import MetricsEndpoint
import FlowTrack
import Outputs
import Prefilter
import Topology
import XSK
#if canImport(Glibc)
import Glibc
#endif

/// `tapline capture -i IF`: live capture through the prefilter and AF_XDP, flow records out.
struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Capture live from an interface (XDP prefilter + AF_XDP per RX queue) into flow records.",
        discussion: """
            Frames reach userspace when a 'capture' rule (or 'default capture', the default without \
            --rules) selects them. Each RX queue gets an AF_XDP socket whose UMEM sits on the NIC's \
            NUMA node; threads are pinned as 'tapline plan' shows. Run to completion (the default \
            with one queue) dissects on the receiving thread; --pipeline hands frames to --workers \
            worker threads through lock-free rings without copying them. SIGINT/SIGTERM stop \
            ingest, drain the rings, flush every flow, detach the prefilter and print the account \
            of every frame offered; SIGUSR1 prints the account so far. Exit status: 0; 1 on errors (an interface that vanishes \
            included, after the same flush); 3 when the stages' counts do not add up.
            """)

    @Option(name: .shortAndLong, help: "The network interface.")
    var interface: String

    @Option(help: "RX queues: all, or a list like 0-3,6.")
    var queues: String = "all"

    @Option(help: "CPUs: auto (from the plan) or a list like 2,4,6.")
    var cores: String = "auto"

    @Option(help: "Socket mode: auto (zero-copy, else copy), zerocopy, copy, or skb (generic XDP).")
    var mode: String = "auto"

    @Flag(help: "Ingest threads hand frames to workers (default: run to completion, one thread per queue).")
    var pipeline = false

    @Option(help: "Workers in pipeline mode (default: from the plan).")
    var workers: Int?

    @OptionGroup var sources: RuleSources

    @Flag(help: "Replace another XDP program on the interface.")
    var force = false

    @Option(name: [.customShort("o"), .customLong("flows")], help: "Flow records as NDJSON: a file, - for standard output, or none.")
    var flows: String = "none"

    @Option(help: "Stop after this many seconds (0: run until SIGINT/SIGTERM).")
    var duration: Double = 0

    @Option(help: "Join this network namespace (/run/netns/NAME) before anything else.")
    var netns: String?

    @Option(help: "UMEM frames per queue (a power of two).")
    var frames: Int = 8192

    @Option(help: "RX and fill ring size per queue (a power of two).")
    var ringSize: Int = 4096

    @Option(help: "Descriptors per ingest→worker ring (pipeline).")
    var workerRing: Int = 4096

    @Option(help: "Busy polling: SO_BUSY_POLL microseconds (with SO_PREFER_BUSY_POLL, budget 64); 0 = off.")
    var busyPoll: Int32 = 0

    @Option(help: ArgumentHelp("Microseconds a packet thread spends looking for frames after its last one before it sleeps (a busy neighbour on its core stretches that to at most 10×, 2 ms or more); 0 = after 32 empty looks.", valueName: "µs"))
    var idleSpin: UInt64 = 200

    @Flag(help: "UMEM in normal pages even when hugepages are free.")
    var noHugepages = false

    @Option(help: "Flow-table capacity per packet thread.")
    var maxFlows: Int = 262_144

    @Flag(name: .customLong("no-l7"), help: "Skip application-layer classification and metadata.")
    var noL7 = false

    @Option(help: "Idle timeout, seconds.")
    var idleTimeout: Double = 120

    @Option(help: "Active timeout, seconds.")
    var activeTimeout: Double = 1800

    @Option(help: "Print a stats line every N seconds when standard error is not a terminal (0: only at the end).")
    var statsInterval: Double = 0

    @Option(help: "Also write the final account as JSON to this file.")
    var summaryJSON: String?

    @Option(help: "Shunt flows of these protocols once classified (e.g. tls,quic,ssh): the prefilter counts and drops the rest of them in the kernel; the counts are added back to their records.")
    var shunt: String?

    @Option(help: "Shunt a flow only once it has this many packets.")
    var shuntAfter: UInt64 = 0

    @Flag(help: "Measure the receive path alone: return every frame at once without dissecting it (run to completion).")
    var rxdrop = false

    @Flag(help: "No live stats and no final account on standard error.")
    var quiet = false

    @Flag(help: "No metrics endpoint (it is on 127.0.0.1:9464 unless --metrics says otherwise).")
    var noMetrics = false

    @OptionGroup var exports: ExportOptions

    static let defaultMetrics = "127.0.0.1:9464"

    func validate() throws {
        guard XSKMode(rawValue: mode) != nil else { throw ValidationError("--mode must be auto, zerocopy, copy or skb") }
        func pow2(_ v: Int, _ name: String, _ lo: Int, _ hi: Int) throws {
            guard v >= lo, v <= hi, v & (v - 1) == 0 else {
                throw ValidationError("\(name) must be a power of two between \(lo) and \(hi)")
            }
        }
        try pow2(frames, "--frames", 64, 1 << 20)
        try pow2(ringSize, "--ring-size", 64, 1 << 16)
        try pow2(workerRing, "--worker-ring", 64, 1 << 20)
        guard ringSize <= frames else { throw ValidationError("--ring-size cannot exceed --frames") }
        if let workers, workers < 1 || workers > 256 { throw ValidationError("--workers must be between 1 and 256") }
        if workers != nil && !pipeline { throw ValidationError("--workers needs --pipeline") }
        guard maxFlows >= 1 && maxFlows <= 100_000_000 else { throw ValidationError("--max-flows must be 1…100000000") }
        guard duration >= 0, idleTimeout > 0, activeTimeout > 0 else { throw ValidationError("durations must be positive") }
        guard idleSpin <= 1_000_000 else { throw ValidationError("--idle-spin is in microseconds: at most 1000000 (1 s)") }
        _ = try shuntMask()
        if rxdrop && pipeline { throw ValidationError("--rxdrop runs to completion; drop --pipeline") }
        if exports.pcap != nil && rxdrop {
            throw ValidationError("--pcap writes the frames capture dissects; --rxdrop dissects none")
        }
        try exports.validateExports()
    }

    func run() throws {
        // Every thread started from here on inherits the blocked signals; this thread takes them
        // with sigtimedwait, so no handler ever runs on a packet thread.
        var signals = sigset_t()
        sigemptyset(&signals)
        for s in [SIGINT, SIGTERM, SIGUSR1] { sigaddset(&signals, s) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        var rules = RuleSet()
        rules.defaultAction = .capture
        if sources.rules != nil || !sources.inline.isEmpty {
            switch sources.load() {
            case .success(let s): rules = s
            case .failure(let failure):
                for p in failure.lines { writeStandardError(p) }
                writeStandardError("nothing attached")
                throw ExitCode(1)
            }
        }

        let anonymizer = try exports.loadAnonymizer()
        let exporters = try exports.makeExporters()
        let board = StatsBoard()
        let captureBoard = CaptureBoard()
        // The pcapng writer is made once the plan says how many threads feed it (after the
        // endpoint starts): the endpoint reads its statistics through this holder.
        let pcapHolder = PcapWriterHolder()
        // The endpoint starts before joining a namespace, so it listens where the operator is.
        var metricsServer: MetricsServer?
        if !noMetrics {
            do {
                metricsServer = try exports.startMetrics(board: board, exporters: exporters, pcap: nil,
                                                         pcapStats: { pcapHolder.stats },
                                                         defaultEndpoint: Self.defaultMetrics, capture: captureBoard)
            } catch {
                if exports.metrics != nil { throw error }
                writeStandardError("notice: no metrics endpoint on \(Self.defaultMetrics): \(error) (--metrics picks another)")
            }
        }
        if let netns {
            let path = netns.contains("/") ? netns : "/run/netns/\(netns)"
            let rc = tapline_enter_netns(path)
            if rc != 0 { throw ToolError("cannot join network namespace \(path): \(String(cString: strerror(rc)))") }
        }

        var options = try makeOptions()
        let pcapWriter: PcapngRingWriter?
        do {
            // One queue per dissecting thread: per RX queue run to completion, per worker in a pipeline.
            pcapWriter = try exports.makePcapWriter(anonymizer: anonymizer,
                                                    producers: options.runToCompletion ? options.queues.count : options.workers)
        } catch {
            exports.stopMetrics(metricsServer)
            throw error
        }
        options.packetQueues = pcapWriter?.queues ?? []
        pcapHolder.set(pcapWriter)
        var out: RecordOutput
        do {
            out = try RecordOutput(path: flows == "none" ? nil : flows,
                                   rotateBytes: exports.ndjsonRotateBytes, rotateSeconds: exports.ndjsonRotateSeconds,
                                   exporters: exporters, anonymizer: anonymizer)
        } catch {
            pcapWriter?.close()
            exports.stopMetrics(metricsServer)
            throw ToolError("cannot write flow records: \(error)")
        }

        let session: CaptureSession
        do {
            session = try CaptureSession(options: options, rules: rules, force: force)
        } catch {
            out.close()
            pcapWriter?.close()
            exports.stopMetrics(metricsServer)
            throw ToolError("capture on \(interface): \(error)")
        }
        if !quiet {
            let how = options.runToCompletion ? "run to completion" : "pipeline, \(options.workers) worker(s)"
            writeStandardError("tapline capture: \(interface), queues \(CPUList.format(options.queues)), \(how); "
                               + "\(rules.rules.count) rule(s), default \(rules.defaultAction)")
            for n in session.notes { writeStandardError("  " + n) }
        }

        let tty = isatty(2) == 1 && !quiet
        let lineEvery = tty ? 1.0 : statsInterval
        let startNs = monotonicNs()
        var lastLine = startNs
        var last = session.account()
        var vanished = false
        var timeout = timespec(tv_sec: 0, tv_nsec: 100_000_000)
        while true {
            let s = sigtimedwait(&signals, nil, &timeout)
            if s == SIGINT || s == SIGTERM {
                if tty { writeStandardError("") }
                if !quiet { writeStandardError("signal \(s): stopping") }
                break
            }
            if s == SIGUSR1 {
                // The account on demand (frames in flight make the sides differ by a little).
                Engine.writeStandardError((tty ? "\r\u{1B}[K" : "") + CaptureReport.text(session.account(), interface: interface))
            }
            session.drainRecords(into: &out)
            let now = monotonicNs()
            if duration > 0 && Double(now - startNs) / 1e9 >= duration { break }
            if now - lastLine >= 1_000_000_000 || (lineEvery > 0 && Double(now - lastLine) / 1e9 >= lineEvery) {
                guard session.interfaceExists else { vanished = true; break }
                let a = session.account()
                captureBoard.set(a)
                publish(a, board)
                if lineEvery > 0 && Double(now - lastLine) / 1e9 >= lineEvery && !quiet {
                    let line = CaptureReport.liveLine(a, previous: last, seconds: Double(now - lastLine) / 1e9)
                    if tty { Engine.writeStandardError("\r\u{1B}[K" + line) } else { writeStandardError(line) }
                }
                last = a
                lastLine = now
            }
        }
        if tty { Engine.writeStandardError("\r\u{1B}[K") }
        let account = session.stop(into: &out)
        captureBoard.set(account)
        publish(account, board)
        out.close()
        // The packet threads have ended: everything they offered is queued; this writes it and
        // closes the last file valid.
        pcapWriter?.close()
        exports.stopMetrics(metricsServer)
        if !quiet {
            Engine.writeStandardError(CaptureReport.text(account, interface: interface))
            for e in exporters {
                let st = e.stats
                writeStandardError("  ipfix    \(e.config.destination): records sent \(st.sent)  dropped \(st.dropped)  messages \(st.messages)")
            }
            if let p = pcapWriter?.stats {
                writeStandardError("  pcapng   packets written \(p.packetsWritten)  cut off \(p.packetsCutOff)  lost (queue full) "
                                   + "\(p.packetsLostQueueFull)  lost (write error) \(p.packetsLostWriteError)  files \(p.filesOpened)")
            }
        }
        if let err = pcapWriter?.lastError { writeStandardError("tapline: \(err)") }
        if let summaryJSON {
            do {
                let sink = try Export.FileSink(path: summaryJSON)
                try sink.write(Array(CaptureReport.json(account, interface: interface).utf8))
                try sink.close()
            } catch { throw ToolError("cannot write summary: \(error)") }
        }
        if let e = out.error { throw ToolError("writing flow records failed: \(e)") }
        if vanished {
            throw ToolError("interface \(interface) vanished; capture stopped after flushing every flow")
        }
        if !account.mismatches.isEmpty {
            for m in account.mismatches { writeStandardError("tapline: ACCOUNTING MISMATCH: \(m)") }
            throw ExitCode(3)
        }
    }

    /// `--shunt` as a bit mask over application protocols.
    func shuntMask() throws -> UInt64 {
        guard let shunt else { return 0 }
        var mask: UInt64 = 0
        for word in shunt.split(separator: ",") {
            let name = word.trimmingCharacters(in: " ")
            guard let app = AppProtocol.allCases.first(where: { "\($0.name)" == name }), app != .unknown else {
                let known = AppProtocol.allCases.filter { $0 != .unknown }.map { "\($0.name)" }.joined(separator: ", ")
                throw ValidationError("--shunt: unknown protocol '\(name)' (known: \(known))")
            }
            mask |= 1 << UInt64(app.rawValue & 63)
        }
        return mask
    }

    private func publish(_ a: CaptureAccount, _ board: StatsBoard) {
        let d = a.dissecting
        board.update { s in
            s.decode = d.decode; s.flows = d.flows; s.flowsActive = d.flowsActive; s.records = a.records
            s.workers = max(1, a.workers.count)
        }
    }

    /// The queues, CPUs and UMEM node from the plan, then the options the engine needs.
    func makeOptions() throws -> CaptureOptions {
        let nic = try Self.interfaceTopology(interface)
        let topology = try? SystemTopology.read()
        var request = PlanRequest(runToCompletion: !pipeline)
        if queues != "all" {
            guard let l = CPUList.parse(queues), !l.isEmpty else { throw ValidationError("--queues takes all or a list like 0-3") }
            request.queues = l
        }
        if cores != "auto" {
            guard let l = CPUList.parse(cores), !l.isEmpty else { throw ValidationError("--cores takes auto or a list like 2,4") }
            request.cores = l
        }
        request.workers = workers
        var options = CaptureOptions(interface: interface)
        options.runToCompletion = !pipeline
        if let topology {
            let plan: CapturePlan
            do { plan = try Planner.plan(topology, nic, request) } catch { throw ToolError("plan: \(error)") }
            for w in plan.warnings where !quiet { writeStandardError("warning: \(w)") }
            options.queues = plan.queues
            var ingest: [Int?] = Array(repeating: nil, count: plan.queues.count)
            var workerCPUs: [Int?] = []
            for a in plan.assignments {
                switch a.role {
                case .ingest(let q): if let i = plan.queues.firstIndex(of: q) { ingest[i] = a.cpu }
                case .worker: workerCPUs.append(a.cpu)
                }
            }
            options.ingestCPUs = ingest
            options.workerCPUs = workerCPUs
            options.workers = max(1, workers ?? workerCPUs.count)
            options.socket.node = plan.umemNode
        } else {
            options.queues = request.queues ?? Array(0..<nic.rxQueues)
            options.workers = workers ?? 1
            if !quiet { writeStandardError("notice: CPU topology unreadable; threads are not pinned") }
        }
        for q in options.queues where q >= nic.rxQueues {
            throw ToolError("\(interface) has \(nic.rxQueues) RX queue(s); queue \(q) does not exist")
        }
        options.socket.mode = XSKMode(rawValue: mode) ?? .auto
        options.socket.frameCount = frames
        options.socket.fillSize = ringSize
        options.socket.rxSize = ringSize
        options.socket.completionSize = 64
        options.socket.hugePages = !noHugepages
        if busyPoll > 0 { options.socket.busyPoll = (busyPoll, 64) }
        options.ringCapacity = workerRing
        options.idleSpinNs = idleSpin &* 1000
        options.dissect = !rxdrop
        options.flowTable.capacity = maxFlows
        options.flowTable.l7Enabled = !noL7
        options.flowTable.idleTimeoutNs = UInt64(idleTimeout * 1e9)
        options.flowTable.activeTimeoutNs = UInt64(activeTimeout * 1e9)
        options.flowTable.shuntApps = try shuntMask()
        options.flowTable.shuntAfterPackets = shuntAfter
        if options.flowTable.shuntApps != 0 && noL7 { throw ValidationError("--shunt needs application-layer dissection (drop --no-l7)") }
        return options
    }

    /// The interface as sysfs shows it, or — when this namespace's interface is not the one sysfs
    /// shows (sysfs belongs to the namespace it was mounted in) — from the ethtool channels ioctl,
    /// with an unknown NUMA node and no IRQs.
    static func interfaceTopology(_ name: String) throws -> SystemTopology.Interface {
        let index = if_nametoindex(name)
        guard index != 0 else { throw ToolError("no network interface '\(name)' in this network namespace (see ip link)") }
        if let nic = try? SystemTopology.interface(name),
           readFile("/sys/class/net/\(name)/ifindex").flatMap({ UInt32($0.trimmingCharacters(in: "\n")) }) == index {
            return nic
        }
        var rx: UInt32 = 0, tx: UInt32 = 0, combined: UInt32 = 0, maxRX: UInt32 = 0, maxCombined: UInt32 = 0
        let rc = tapline_ethtool_channels(name, &rx, &tx, &combined, &maxRX, &maxCombined)
        let queues = rc == 0 ? Int(max(rx, combined, 1)) : 1
        return SystemTopology.Interface(name: name, rxQueues: queues, node: nil, irqs: [])
    }
}

/// The pcapng writer of a capture, made after the metrics endpoint starts; the endpoint reads its
/// statistics through this.
final class PcapWriterHolder: Sendable {
    private let writer = Mutex<PcapngRingWriter?>(nil)
    func set(_ w: PcapngRingWriter?) { writer.withLock { $0 = w } }
    var stats: PcapngRingStats? { writer.withLock { $0?.stats } }
}
