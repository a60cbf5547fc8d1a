import AppProtocols

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

    /// Application-layer dissection (classification and metadata) on or off.
    public var l7Enabled: Bool
    /// Payload packets (both directions) a flow may cost L7 work before it is decided for good:
    /// handshakes and request/response heads come in the first few; 16 leaves room for a
    /// ClientHello in three segments, retransmissions and a server's answer.
    public var l7MaxPayloadPackets: Int
    /// Bytes kept per flow direction to join a message that spans TCP segments (default 4 KiB:
    /// ClientHellos with post-quantum key shares reach ~2 KiB, HTTP heads rarely pass 4 KiB).
    public var reassemblyBudget: Int
    /// Reassembly buffers per worker, shared by all flows: a buffer is held only while a flow's
    /// first message is incomplete, so far fewer than flows are needed (4096 × 4 KiB = 16 MiB).
    public var reassemblyBuffers: Int
    /// Entries of each worker's JA4 hash cache (`JA4HashCache`; 0 = compute every hash).
    public var ja4CacheEntries: Int = JA4HashCache.defaultEntries

    /// Flows to offer for shunting (bit n = `AppProtocol` raw value n; 0 = none): once such a flow's
    /// application layer is finished and it has `shuntAfterPackets` packets, the table asks —
    /// through `shuntRequests` — that the kernel count and drop the rest of it.
    public var shuntApps: UInt64 = 0
    public var shuntAfterPackets: UInt64 = 0

    public static let secondNs: UInt64 = 1_000_000_000

    public init(capacity: Int = 262_144,
                idleTimeoutNs: UInt64 = 120 * secondNs,
                activeTimeoutNs: UInt64 = 1800 * secondNs,
                closedTimeoutNs: UInt64 = 10 * secondNs,
                sweepIntervalNs: UInt64 = 1 * secondNs,
                fragmentCapacity: Int = 8192,
                fragmentTimeoutNs: UInt64 = 30 * secondNs,
                l7Enabled: Bool = true, l7MaxPayloadPackets: Int = 16,
                reassemblyBudget: Int = 4096, reassemblyBuffers: Int = 4096) {
        self.l7Enabled = l7Enabled
        self.l7MaxPayloadPackets = l7MaxPayloadPackets
        self.reassemblyBudget = reassemblyBudget
        self.reassemblyBuffers = reassemblyBuffers
        self.capacity = capacity
        self.idleTimeoutNs = idleTimeoutNs
        self.activeTimeoutNs = activeTimeoutNs
        self.closedTimeoutNs = closedTimeoutNs
        self.sweepIntervalNs = sweepIntervalNs
        self.fragmentCapacity = fragmentCapacity
        self.fragmentTimeoutNs = fragmentTimeoutNs
    }
}
