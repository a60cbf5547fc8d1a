public import Anonymize
import Engine
public import Export
import PacketCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What part of each flow is written.
public enum FlowCutoff: Sendable, Equatable {
    case none
    /// The first N captured bytes of each flow (both directions together); a packet that crosses
    /// the limit is written whole.
    case bytes(UInt64)
    /// The first N packets of each flow.
    case packets(UInt64)
}

/// How `--pcap DIR` writes.
public struct PcapngRingConfig: Sendable {
    public var directory: String
    public var prefix = "tapline"
    /// Rotate when a file reaches this many bytes (0 = never by size).
    public var maxFileBytes: UInt64 = 256 << 20
    /// Rotate when a file spans this many seconds of packet time (0 = never by time).
    public var maxFileSeconds: UInt64 = 0
    /// Keep at most this many files, removing the oldest (0 = keep all).
    public var ringFiles: Int = 0
    /// Bytes kept of each packet.
    public var snapLength: Int = 65535
    public var cutoff: FlowCutoff = .none
    /// Flows tracked for the cut-off (a direct-mapped table; a colliding flow starts over, counted).
    public var cutoffFlows: Int = 1 << 16
    /// Bytes of the queue between the packet path and the writer thread.
    public var queueBytes: Int = 64 << 20

    public init(directory: String) { self.directory = directory }
}

/// Counters of the pcapng writer.
public struct PcapngRingStats: Sendable, Equatable {
    public var packetsWritten: UInt64 = 0
    public var bytesWritten: UInt64 = 0
    /// Packets left out by the per-flow cut-off (by policy, not loss).
    public var packetsCutOff: UInt64 = 0
    /// Packets lost because a write failed (disk full …).
    public var packetsLostWriteError: UInt64 = 0
    /// Packets lost because the queue was full (the writer fell behind).
    public var packetsLostQueueFull: UInt64 = 0
    public var filesOpened: UInt64 = 0
    public var filesRemoved: UInt64 = 0
    public var cutoffCollisions: UInt64 = 0
    public var writeErrors: UInt64 = 0
    public var queueDepthBytes: Int = 0
}

/// Writes captured packets as pcapng files in a directory, rotated by size and by packet time,
/// in a ring of N files. The packet path only copies frames into a `PacketQueue`; a writer thread
/// applies the per-flow cut-off and anonymization and writes. Files are valid at every rotation
/// and at exit: blocks are written whole, and after a failed write the file is cut back to its
/// last whole block. A failed write (disk full) is reported once, its packets are counted lost,
/// and writing is tried again with the next packets.
public final class PcapngRingWriter: @unchecked Sendable {
    public let config: PcapngRingConfig
    /// The packet path's side: offer frames here. One queue per producing thread (each queue has
    /// a single producer); `queue` is the first.
    public let queues: [PacketQueue]
    public var queue: PacketQueue { queues[0] }
    private let rewriter: AddressRewriter?
    private let done = Atomic<Bool>(false)
    private let state = Mutex(PcapngRingStats())
    private let errorText = Mutex<String?>(nil)
    private let fileList = Mutex<[String]>([])
    private var thread: PinnedThread?

    /// `producers` threads offer frames, each to its own queue of `config.queueBytes / producers`
    /// bytes; the writer takes from them in turn (frames of different queues may interleave out
    /// of time order; within a queue they keep it).
    public init(config: PcapngRingConfig, anonymizer: CryptoPAn? = nil, producers: Int = 1) throws(SystemError) {
        precondition(producers >= 1)
        self.config = config
        queues = (0..<producers).map { _ in
            PacketQueue(capacityBytes: max(1 << 20, config.queueBytes / producers), snapLength: config.snapLength)
        }
        rewriter = anonymizer.map { AddressRewriter(anonymizer: $0) }
        var st = stat()
        if stat(config.directory, &st) != 0 {
            if mkdir(config.directory, 0o755) != 0 { throw SystemError("mkdir", path: config.directory, errno: errno) }
        }
        do {
            thread = try PinnedThread(name: "tapline-pcap", cpu: nil) { [self] in self.run() }
        } catch {
            throw SystemError("thread", path: config.directory, errno: error.errno)
        }
    }

    public var stats: PcapngRingStats {
        var s = state.withLock { $0 }
        s.packetsLostQueueFull = queues.reduce(0) { $0 + $1.dropped }
        s.queueDepthBytes = queues.reduce(0) { $0 + $1.depthBytes }
        return s
    }

    /// The first write error, worded for an operator.
    public var lastError: String? { errorText.withLock { $0 } }
    /// Files currently in the ring, oldest first.
    public var files: [String] { fileList.withLock { $0 } }

    /// Writes what is queued, closes the last file valid, stops the thread.
    /// Must be called before the last reference goes: the writer thread holds the writer.
    public func close() {
        done.store(true, ordering: .releasing)
        thread?.join()
        thread = nil
    }

    // MARK: The writer thread

    private final class File {
        let fd: Int32
        let path: String
        /// Offset after the last whole block on disk.
        var good: UInt64 = 0
        var firstNs: UInt64 = 0
        var interfaces: [UInt32] = []
        /// Interfaces whose description blocks are on disk.
        var committedInterfaces = 0
        init(fd: Int32, path: String) { self.fd = fd; self.path = path }
    }

    private func run() {
        let bufferSize = 1 << 20
        var out = BlockBuffer(capacity: bufferSize + 300_000)
        defer { out.deallocate() }
        var file: File?
        var sequence = 0
        var pendingPackets: UInt64 = 0
        var pendingBytes: UInt64 = 0
        let cutoffSlots = max(1, config.cutoffFlows)
        var cutHash = [UInt64](repeating: 0, count: cutoffSlots)
        var cutSeen = [UInt64](repeating: 0, count: cutoffSlots)
        var idle = 0

        func reportError(_ op: String, _ path: String, _ e: Int32) {
            let text = e == ENOSPC
                ? "pcapng: disk full writing \(path); packets are counted lost until space returns, capture goes on"
                : "pcapng: \(op) \(path) failed: \(String(cString: strerror(e))); packets are counted lost, capture goes on"
            errorText.withLock { if $0 == nil { $0 = text } }
            state.withLock { $0.writeErrors += 1 }
        }

        /// Writes the buffered whole blocks; on failure cuts the file back and counts the packets lost.
        func flush() {
            guard let f = file, !out.isEmpty else { return }
            var failed: Int32 = 0
            out.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let n = write(f.fd, raw.baseAddress! + off, raw.count - off)
                    if n < 0 { if errno == EINTR { continue }; failed = errno; return }
                    off += n
                }
            }
            if failed != 0 {
                _ = ftruncate(f.fd, off_t(f.good))
                _ = lseek(f.fd, off_t(f.good), SEEK_SET)
                reportError("write", f.path, failed)
                state.withLock { $0.packetsLostWriteError += pendingPackets }
                // Interfaces described in the lost bytes are described again with the next packet
                // (and the section header too, when the file was cut back to nothing).
                f.interfaces = Array(f.interfaces.prefix(f.committedInterfaces))
            } else {
                f.good += UInt64(out.count)
                f.committedInterfaces = f.interfaces.count
                state.withLock { $0.packetsWritten += pendingPackets; $0.bytesWritten += pendingBytes }
            }
            out.removeAll(keepingCapacity: true)
            pendingPackets = 0; pendingBytes = 0
        }

        func closeFile() {
            flush()
            if let f = file { Glibc.close(f.fd) }
            file = nil
        }

        func openFile(firstNs: UInt64) {
            closeFile()
            let path = "\(config.directory)/\(config.prefix)-\(pad(sequence)).pcapng"
            sequence += 1
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if fd < 0 { reportError("open", path, errno); return }
            let f = File(fd: fd, path: path)
            f.firstNs = firstNs
            file = f
            state.withLock { $0.filesOpened += 1 }
            var removed: [String] = []
            fileList.withLock { list in
                list.append(path)
                while config.ringFiles > 0 && list.count > config.ringFiles { removed.append(list.removeFirst()) }
            }
            for r in removed { unlink(r) }
            if !removed.isEmpty { state.withLock { $0.filesRemoved += UInt64(removed.count) } }
        }

        /// Section header, then an interface for each link type as it first appears.
        func headerIfNeeded(_ f: File, linkType: LinkType) -> UInt32 {
            if f.good == 0 && out.isEmpty {
                put32(&out, 0x0A0D_0D0A); put32(&out, 28); put32(&out, 0x1A2B_3C4D)
                put16(&out, 1); put16(&out, 0); put32(&out, 0xFFFF_FFFF); put32(&out, 0xFFFF_FFFF); put32(&out, 28)
                f.interfaces = []
            }
            if let i = f.interfaces.firstIndex(of: linkType.rawValue) { return UInt32(i) }
            f.interfaces.append(linkType.rawValue)
            // Interface Description Block: link type, snap length, if_tsresol = 9 (nanoseconds).
            put32(&out, 1); put32(&out, 32)
            put16(&out, UInt16(truncatingIfNeeded: linkType.rawValue)); put16(&out, 0)
            put32(&out, UInt32(config.snapLength))
            put16(&out, 9); put16(&out, 1); put32(&out, 9)
            put16(&out, 0); put16(&out, 0)
            put32(&out, 32)
            return UInt32(f.interfaces.count - 1)
        }

        while true {
            let finishing = done.load(ordering: .acquiring)
            func write(_ entry: PacketQueue.Entry, _ frame: UnsafeMutableRawBufferPointer) {
                // Per-flow cut-off.
                if entry.flowHash != 0, config.cutoff != .none {
                    let slot = Int(entry.flowHash % UInt64(cutoffSlots))
                    if cutHash[slot] != entry.flowHash {
                        if cutHash[slot] != 0 { state.withLock { $0.cutoffCollisions += 1 } }
                        cutHash[slot] = entry.flowHash; cutSeen[slot] = 0
                    }
                    let limitReached: Bool
                    switch config.cutoff {
                    case .none: limitReached = false
                    case .bytes(let n): limitReached = cutSeen[slot] >= n
                    case .packets(let n): limitReached = cutSeen[slot] >= n
                    }
                    if limitReached { state.withLock { $0.packetsCutOff += 1 }; return }
                    if case .bytes = config.cutoff { cutSeen[slot] += UInt64(frame.count) } else { cutSeen[slot] += 1 }
                }
                // Rotation by size and packet time.
                if let f = file {
                    let size = f.good + UInt64(out.count)
                    let bySize = config.maxFileBytes > 0 && size >= config.maxFileBytes
                    let byTime = config.maxFileSeconds > 0 && entry.timestampNs >= f.firstNs
                        && entry.timestampNs - f.firstNs >= config.maxFileSeconds * 1_000_000_000
                    if bySize || byTime { openFile(firstNs: entry.timestampNs) }
                } else {
                    openFile(firstNs: entry.timestampNs)
                }
                guard let f = file else {
                    state.withLock { $0.packetsLostWriteError += 1 }
                    return
                }
                if let rewriter { rewriter.rewrite(frame, linkType: entry.linkType) }
                let id = headerIfNeeded(f, linkType: entry.linkType)
                let padded = (frame.count + 3) & ~3
                let total = UInt32(32 + padded)
                put32(&out, 6); put32(&out, total); put32(&out, id)
                put32(&out, UInt32(entry.timestampNs >> 32)); put32(&out, UInt32(truncatingIfNeeded: entry.timestampNs))
                put32(&out, UInt32(frame.count)); put32(&out, entry.originalLength)
                out.append(UnsafeRawBufferPointer(frame), paddedTo: padded)
                put32(&out, total)
                pendingPackets += 1
                pendingBytes += UInt64(total)
                if out.count >= bufferSize { flush() }
            }
            var got = false
            for q in queues where q.pop(write) { got = true }
            if got { idle = 0; continue }
            if finishing { break }
            flush()
            idle += 1
            usleep(idle < 10 ? 200 : 2000)
        }
        closeFile()
    }

    private func pad(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 6 - s.count)) + s
    }
}

/// The writer's block buffer: whole pcapng blocks, little-endian, flushed with one write(2).
private struct BlockBuffer {
    let storage: UnsafeMutableRawBufferPointer
    private(set) var count = 0
    init(capacity: Int) { storage = .allocate(byteCount: capacity, alignment: 8) }
    func deallocate() { storage.deallocate() }
    var isEmpty: Bool { count == 0 }
    mutating func removeAll(keepingCapacity: Bool) { count = 0 }
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }
    @inline(__always) mutating func store<T: FixedWidthInteger>(_ v: T) {
        storage.storeBytes(of: v.littleEndian, toByteOffset: count, as: T.self)
        count += MemoryLayout<T>.size
    }
    /// The frame bytes, then zeros up to `padded` (a multiple of 4). The caller flushes at 1 MiB, and
    /// the capacity leaves room for a largest frame past that.
    mutating func append(_ bytes: UnsafeRawBufferPointer, paddedTo padded: Int) {
        if !bytes.isEmpty { (storage.baseAddress! + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        for i in bytes.count..<padded { storage[count + i] = 0 }
        count += padded
    }
}

@inline(__always) private func put16(_ b: inout BlockBuffer, _ v: UInt16) { b.store(v) }
@inline(__always) private func put32(_ b: inout BlockBuffer, _ v: UInt32) { b.store(v) }
