public import FlowTrack
public import Ingest

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
