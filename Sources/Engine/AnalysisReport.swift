public import FlowTrack
public import Ingest
public import AppProtocols

/// The outcome of an analysis: what was read, decoded and recorded, and what went wrong where.
public struct AnalysisReport: Sendable {
    public var decode = DecodeCounters()
    /// Flow-table counters summed over workers.
    public var flows = FlowTableStats()
    /// Records handed to the output.
    public var records: UInt64 = 0
    /// Files that could not be read to their end (records before the error were kept).
    public var fileErrors: [CaptureFileError] = []
    public var files = 0
    public var workers = 1
    public var elapsedNs: UInt64 = 0
    /// Records by application protocol and how it was decided.
    public var apps = AppCounts()
    /// Application-layer counters summed over workers.
    public var l7 = L7Stats()

    public init() {}

    /// Packets per second over the whole run.
    public var packetsPerSecond: Double {
        elapsedNs == 0 ? 0 : Double(decode.packets) * 1e9 / Double(elapsedNs)
    }

    /// Every packet read is accounted once: as a flow packet, a non-IP frame, or a decode error.
    public var accountingBalances: Bool {
        decode.packets == flows.packets + decode.nonIP + decode.errors
    }
}

/// Records per application protocol (indexed by `AppProtocol.rawValue`), by payload and by port.
public struct AppCounts: Sendable {
    public var byPayload = [UInt64](repeating: 0, count: AppProtocol.allCases.count)
    public var byPort = [UInt64](repeating: 0, count: AppProtocol.allCases.count)
    public init() {}

    public mutating func count(_ m: FlowMetadata) {
        let i = Int(m.app.rawValue)
        if m.appBy == .port { byPort[i] &+= 1 } else { byPayload[i] &+= 1 }
    }
}

extension L7Stats {
    public mutating func add(_ o: L7Stats) {
        payloadPackets &+= o.payloadPackets
        unmatchedPayloads &+= o.unmatchedPayloads
        reassemblyExhausted &+= o.reassemblyExhausted
        reassemblyPeakBuffers = max(reassemblyPeakBuffers, o.reassemblyPeakBuffers)
        ja4CacheHits &+= o.ja4CacheHits
        ja4CacheMisses &+= o.ja4CacheMisses
        ja4Uncached &+= o.ja4Uncached
    }
}
