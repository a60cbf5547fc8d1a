public import XSK

/// What to replay, where, and how fast.
public struct ReplayConfig: Sendable {
    /// The interface to transmit on (in the calling thread's network namespace).
    public var interface: String
    /// A pcap or pcapng file of Ethernet frames.
    public var path: String
    public var pacing = ReplayPacing.topSpeed
    /// Passes over the file; 0 repeats until stopped.
    public var loops = 1
    /// TX queues, one AF_XDP socket and one thread each; packet k of the file goes to queue k mod count.
    public var queues = [0]
    /// UMEM frame size: frames longer than this are skipped (and counted).
    public var frameSize = 2048
    /// UMEM bytes per queue. A file whose share fits is preloaded; a larger one is streamed
    /// through the same frames (read, copied, recycled on completion).
    public var umemBytesPerQueue = 64 << 20
    /// Descriptors handed to the TX ring at once (and the unit of rate limiting).
    public var batch = 64
    /// TX ring descriptors per socket (the completion ring is twice as large).
    public var txRingSize = 2048
    /// Frames one wake-up may send in copy mode (XDP_MAX_TX_SKB_BUDGET); nil leaves the kernel's 32.
    public var transmitBudget: Int32? = 256
    public var mode = XSKMode.auto
    /// CPUs for the queue threads (round robin); nil leaves them unpinned.
    public var cores: [Int]? = nil
    /// The NUMA node for the UMEM (the NIC's), nil when unknown.
    public var node: Int? = nil

    public init(interface: String, path: String) {
        self.interface = interface
        self.path = path
    }

    /// UMEM frames per queue.
    public var framesPerQueue: Int { max(1, umemBytesPerQueue / frameSize) }
}
