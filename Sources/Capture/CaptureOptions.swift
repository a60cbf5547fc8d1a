public import FlowTrack
public import XSK
public import Export

/// How `capture` runs on one interface.
public struct CaptureOptions: Sendable {
    public var interface: String
    /// RX queues to open a socket on.
    public var queues: [Int] = [0]
    /// Run to completion: one thread per queue receives and dissects. Otherwise ingest threads
    /// hand frames to `workers` worker threads through SPSC descriptor rings.
    public var runToCompletion = true
    public var workers = 1
    /// CPU per ingest thread (by position in `queues`) and per worker; nil leaves a thread unpinned.
    public var ingestCPUs: [Int?] = []
    public var workerCPUs: [Int?] = []
    /// The AF_XDP socket and UMEM of each queue (mode, ring sizes, NUMA node).
    public var socket = XSKConfig()
    /// Descriptors per ingest→worker ring (a power of two; frames in flight are bounded by the UMEM).
    public var ringCapacity = 4096
    /// Flow records per packet thread → output ring.
    public var recordRingCapacity = 16384
    /// How long a packet thread keeps looking for frames (spin-wait hints, a yield every 8th look)
    /// after its last one before it sleeps: a sleeping thread costs the receiving CPU a wake-up per
    /// burst.
    public var idleSpinNs: UInt64 = 200_000
    /// Descriptors taken from the RX ring at once.
    public var batchSize = 64
    /// Each packet thread's flow table (timeouts run on arrival time).
    public var flowTable = FlowTableConfig()
    /// False measures the receive path alone ("rxdrop"): run-to-completion threads count each
    /// frame and return it at once, nothing is decoded.
    public var dissect = true
    /// How long a shunt stays in the kernel without its flow ending in userspace (0: until the
    /// flow's record is written). Which flows are shunted: `flowTable.shuntApps`.
    public var shuntLifetimeNs: UInt64 = 0
    /// Frames to write (`--pcap`): one queue per dissecting thread — run to completion: by position
    /// in `queues`; pipeline: by worker. Empty: nothing is written. Each thread offers every frame it
    /// receives (decoded or not); a full queue leaves the frame out, counted by the queue.
    public var packetQueues: [PacketQueue] = []
    public init(interface: String) { self.interface = interface }
}
