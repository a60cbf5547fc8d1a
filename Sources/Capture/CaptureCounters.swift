public import Engine
public import FlowTrack
public import XSK
public import Prefilter

/// One packet thread's counters, published every few batches and when idle (never per packet).
public struct ThreadCounters: Sendable {
    /// Descriptors taken from the RX ring (ingest threads).
    public var received: UInt64 = 0
    public var receivedBytes: UInt64 = 0
    /// Frames dropped because a worker's ring was full (ingest threads, pipeline mode).
    public var ringOverflow: UInt64 = 0
    /// Frames handed to workers (ingest threads, pipeline mode).
    public var handedOff: UInt64 = 0
    /// What the dissecting thread decoded (run to completion: the ingest thread; else workers).
    public var decode = DecodeCounters()
    public var flows = FlowTableStats()
    public var flowsActive = 0
    public var l7 = L7Stats()
    /// Frames returned without dissection (`CaptureOptions.dissect` off: rxdrop measurements).
    public var rxdropped: UInt64 = 0
    /// Flows offered for shunting and passed to the control thread, and offers lost (ring full).
    public var shuntOffers: UInt64 = 0
    public var shuntOffersLost: UInt64 = 0
    /// Times the thread found nothing to do and waited.
    public var idleWaits: UInt64 = 0
    /// Frames waiting in this worker's inbound rings when published (pipeline backlog).
    public var backlog = 0
    public init() {}

    mutating func add(_ o: ThreadCounters) {
        received &+= o.received; receivedBytes &+= o.receivedBytes
        ringOverflow &+= o.ringOverflow; handedOff &+= o.handedOff; rxdropped &+= o.rxdropped
        shuntOffers &+= o.shuntOffers; shuntOffersLost &+= o.shuntOffersLost
        decode.add(o.decode); flows.add(o.flows); flowsActive += o.flowsActive; l7.add(o.l7)
        idleWaits &+= o.idleWaits; backlog += o.backlog
    }
}

/// Every stage's count at one moment, and whether they add up.
///
/// Offered frames (what the prefilter saw) = dropped + passed to the kernel + captured;
/// captured = received by userspace + lost at the socket (XDP_STATISTICS: no free frame,
/// RX ring full, invalid); received = dissected + lost at a worker ring. Exact once capture has
/// stopped and the rings are drained; while running, frames in flight make the sides differ.
public struct CaptureAccount: Sendable {
    public var prefilter = PrefilterCounters()
    public var sockets: [XSKStatistics] = []
    /// Ingest threads, by position in the queue list.
    public var ingest: [ThreadCounters] = []
    /// Workers (pipeline mode); empty in run-to-completion mode.
    public var workers: [ThreadCounters] = []
    /// The interface's own receive drop counters since capture started (driver-reported).
    public var interfaceDropped: UInt64 = 0
    public var interfaceMissed: UInt64 = 0
    public var records: UInt64 = 0
    public var apps = AppCounts()
    /// Flow shunting: flows put in the prefilter's shunt table, refused there, and the frames
    /// the kernel counted for them that were added back to their flow records.
    public var shuntsAdded: UInt64 = 0
    public var shuntsRefused: UInt64 = 0
    public var shuntedPacketsRestored: UInt64 = 0
    /// Shunts whose counts were gone when their flow ended (evicted from the full LRU table).
    public var shuntsLost: UInt64 = 0
    public var shuntsActive = 0
    public var elapsedNs: UInt64 = 0

    public init() {}

    public var socketLosses: UInt64 { sockets.reduce(0) { $0 &+ $1.receiveLosses } }
    public var received: UInt64 { ingest.reduce(0) { $0 &+ $1.received } }
    public var ringOverflow: UInt64 { ingest.reduce(0) { $0 &+ $1.ringOverflow } }

    /// Counters of the threads that dissect (workers in pipeline mode, else the ingest threads).
    public var dissecting: ThreadCounters {
        var t = ThreadCounters()
        for c in workers.isEmpty ? ingest : workers { t.add(c) }
        return t
    }

    /// The equations that must hold once capture has stopped; each broken one as a sentence.
    public var mismatches: [String] {
        var out: [String] = []
        let p = prefilter
        let d = dissecting
        if p.captured.packets != received &+ socketLosses {
            out.append("prefilter captured \(p.captured.packets) != received \(received) + lost at the socket \(socketLosses)")
        }
        if received != d.decode.packets &+ ringOverflow &+ d.rxdropped {
            out.append("received \(received) != dissected \(d.decode.packets) + lost at worker rings \(ringOverflow)"
                       + (d.rxdropped > 0 ? " + returned undissected \(d.rxdropped)" : ""))
        }
        if d.decode.packets != d.flows.packets &+ d.decode.nonIP &+ d.decode.errors {
            out.append("dissected \(d.decode.packets) != in flows \(d.flows.packets) + non-IP \(d.decode.nonIP) + errors \(d.decode.errors)")
        }
        return out
    }
}
