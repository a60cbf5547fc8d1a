/// Counters of one flow table. Read by the owning worker, or after it stopped.
public struct FlowTableStats: Sendable {
    public var packets: UInt64 = 0
    public var flowsCreated: UInt64 = 0
    public var records: UInt64 = 0
    public var evictions: UInt64 = 0
    /// Records per end reason, indexed by `EndReason.rawValue`.
    public var recordsByReason: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    /// Non-first fragments matched to their first fragment's flow.
    public var fragmentsMatched: UInt64 = 0
    /// Non-first fragments whose first fragment was not seen (counted to a flow with ports 0).
    public var fragmentsOrphaned: UInt64 = 0
    /// First fragments that replaced a live entry of a full fragment table.
    public var fragmentTableOverwrites: UInt64 = 0
    /// Largest number of flows held at once.
    public var peakFlows: Int = 0

    public init() {}

    public func records(for reason: EndReason) -> UInt64 {
        switch reason {
        case .idle: recordsByReason.0
        case .active: recordsByReason.1
        case .fin: recordsByReason.2
        case .rst: recordsByReason.3
        case .evicted: recordsByReason.4
        case .shutdown: recordsByReason.5
        }
    }

    mutating func count(_ reason: EndReason) {
        records += 1
        switch reason {
        case .idle: recordsByReason.0 += 1
        case .active: recordsByReason.1 += 1
        case .fin: recordsByReason.2 += 1
        case .rst: recordsByReason.3 += 1
        case .evicted: recordsByReason.4 += 1
        case .shutdown: recordsByReason.5 += 1
        }
    }

    /// Adds another table's counters (for totals over workers).
    public mutating func add(_ o: FlowTableStats) {
        packets += o.packets; flowsCreated += o.flowsCreated; records += o.records; evictions += o.evictions
        recordsByReason.0 += o.recordsByReason.0; recordsByReason.1 += o.recordsByReason.1
        recordsByReason.2 += o.recordsByReason.2; recordsByReason.3 += o.recordsByReason.3
        recordsByReason.4 += o.recordsByReason.4; recordsByReason.5 += o.recordsByReason.5
        fragmentsMatched += o.fragmentsMatched; fragmentsOrphaned += o.fragmentsOrphaned
        fragmentTableOverwrites += o.fragmentTableOverwrites
        peakFlows += o.peakFlows
    }
}
