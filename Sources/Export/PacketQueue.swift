public import PacketCore
import Synchronization

/// A bounded single-producer single-consumer queue of captured frames: the packet path copies a
/// frame in (up to the snap length) and never waits; when the queue is full the frame is counted
/// in `dropped` and left out. A writer thread pops frames and does the file I/O.
///
/// Storage is one byte ring of variable-length entries (a 32-byte header, then the bytes padded
/// to 8); an entry that would straddle the end is placed at the start after a skip marker.
public final class PacketQueue: @unchecked Sendable {
    /// What the producer tells about a frame.
    public struct Entry: Sendable {
        public var timestampNs: UInt64
        /// Symmetric hash of the frame's flow (0 = no flow), for per-flow cut-off policies.
        public var flowHash: UInt64
        public var originalLength: UInt32
        public var linkType: LinkType
    }

    /// Bytes kept of each frame.
    public let snapLength: Int
    public let capacity: Int
    private let storage: UnsafeMutableRawBufferPointer
    private let head = Atomic<Int>(0)   // bytes ever written (producer)
    private let tail = Atomic<Int>(0)   // bytes ever consumed (consumer)
    private let droppedCount = Atomic<UInt64>(0)
    private let offeredCount = Atomic<UInt64>(0)
    private static let headerSize = 32
    private static let skipMarker: UInt32 = 0xFFFF_FFFF

    /// `capacityBytes` is rounded up to a power of two; it must hold a few snapped frames.
    public init(capacityBytes: Int = 64 << 20, snapLength: Int = 65535) {
        precondition(snapLength > 0 && snapLength <= 262_144)
        var c = 1 << 16
        while c < capacityBytes || c < 4 * (snapLength + Self.headerSize + 8) { c <<= 1 }
        capacity = c
        self.snapLength = snapLength
        storage = .allocate(byteCount: c, alignment: 64)
    }

    deinit { storage.deallocate() }

    /// Frames offered and frames left out because the queue was full.
    public var offered: UInt64 { offeredCount.load(ordering: .relaxed) }
    public var dropped: UInt64 { droppedCount.load(ordering: .relaxed) }
    /// Bytes waiting (a queue depth for metrics).
    public var depthBytes: Int { head.load(ordering: .relaxed) - tail.load(ordering: .relaxed) }

    /// Producer: copies the frame in, or counts it dropped. Never blocks, never allocates.
    @discardableResult
    public func offer(_ frame: UnsafeRawBufferPointer, timestampNs: UInt64, originalLength: UInt32,
                      linkType: LinkType, flowHash: UInt64) -> Bool {
        offeredCount.add(1, ordering: .relaxed)
        let kept = min(frame.count, snapLength)
        let size = Self.headerSize + (kept + 7) & ~7
        let h = head.load(ordering: .relaxed)
        let t = tail.load(ordering: .acquiring)
        let at = h & (capacity - 1)
        let toEnd = capacity - at
        let need = size <= toEnd ? size : toEnd + size
        guard capacity - (h - t) >= need else {
            droppedCount.add(1, ordering: .relaxed)
            return false
        }
        var start = at
        if size > toEnd {
            storage.storeBytes(of: Self.skipMarker, toByteOffset: at, as: UInt32.self)
            start = 0
        }
        storage.storeBytes(of: UInt32(kept), toByteOffset: start, as: UInt32.self)
        storage.storeBytes(of: originalLength, toByteOffset: start + 4, as: UInt32.self)
        storage.storeBytes(of: timestampNs, toByteOffset: start + 8, as: UInt64.self)
        storage.storeBytes(of: flowHash, toByteOffset: start + 16, as: UInt64.self)
        storage.storeBytes(of: linkType.rawValue, toByteOffset: start + 24, as: UInt32.self)
        if kept > 0 {
            (storage.baseAddress! + start + Self.headerSize).copyMemory(from: frame.baseAddress!, byteCount: kept)
        }
        head.store(h + need, ordering: .releasing)
        return true
    }

    /// Consumer: hands the oldest frame to `body` (its bytes may be modified in place) and removes
    /// it. Returns false when the queue is empty.
    public func pop(_ body: (Entry, UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        let t = tail.load(ordering: .relaxed)
        let h = head.load(ordering: .acquiring)
        if h == t { return false }
        var at = t & (capacity - 1)
        var consumed = 0
        if storage.load(fromByteOffset: at, as: UInt32.self) == Self.skipMarker {
            consumed = capacity - at
            at = 0
        }
        let kept = Int(storage.load(fromByteOffset: at, as: UInt32.self))
        let entry = Entry(timestampNs: storage.load(fromByteOffset: at + 8, as: UInt64.self),
                          flowHash: storage.load(fromByteOffset: at + 16, as: UInt64.self),
                          originalLength: storage.load(fromByteOffset: at + 4, as: UInt32.self),
                          linkType: LinkType(rawValue: storage.load(fromByteOffset: at + 24, as: UInt32.self)))
        body(entry, UnsafeMutableRawBufferPointer(rebasing: storage[(at + Self.headerSize)..<(at + Self.headerSize + kept)]))
        consumed += Self.headerSize + (kept + 7) & ~7
        tail.store(t + consumed, ordering: .releasing)
        return true
    }
}

extension PacketQueue {
    /// A decoded frame's flow for the writer's per-flow cut-off: both directions and every
    /// packet of a connection agree; 0 (no flow) when it is not IP.
    @inline(__always)
    public static func flowKey(_ info: PacketInfo) -> UInt64 {
        info.ipVersion == 0 ? 0
            : FlowHash.mix(FlowHash.symmetric(info.src, info.dst, proto: info.ipProto), UInt64(info.srcPort ^ info.dstPort)) | 1
    }
}
