public import Engine
public import FlowTrack
public import Prefilter
public import XSK
import CShims
import Rings
#if canImport(Glibc)
import Glibc
#endif

/// Why capture could not start or had to end.
public enum CaptureError: Error, CustomStringConvertible, Sendable {
    case prefilter(PrefilterError)
    case socket(XSKError)
    case thread(SystemCallError)
    case invalid(String)

    public var description: String {
        switch self {
        case .prefilter(let e): return "prefilter: \(e)"
        case .socket(let e): return "AF_XDP: \(e)"
        case .thread(let e): return "starting a packet thread: \(e)"
        case .invalid(let s): return s
        }
    }
}

/// Live capture on one interface: the prefilter attached, one AF_XDP socket per RX queue, and
/// the packet threads (run to completion, or ingest threads feeding workers).
///
/// Create it on a thread inside the interface's network namespace; threads it starts inherit
/// that namespace. The control thread calls `drainRecords` and `account()` while it runs and
/// `stop` once. Every exit path detaches the prefilter: `stop`, or `deinit` when `init` threw
/// half way (the prefilter's own `deinit` detaches it).
public final class CaptureSession {
    public let options: CaptureOptions
    public let program: PrefilterProgram
    /// Where and how the prefilter is attached (nil once detached).
    public var attachment: PrefilterAttachment? { program.attachment }
    /// The attachment's note for the log, kept after detaching.
    public private(set) var attachNote = ""
    public let sockets: [XSKSocket]
    let queues: [RunToCompletionQueue]
    let ingests: [PipelineIngest]
    let workers: [PipelineWorker]
    var threads: [PinnedThread] = []
    let startNs: UInt64
    let baseDrops: (dropped: UInt64, missed: UInt64)
    var records: UInt64 = 0
    var apps = AppCounts()
    /// Flows shunted in the prefilter now.
    var shunted: Set<ShuntKey> = []
    var shuntsAdded: UInt64 = 0
    var shuntsRefused: UInt64 = 0
    var shuntedPacketsRestored: UInt64 = 0
    var shuntsLost: UInt64 = 0
    private var pendingRecords: [FlowRecord] = []
    private let shuntBuffer: UnsafeMutableBufferPointer<ShuntRequest>
    var stopped: CaptureAccount?
    private let recordBuffer: UnsafeMutableBufferPointer<FlowRecord>

    /// Loads and configures the prefilter with `rules`, opens the sockets, attaches, and starts
    /// the packet threads. `rules` decide what is captured (a frame must meet a `capture` rule or
    /// a `default capture` to reach userspace).
    public init(options: CaptureOptions, rules: RuleSet, prefilter config: PrefilterConfig = PrefilterConfig(),
                force: Bool = false) throws(CaptureError) {
        guard !options.queues.isEmpty else { throw .invalid("no RX queue to capture") }
        guard options.runToCompletion || options.workers >= 1 else { throw .invalid("pipeline mode needs at least one worker") }
        guard options.runToCompletion || options.dissect else { throw .invalid("rxdrop (no dissection) runs to completion only") }
        self.options = options
        recordBuffer = .allocate(capacity: 256)
        shuntBuffer = .allocate(capacity: 256)
        do {
            program = try PrefilterProgram(config: config)
            try program.install(rules)
        } catch {
            recordBuffer.deallocate(); shuntBuffer.deallocate()
            throw .prefilter(error)
        }
        // Sockets before attaching: no frame meets a capture rule without a socket to go to.
        var made: [XSKSocket] = []
        do {
            for q in options.queues {
                let s = try XSKSocket(interface: options.interface, queue: q, config: options.socket)
                made.append(s)
                try program.setSocket(queue: UInt32(q), socketFD: s.fd)
            }
        } catch let e as XSKError {
            recordBuffer.deallocate(); shuntBuffer.deallocate()
            throw .socket(e)
        } catch let e as PrefilterError {
            recordBuffer.deallocate(); shuntBuffer.deallocate()
            throw .prefilter(e)
        } catch {
            recordBuffer.deallocate(); shuntBuffer.deallocate()
            throw .invalid("\(error)")
        }
        sockets = made
        var d: UInt64 = 0, m: UInt64 = 0
        _ = tapline_interface_rx_drops(options.interface, &d, &m)
        baseDrops = (d, m)
        startNs = monotonicNs()
        if options.runToCompletion {
            queues = sockets.enumerated().map { RunToCompletionQueue(socket: $1, options: options, index: $0) }
            ingests = []
            workers = []
        } else {
            queues = []
            ingests = sockets.map { PipelineIngest(socket: $0, options: options) }
            let ing = ingests
            workers = (0..<options.workers).map { PipelineWorker(index: $0, ingests: ing, options: options) }
        }
        do {
            for w in workers {
                let cpu = w.index < options.workerCPUs.count ? options.workerCPUs[w.index] : nil
                threads.append(try PinnedThread(name: "tapline-w\(w.index)", cpu: cpu) { w.run() })
            }
            for (i, q) in queues.enumerated() {
                let cpu = i < options.ingestCPUs.count ? options.ingestCPUs[i] : nil
                threads.append(try PinnedThread(name: "tapline-q\(q.socket.queue)", cpu: cpu) { q.run() })
            }
            for (i, g) in ingests.enumerated() {
                let cpu = i < options.ingestCPUs.count ? options.ingestCPUs[i] : nil
                threads.append(try PinnedThread(name: "tapline-q\(g.socket.queue)", cpu: cpu) { g.run() })
            }
        } catch {
            // Threads already started see the stop and finish; deinit joins them.
            throw .thread(error)
        }
        // Attach only once every socket's fill ring is primed, so no frame finds it empty.
        var backoff = Backoff()
        while !(queues.map(\.control) + ingests.map(\.control)).allSatisfy({ $0.ready.load(ordering: .acquiring) }) {
            backoff.wait()
        }
        let attachMode: AttachMode
        switch options.socket.mode {
        case .skb: attachMode = .generic
        case .zerocopy, .copy: attachMode = .native
        case .auto: attachMode = .auto
        }
        do {
            let a = try program.attach(interface: options.interface, mode: attachMode, force: force)
            attachNote = "prefilter on \(a.interface): \(a.mode.rawValue) XDP" + (a.notice.map { " (\($0))" } ?? "")
                + (a.replaced.map { "; replaced XDP program \($0) (--force)" } ?? "")
        } catch {
            throw .prefilter(error)
        }
    }

    deinit {
        program.detach()
        for c in controls { c.stop.store(true, ordering: .releasing) }
        for t in threads { t.join() }
        recordBuffer.deallocate(); shuntBuffer.deallocate()
    }

    /// Notes for the log: attach mode, socket mode per queue, UMEM placement.
    public var notes: [String] {
        var out = [attachNote]
        for s in sockets {
            out.append("queue \(s.queue): AF_XDP \(s.modeNote); UMEM \(s.area.description)")
        }
        return out
    }

    /// Controls of the threads that produce records, and of the ingest threads.
    var controls: [ThreadControl] {
        queues.map(\.control) + ingests.map(\.control) + workers.map(\.control)
    }

    /// Writes every record the packet threads have ended so far to `sink` (control thread only),
    /// and puts flows offered for shunting into the prefilter. Records are taken before offers, so
    /// an offer made before its flow ended is always seen before that flow's record is written.
    @discardableResult
    public func drainRecords<S: FlowRecordSink>(into sink: inout S) -> Int {
        for c in controls {
            while true {
                let got = c.records.pop(into: recordBuffer)
                if got == 0 { break }
                pendingRecords.append(contentsOf: recordBuffer[0..<got])
            }
        }
        for c in controls {
            while true {
                let got = c.shunts.pop(into: shuntBuffer)
                if got == 0 { break }
                for k in 0..<got { addShunt(shuntBuffer[k]) }
            }
        }
        let n = pendingRecords.count
        for var r in pendingRecords {
            if !shunted.isEmpty { restoreShuntedCounts(&r) }
            apps.count(r.meta)
            sink.emit(r)
        }
        pendingRecords.removeAll(keepingCapacity: true)
        records &+= UInt64(n)
        return n
    }

    private func addShunt(_ r: ShuntRequest) {
        let key = ShuntKey(src: r.src, sport: r.sport, dst: r.dst, dport: r.dport, proto: r.proto,
                           vlan: r.vlan == 0 ? nil : r.vlan)
        do {
            try program.addShunt(key, lifetimeNanoseconds: options.shuntLifetimeNs)
            shunted.insert(key)
            shuntsAdded &+= 1
        } catch {
            shuntsRefused &+= 1
        }
    }

    /// Adds what the kernel counted for a shunted flow to its record, by direction, and ends the shunt.
    private func restoreShuntedCounts(_ r: inout FlowRecord) {
        let key = ShuntKey(src: r.src, sport: r.sport, dst: r.dst, dport: r.dport, proto: r.proto,
                           vlan: r.vlan == 0 ? nil : r.vlan)
        guard shunted.remove(key) != nil else { return }
        guard let c = program.removeShunt(key) else { shuntsLost &+= 1; return }
        let aIsLow = key.low == r.src && key.lowPort == r.sport
        let aPackets = aIsLow ? c.packetsFromLow : c.packets &- c.packetsFromLow
        let aBytes = aIsLow ? c.bytesFromLow : c.bytes &- c.bytesFromLow
        let bPackets = c.packets &- aPackets
        let bBytes = c.bytes &- aBytes
        let aIP = aIsLow ? c.ipBytesFromLow : c.ipBytes &- c.ipBytesFromLow
        r.aPackets &+= aPackets; r.aBytes &+= aBytes; r.aIPBytes &+= aIP
        r.bPackets &+= bPackets; r.bBytes &+= bBytes; r.bIPBytes &+= c.ipBytes &- aIP
        if c.lastSeenNanoseconds != 0 {
            // The kernel's clock is CLOCK_MONOTONIC; records carry wall-clock time.
            let last = realtimeNs() &- (PrefilterProgram.monotonicNanoseconds() &- c.lastSeenNanoseconds)
            if last > r.endNs { r.endNs = last }
        }
        shuntedPacketsRestored &+= c.packets
    }

    /// Every stage's counters now (exact only after `stop`).
    public func account() -> CaptureAccount {
        if let stopped { return stopped }
        var a = CaptureAccount()
        a.prefilter = program.counters()
        a.sockets = sockets.map { $0.statistics() }
        a.ingest = (queues.map(\.control) + ingests.map(\.control)).map { c in c.published.withLock { $0 } }
        a.workers = workers.map { w in w.control.published.withLock { $0 } }
        var d: UInt64 = 0, m: UInt64 = 0
        if tapline_interface_rx_drops(options.interface, &d, &m) == 0 {
            a.interfaceDropped = d &- baseDrops.dropped
            a.interfaceMissed = m &- baseDrops.missed
        }
        a.records = records
        a.apps = apps
        a.shuntsAdded = shuntsAdded
        a.shuntsRefused = shuntsRefused
        a.shuntedPacketsRestored = shuntedPacketsRestored
        a.shuntsLost = shuntsLost
        a.shuntsActive = shunted.count
        a.elapsedNs = monotonicNs() - startNs
        return a
    }

    /// Whether the interface still exists (in this thread's namespace).
    public var interfaceExists: Bool { if_nametoindex(options.interface) != 0 }

    /// Ends capture: detaches the prefilter, lets the packet threads drain their rings, flushes
    /// every flow to `sink`, and returns the final account.
    public func stop<S: FlowRecordSink>(into sink: inout S) -> CaptureAccount {
        if let stopped { return stopped }
        program.detach()
        // Frames already past the program are still on their way into the sockets' rings.
        usleep(20_000)
        let firstLine = queues.map(\.control) + ingests.map(\.control)
        for c in firstLine { c.stop.store(true, ordering: .releasing) }
        var backoff = Backoff()
        while !controls.allSatisfy({ $0.finished.load(ordering: .acquiring) }) {
            if drainRecords(into: &sink) == 0 { backoff.wait() } else { backoff.reset() }
        }
        for t in threads { t.join() }
        drainRecords(into: &sink)
        // Every flow has ended, so no shunt should remain; one that does was offered after its
        // flow's record (not possible by construction) — remove it rather than leave it.
        for key in shunted { _ = program.removeShunt(key); shuntsLost &+= 1 }
        shunted.removeAll()
        var a = account()
        a.elapsedNs = monotonicNs() - startNs
        stopped = a
        return a
    }
}
