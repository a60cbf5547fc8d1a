/// Capacity and timeouts of a flow table, fixed when the table is made.
public struct FlowTableConfig: Sendable {
    /// Flows held at once; a packet of a new flow in a full table evicts the least recently seen flow.
    public var capacity: Int
    /// A flow with no packet for this long ends with `idle` (default 120 s, as common flow meters).
    public var idleTimeoutNs: UInt64
    /// A flow older than this is cut with `active` and goes on in a new record (default 1800 s).
    public var activeTimeoutNs: UInt64
    /// A TCP flow closed by FIN both ways or by RST is kept this long for late packets (retransmitted
    /// FIN/ACK, the peer's RST), then ends with `fin` or `rst`.
    public var closedTimeoutNs: UInt64
    /// Packet time between two timeout sweeps: the clock is looked at once per interval, not per packet.
    public var sweepIntervalNs: UInt64
    /// Entries of the fragment table mapping (addresses, protocol, IP id) to the first fragment's ports.
    public var fragmentCapacity: Int
    /// How long a fragment-table entry stays valid (RFC 791 suggests a reassembly timer up to 15 s; RFC 8200 60 s).
    public var fragmentTimeoutNs: UInt64

    public static let secondNs: UInt64 = 1_000_000_000

    public init(capacity: Int = 262_144,
                idleTimeoutNs: UInt64 = 120 * secondNs,
                activeTimeoutNs: UInt64 = 1800 * secondNs,
                closedTimeoutNs: UInt64 = 10 * secondNs,
                sweepIntervalNs: UInt64 = 1 * secondNs,
                fragmentCapacity: Int = 8192,
                fragmentTimeoutNs: UInt64 = 30 * secondNs) {
        self.capacity = capacity
        self.idleTimeoutNs = idleTimeoutNs
        self.activeTimeoutNs = activeTimeoutNs
        self.closedTimeoutNs = closedTimeoutNs
        self.sweepIntervalNs = sweepIntervalNs
        self.fragmentCapacity = fragmentCapacity
        self.fragmentTimeoutNs = fragmentTimeoutNs
    }
}
