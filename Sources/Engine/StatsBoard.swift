public import FlowTrack
import Synchronization

/// Counters the packet path publishes for readers on other threads (the metrics endpoint):
/// the reader stores a copy every few thousand packets and at the end, never per packet.
public final class StatsBoard: Sendable {
    /// One published copy of the pipeline's counters.
    public struct Snapshot: Sendable {
        public var decode = DecodeCounters()
        /// Flow-table counters (live in run-to-completion mode; summed over workers at the end otherwise).
        public var flows = FlowTableStats()
        /// Flows held now, over all tables (live in run-to-completion mode).
        public var flowsActive = 0
        /// Flow-table capacity over all workers.
        public var flowCapacity = 0
        public var records: UInt64 = 0
        public var workers = 1
        public var finished = false
        public init() {}
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    public func update(_ body: (inout Snapshot) -> Void) { state.withLock { body(&$0) } }
}
