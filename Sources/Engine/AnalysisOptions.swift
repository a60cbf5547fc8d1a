public import FlowTrack
public import Export

/// How `analyze` runs: worker count, pinning, ring sizes and the flow table of each worker.
public struct AnalysisOptions: Sendable {
    /// Worker threads. With 1, the reader dissects inline ("run to completion") and no ring is used.
    public var workers: Int = 1
    /// CPUs to pin workers to, in order; nil picks CPUs round robin starting after CPU 0.
    public var cores: [Int]? = nil
    /// Whether to pin worker threads at all.
    public var pin: Bool = true
    /// Descriptors per reader→worker ring (and frame slots per worker).
    public var ringCapacity: Int = 4096
    /// Bytes of a frame kept in a slot for the worker (the AF_XDP frame size, so offline and live match).
    public var slotSize: Int = 4096
    /// Flow records per worker→output ring.
    public var recordRingCapacity: Int = 16384
    /// Each worker's flow table.
    public var flowTable = FlowTableConfig()
    /// Show a progress bar on standard error.
    public var progress: Bool = false

    /// Where the reader copies every packet it reads (for `--pcap`); nil writes none.
    public var packetQueue: PacketQueue? = nil
    /// Where the reader publishes counters every few thousand packets (for metrics); nil publishes none.
    public var statsBoard: StatsBoard? = nil

    public init() {}
}
