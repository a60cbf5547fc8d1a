public import CXDP
#if canImport(Glibc)
import Glibc
#endif

/// How an AF_XDP socket binds: `auto` tries zero-copy, then copy; `zerocopy` and `copy` insist;
/// `skb` binds in copy mode (the XDP program runs in generic mode, which the caller attaches).
public enum XSKMode: String, CaseIterable, Sendable {
    case auto, zerocopy, copy, skb
}

/// Sizes and options of one AF_XDP socket and its UMEM. Ring sizes are powers of two.
public struct XSKConfig: Sendable {
    /// Bytes per UMEM frame (2048 or 4096; one frame holds one packet).
    public var frameSize = 4096
    /// Frames in the UMEM: the fill ring, the RX ring and everything in flight to workers share them.
    public var frameCount = 8192
    public var fillSize = 4096
    public var completionSize = 2048
    /// RX descriptors (0: a transmit-only socket).
    public var rxSize = 4096
    /// TX descriptors (0: a receive-only socket).
    public var txSize = 0
    public var mode = XSKMode.auto
    /// Ask the kernel to be woken only when a ring needs it (XDP_USE_NEED_WAKEUP).
    public var needWakeup = true
    /// SO_PREFER_BUSY_POLL with SO_BUSY_POLL microseconds and SO_BUSY_POLL_BUDGET packets.
    public var busyPoll: (microseconds: Int32, budget: Int32)? = nil
    /// The NUMA node for the UMEM (the NIC's), nil when unknown.
    public var node: Int? = nil
    public var hugePages = true
    public init() {}
}

/// The kernel's drop counters of one AF_XDP socket (XDP_STATISTICS).
public struct XSKStatistics: Sendable, Equatable {
    /// Frames the kernel dropped for other reasons (in copy mode: no free UMEM frame to copy into).
    public var rxDropped: UInt64 = 0
    public var rxInvalid: UInt64 = 0
    public var txInvalid: UInt64 = 0
    /// Frames dropped because the RX ring was full (userspace too slow).
    public var rxRingFull: UInt64 = 0
    /// Times the kernel found the fill ring empty (each one is also a drop or a retry).
    public var fillRingEmpty: UInt64 = 0
    public var txRingEmpty: UInt64 = 0
    public init() {}
    /// Frames that reached the socket but not userspace.
    public var receiveLosses: UInt64 { rxDropped &+ rxRingFull &+ rxInvalid }
}

/// One AF_XDP socket bound to one queue of an interface, with its own UMEM (a `FrameArea`) and
/// its four rings. The XDP program that redirects into it is the caller's (the prefilter), so
/// libxdp is told not to load one. Frees the socket and the UMEM in `deinit`, in that order.
///
/// Ring access is meant for one thread: the receive side (RX + fill) belongs to the ingest
/// thread, the transmit side (TX + completion) to the transmitting thread.
public final class XSKSocket: @unchecked Sendable {
    // @unchecked Sendable: created on one thread, then used by exactly one packet thread per
    // ring pair; the ring structs live at fixed addresses (libxdp keeps pointers to them).
    public let area: FrameArea
    public let config: XSKConfig
    public let interface: String
    public let queue: Int
    public let fd: Int32
    /// Whether the kernel bound the socket in zero-copy mode.
    public let zeroCopy: Bool
    /// Why the socket is in the mode it is in (for the log).
    public let modeNote: String

    let umem: OpaquePointer
    let xsk: OpaquePointer
    public let fill: UnsafeMutablePointer<xsk_ring_prod>
    public let completion: UnsafeMutablePointer<xsk_ring_cons>
    public let rx: UnsafeMutablePointer<xsk_ring_cons>
    public let tx: UnsafeMutablePointer<xsk_ring_prod>

    /// Creates the UMEM and binds the socket (call it on a thread in the interface's namespace).
    public init(interface: String, queue: Int, config: XSKConfig) throws(XSKError) {
        guard if_nametoindex(interface) != 0 else { throw .noSuchInterface(interface) }
        precondition(config.frameCount > 0 && (config.frameSize == 2048 || config.frameSize == 4096))
        self.interface = interface
        self.queue = queue
        self.config = config
        area = try FrameArea(byteCount: config.frameCount * config.frameSize, node: config.node,
                             allowHugePages: config.hugePages)
        fill = .allocate(capacity: 1); fill.initialize(to: xsk_ring_prod())
        completion = .allocate(capacity: 1); completion.initialize(to: xsk_ring_cons())
        rx = .allocate(capacity: 1); rx.initialize(to: xsk_ring_cons())
        tx = .allocate(capacity: 1); tx.initialize(to: xsk_ring_prod())

        let tries: [(flag: Int32, name: String)]
        switch config.mode {
        case .auto: tries = [(Int32(XDP_ZEROCOPY), "zero-copy"), (Int32(XDP_COPY), "copy")]
        case .zerocopy: tries = [(Int32(XDP_ZEROCOPY), "zero-copy")]
        case .copy, .skb: tries = [(Int32(XDP_COPY), "copy")]
        }
        var failures: [String] = []
        var made: (umem: OpaquePointer, xsk: OpaquePointer, name: String)?
        var lastErrno: Int32 = 0
        for t in tries {
            // A failed bind leaves the UMEM's rings in an unknown state: each try gets a new UMEM
            // over the same memory.
            var umemConfig = xsk_umem_config()
            umemConfig.fill_size = UInt32(config.fillSize)
            umemConfig.comp_size = UInt32(config.completionSize)
            umemConfig.frame_size = UInt32(config.frameSize)
            umemConfig.frame_headroom = 0
            umemConfig.flags = 0
            var u: OpaquePointer?
            let urc = xsk_umem__create(&u, area.base, UInt64(config.frameCount * config.frameSize),
                                       fill, completion, &umemConfig)
            guard urc == 0, let u else {
                Self.freeRings(fill, completion, rx, tx)
                throw .system("creating the UMEM for \(interface) queue \(queue)", -urc)
            }
            var sc = xsk_socket_config()
            sc.rx_size = UInt32(config.rxSize)
            sc.tx_size = UInt32(config.txSize)
            sc.libxdp_flags = UInt32(XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD)
            sc.xdp_flags = 0
            sc.bind_flags = UInt16(t.flag | (config.needWakeup ? Int32(XDP_USE_NEED_WAKEUP) : 0))
            var s: OpaquePointer?
            let src = xsk_socket__create(&s, interface, UInt32(queue), u,
                                         config.rxSize > 0 ? rx : nil, config.txSize > 0 ? tx : nil, &sc)
            if src == 0, let s {
                made = (u, s, t.name)
                break
            }
            _ = xsk_umem__delete(u)
            lastErrno = -src
            failures.append("\(t.name) bind failed: \(String(cString: strerror(-src)))")
        }
        guard let made else {
            Self.freeRings(fill, completion, rx, tx)
            if lastErrno == EINVAL, config.rxSize > 0 {
                throw .system("binding an AF_XDP socket to \(interface) queue \(queue) "
                              + "(\(failures.joined(separator: "; ")); does the queue exist?)", lastErrno)
            }
            throw .system("binding an AF_XDP socket to \(interface) queue \(queue) (\(failures.joined(separator: "; ")))",
                          lastErrno)
        }
        umem = made.umem
        xsk = made.xsk
        fd = xsk_socket__fd(made.xsk)
        zeroCopy = tapline_xsk_is_zerocopy(fd) == 1
        var note = "\(made.name) mode"
        if !failures.isEmpty { note += " (\(failures.joined(separator: "; ")))" }
        if config.mode == .skb { note += ", generic (SKB) XDP" }
        if let bp = config.busyPoll {
            let rc = tapline_xsk_busy_poll(fd, bp.microseconds, bp.budget)
            note += rc == 0 ? ", busy polling \(bp.microseconds) µs / \(bp.budget)"
                : ", busy polling refused: \(String(cString: strerror(rc)))"
        }
        modeNote = note
    }

    deinit {
        xsk_socket__delete(xsk)
        _ = xsk_umem__delete(umem)
        Self.freeRings(fill, completion, rx, tx)
    }

    private static func freeRings(_ a: UnsafeMutablePointer<xsk_ring_prod>, _ b: UnsafeMutablePointer<xsk_ring_cons>,
                                  _ c: UnsafeMutablePointer<xsk_ring_cons>, _ d: UnsafeMutablePointer<xsk_ring_prod>) {
        a.deallocate(); b.deallocate(); c.deallocate(); d.deallocate()
    }

    /// The kernel's drop counters for this socket.
    public func statistics() -> XSKStatistics {
        var s = xdp_statistics()
        guard tapline_xsk_statistics(fd, &s) == 0 else { return XSKStatistics() }
        var out = XSKStatistics()
        out.rxDropped = s.rx_dropped
        out.rxInvalid = s.rx_invalid_descs
        out.txInvalid = s.tx_invalid_descs
        out.rxRingFull = s.rx_ring_full
        out.fillRingEmpty = s.rx_fill_ring_empty_descs
        out.txRingEmpty = s.tx_ring_empty_descs
        return out
    }

    // MARK: Receive side (the ingest thread)

    /// The frame at UMEM offset `address`.
    @inline(__always)
    public func frame(_ address: UInt64) -> UnsafeMutableRawPointer { area.base + Int(address) }

    /// Up to `max` received descriptors, starting at ring index `index`.
    @inline(__always)
    public func peekReceived(max: UInt32, index: inout UInt32) -> UInt32 {
        xsk_ring_cons__peek(rx, max, &index)
    }

    /// The descriptor at RX ring index `index`: the frame's UMEM offset and length.
    @inline(__always)
    public func received(_ index: UInt32) -> (address: UInt64, length: UInt32) {
        let d = xsk_ring_cons__rx_desc(rx, index)!
        return (xsk_umem__add_offset_to_addr(d.pointee.addr), d.pointee.len)
    }

    @inline(__always)
    public func releaseReceived(_ n: UInt32) { xsk_ring_cons__release(rx, n) }

    /// Gives frames (by UMEM offset) to the kernel through the fill ring; returns how many fitted
    /// (all or none of a batch, as the ring reserves).
    @inline(__always)
    public func refill(_ addresses: UnsafePointer<UInt64>, count: Int) -> Int {
        guard count > 0 else { return 0 }
        var idx: UInt32 = 0
        let got = xsk_ring_prod__reserve(fill, UInt32(count), &idx)
        guard got > 0 else { return 0 }
        for i in 0..<Int(got) { xsk_ring_prod__fill_addr(fill, idx &+ UInt32(i))!.pointee = addresses[i] }
        xsk_ring_prod__submit(fill, got)
        return Int(got)
    }

    /// Free slots in the fill ring now.
    @inline(__always)
    public var fillSpace: Int { Int(xsk_prod_nb_free(fill, UInt32(config.fillSize))) }

    /// Whether the kernel asked to be woken to refill from the fill ring (need_wakeup).
    @inline(__always)
    public var fillNeedsWakeup: Bool { xsk_ring_prod__needs_wakeup(fill) != 0 }

    /// Wakes the kernel's receive side (after `fillNeedsWakeup`).
    @inline(__always)
    public func wakeReceive() { tapline_xsk_wake_rx(fd) }

    /// Sleeps until something arrives or `milliseconds` pass.
    public func waitReceive(milliseconds: Int32) { _ = tapline_xsk_poll_rx(fd, milliseconds) }

    // MARK: Transmit side (the transmitting thread)

    /// Reserves up to `max` TX descriptors starting at `index`.
    @inline(__always)
    public func reserveTransmit(_ max: UInt32, index: inout UInt32) -> UInt32 {
        xsk_ring_prod__reserve(tx, max, &index)
    }

    /// Fills TX descriptor `index` with a frame.
    @inline(__always)
    public func setTransmit(_ index: UInt32, address: UInt64, length: UInt32) {
        let d = xsk_ring_prod__tx_desc(tx, index)!
        d.pointee.addr = address
        d.pointee.len = length
        d.pointee.options = 0
    }

    @inline(__always)
    public func submitTransmit(_ n: UInt32) { xsk_ring_prod__submit(tx, n) }

    /// Whether the kernel wants a sendto() to start transmitting.
    @inline(__always)
    public var transmitNeedsWakeup: Bool { xsk_ring_prod__needs_wakeup(tx) != 0 }

    /// Starts transmission; returns 0 or an errno value (EAGAIN/EBUSY/ENOBUFS: retry later).
    @inline(__always)
    public func kickTransmit() -> Int32 { tapline_xsk_kick_tx(fd) }

    /// Free TX descriptors now (`reserveTransmit` reserves all it is asked for or none).
    @inline(__always)
    public var transmitSpace: UInt32 { xsk_prod_nb_free(tx, UInt32(config.txSize)) }

    /// Whether frames submitted to the TX ring are still waiting there for the kernel (copy mode
    /// sends at most its budget per wake-up, so a caller kicks again while this is true).
    @inline(__always)
    public var transmitPending: Bool {
        Int(xsk_prod_nb_free(tx, UInt32(config.txSize))) < config.txSize
    }

    /// Raises how many frames one wake-up transmits in copy mode (XDP_MAX_TX_SKB_BUDGET, Linux
    /// 6.17+, default 32). Returns 0 or an errno value (ENOPROTOOPT: the kernel has no such option).
    public func setTransmitBudget(_ frames: Int32) -> Int32 { tapline_xsk_tx_budget(fd, frames) }

    /// Takes up to `max` completed TX frames; their UMEM offsets go to `into`. Returns the count.
    @inline(__always)
    public func takeCompleted(max: UInt32, into: UnsafeMutablePointer<UInt64>) -> Int {
        var idx: UInt32 = 0
        let n = xsk_ring_cons__peek(completion, max, &idx)
        guard n > 0 else { return 0 }
        for i in 0..<Int(n) { into[i] = xsk_ring_cons__comp_addr(completion, idx &+ UInt32(i))!.pointee }
        xsk_ring_cons__release(completion, n)
        return Int(n)
    }
}
