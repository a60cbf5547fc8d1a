public import Ingest
import CShims
import Engine
public import XSK
#if canImport(Glibc)
import Glibc
#endif

/// Why a replay could not start.
public enum ReplayError: Error, CustomStringConvertible, Sendable {
    case file(CaptureFileError)
    case socket(XSKError)
    case nothingToSend(String)
    case thread(String)

    public var description: String {
        switch self {
        case .file(let e): return "\(e)"
        case .socket(let e): return "\(e)"
        case .nothingToSend(let s): return s
        case .thread(let s): return s
        }
    }
}

/// Totals of a replay, so far or at the end.
public struct ReplayReport: Sendable {
    /// Frames put on the TX rings, their bytes, and frames the kernel completed.
    public var offered: UInt64 = 0
    public var offeredBytes: UInt64 = 0
    public var completed: UInt64 = 0
    /// Seconds from the start to the last frame put on a ring.
    public var seconds = 0.0
    /// XDP_STATISTICS tx_invalid_descs over all sockets (descriptors the kernel refused).
    public var txInvalid: UInt64 = 0
    public var kickRetries: UInt64 = 0
    public var kickErrors: UInt64 = 0
    public var lastKickErrno: Int32 = 0
    /// Frames never completed when the queues gave up waiting.
    public var abandoned: UInt64 = 0
    /// In-kernel generator only: frames its program could not build (must stay 0), and frames the
    /// interface refused (its `*_xdp_xmit_errors` ethtool counters; nil when it does not report them).
    public var buildFailures: UInt64 = 0
    public var deviceRefused: UInt64?
    /// AF_XDP engine: frames the interface took but dropped (its tx_dropped + tx_errors since the
    /// start; nil when it could not be read). On a veth: frames its peer's queue had no room for.
    public var deviceDropped: UInt64?
    public var skips = ReplaySkips()
    public var finished = false
    public var failures: [String] = []

    public var packetsPerSecond: Double { seconds > 0 ? Double(offered) / seconds : 0 }
    public var bitsPerSecond: Double { seconds > 0 ? Double(offeredBytes) * 8 / seconds : 0 }

    public init() {}
}

/// Replays a capture file out of an interface through one AF_XDP socket per TX queue.
///
/// `init` creates the sockets (in the calling thread's network namespace) and reads the file once:
/// a file whose share fits each queue's UMEM is preloaded, frame by frame; a larger one is
/// streamed (read again on each pass, copied into frames recycled from the completion ring).
/// `start` runs one thread per queue; `stop` asks them to finish; `wait` joins them.
public final class Replayer {
    public let config: ReplayConfig
    public let sockets: [XSKSocket]
    /// Frames sent per pass over the file, their bytes, and what was skipped.
    public let framesPerPass: Int
    public let bytesPerPass: UInt64
    public let skips: ReplaySkips
    /// Frames captured shorter than they were on the wire (sent as captured).
    public let cutShort: Int
    /// The file is in the UMEM (else streamed).
    public let preloaded: Bool
    /// Frames per pass longer than the interface's MTU + 18 (sent; the device may drop them).
    public let overMTU: Int
    /// Per queue: what the kernel said about XDP_MAX_TX_SKB_BUDGET (nil: not asked).
    public let budgetNotes: [String?]

    let scan: ReplayScan
    let counters: [QueueCounters]
    /// The interface's tx_dropped + tx_errors when the sockets were made.
    let deviceDropsAtStart: UInt32?
    let stopFlag = StopFlag()
    var threads: [PinnedThread] = []
    var startNs: UInt64 = 0

    public init(config: ReplayConfig) throws(ReplayError) {
        precondition(!config.queues.isEmpty && config.batch > 0)
        self.config = config
        // A file that is not a capture is reported before any socket is made (or root needed).
        do { _ = try CaptureFileReader(path: config.path, bufferSize: 4096) } catch { throw .file(error) }
        var xc = XSKConfig()
        xc.frameSize = config.frameSize
        xc.frameCount = config.framesPerQueue
        xc.rxSize = 0
        xc.txSize = config.txRingSize
        xc.completionSize = config.txRingSize * 2
        xc.fillSize = 64
        xc.mode = config.mode
        xc.node = config.node
        var made: [XSKSocket] = []
        var notes: [String?] = []
        for q in config.queues {
            do {
                let s = try XSKSocket(interface: config.interface, queue: q, config: xc)
                made.append(s)
                if let b = config.transmitBudget {
                    let rc = s.setTransmitBudget(b)
                    notes.append(rc == 0 ? "up to \(b) frames per wake-up"
                                 : "the kernel's default frames per wake-up (XDP_MAX_TX_SKB_BUDGET: \(String(cString: strerror(rc))))")
                } else {
                    notes.append(nil)
                }
            } catch {
                throw .socket(error)
            }
        }
        sockets = made
        budgetNotes = notes
        deviceDropsAtStart = Self.deviceDrops(config.interface)
        let fileTiming: Bool
        if case .speed = config.pacing { fileTiming = true } else { fileTiming = false }
        do {
            let mtu = tapline_interface_mtu(config.interface)
            scan = try ReplayScan.run(path: config.path, sockets: made, config: config,
                                      longestForwarded: mtu > 0 ? Int(mtu) + 18 : nil, keepCaptureTimes: fileTiming)
        } catch {
            throw .file(error)
        }
        framesPerPass = scan.frames
        bytesPerPass = scan.bytes
        skips = scan.skips
        cutShort = scan.cutShort
        preloaded = scan.preloaded
        overMTU = scan.overMTU
        counters = config.queues.map { _ in QueueCounters() }
        if scan.frames == 0 {
            var why = "\(config.path): no frame to send"
            if scan.skips.total > 0 {
                why += " (\(scan.skips.notEthernet) not Ethernet, \(scan.skips.tooShort) under 14 bytes, "
                    + "\(scan.skips.tooLong) over the \(config.frameSize)-byte frame size)"
            } else {
                why += " (the file holds no packets)"
            }
            throw .nothingToSend(why)
        }
    }

    static func deviceDrops(_ interface: String) -> UInt32? {
        var dropped: UInt32 = 0
        var errors: UInt32 = 0
        guard tapline_interface_tx_drops(interface, &dropped, &errors) == 0 else { return nil }
        return dropped &+ errors
    }

    /// Starts one thread per queue.
    public func start() throws(ReplayError) {
        startNs = ReplayClock.now()
        let q = config.queues.count
        for i in 0..<q {
            var bucket: TokenBucket?
            var pacer: FilePacer?
            switch config.pacing {
            case .topSpeed: break
            case .rate(let r):
                // The rate is shared out; queue i gets one more packet/s while the remainder lasts.
                let share = max(1, r / UInt64(q) + (UInt64(i) < r % UInt64(q) ? 1 : 0))
                // Room for a millisecond of traffic, so a late wake-up does not lose credit.
                let capacity = max(2 * config.batch, Int(share / 1000))
                bucket = TokenBucket(rate: min(share, TokenBucket.maximumRate), capacity: capacity, now: startNs)
            case .speed(let x):
                pacer = FilePacer(start: startNs, firstCapture: scan.firstCapture, lastCapture: scan.lastCapture,
                                  packets: scan.frames, speed: x)
            }
            let source: FrameSource = scan.preloaded
                ? .preloaded(lengths: scan.lengths[i], captures: scan.captures[i])
                : .streamed(path: config.path)
            let t = QueueTransmitter(socket: sockets[i], counters: counters[i], stop: stopFlag, source: source,
                                     queueIndex: i, queueCount: q, config: config, bucket: bucket, pacer: pacer)
            let cpu = config.cores.map { $0[i % $0.count] }
            nonisolated(unsafe) let transmitter = t
            do {
                threads.append(try PinnedThread(name: "tl-tx-\(config.queues[i])", cpu: cpu) { transmitter.run() })
            } catch {
                stopFlag.set()
                throw .thread("\(error)")
            }
        }
    }

    /// Asks every queue to stop (frames already on the rings are still waited for).
    public func stop() { stopFlag.set() }

    /// Whether every queue has finished.
    public var isFinished: Bool { counters.allSatisfy { $0.finished.load(ordering: .acquiring) } }

    /// Waits for the queue threads and returns the final totals.
    public func wait() -> ReplayReport {
        for t in threads { t.join() }
        return report()
    }

    /// The totals now.
    public func report() -> ReplayReport {
        var r = ReplayReport()
        var last: UInt64 = 0
        for c in counters {
            r.offered += c.offered.load(ordering: .relaxed)
            r.offeredBytes += c.offeredBytes.load(ordering: .relaxed)
            r.completed += c.completed.load(ordering: .relaxed)
            r.kickRetries += c.kickRetries.load(ordering: .relaxed)
            r.kickErrors += c.kickErrors.load(ordering: .relaxed)
            let e = c.lastKickErrno.load(ordering: .relaxed)
            if e != 0 { r.lastKickErrno = e }
            r.abandoned += c.abandoned.load(ordering: .relaxed)
            last = max(last, c.lastOffer.load(ordering: .relaxed))
            if let f = c.failure.withLock({ $0 }) { r.failures.append(f) }
        }
        r.finished = isFinished
        let end = r.finished ? last : ReplayClock.now()
        r.seconds = end > startNs ? Double(end - startNs) / 1e9 : 0
        for s in sockets { r.txInvalid += s.statistics().txInvalid }
        if let start = deviceDropsAtStart, let now = Self.deviceDrops(config.interface) {
            r.deviceDropped = UInt64(now &- start)
        }
        r.skips = skips
        return r
    }
}
