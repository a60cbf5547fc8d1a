import Ingest
import PacketCore
import XSK
#if canImport(Glibc)
import Glibc
#endif

/// Packets of the file that are not sent, by reason (counted once per pass over the file).
public struct ReplaySkips: Sendable, Equatable {
    /// Captured length above the UMEM frame size.
    public var tooLong = 0
    /// Under an Ethernet header (14 bytes): the kernel refuses such descriptors.
    public var tooShort = 0
    /// Another link type than Ethernet: AF_XDP transmits Ethernet frames.
    public var notEthernet = 0
    public var total: Int { tooLong + tooShort + notEthernet }
    public init() {}
}

/// What one pass over the file found, and the preloaded frames when the file fit the UMEM.
struct ReplayScan {
    /// Frames that will be sent per pass, and their bytes.
    var frames = 0
    var bytes: UInt64 = 0
    var skips = ReplaySkips()
    /// Capture time of the first frame sent and the latest capture time seen (file timing).
    var firstCapture: UInt64 = 0
    var lastCapture: UInt64 = 0
    /// Frames whose capture length is below their wire length (sent as captured).
    var cutShort = 0
    /// Frames longer than the interface forwards (its MTU + 18: Ethernet header and one VLAN
    /// tag); sent all the same, the device may drop them. 0 when the MTU is unknown.
    var overMTU = 0
    /// Every queue's share is in its UMEM (else the file is streamed).
    var preloaded = true
    /// Per queue: lengths (and capture times) of the preloaded frames; frame i sits at i × frameSize.
    var lengths: [[UInt32]]
    var captures: [[UInt64]]

    init(queues: Int) {
        lengths = Array(repeating: [], count: queues)
        captures = Array(repeating: [], count: queues)
    }

    /// Whether a packet is sent, and if not, why (the same rule for preloading and streaming).
    @inline(__always)
    static func skipReason(_ p: CapturedPacket, frameSize: Int) -> WritableKeyPath<ReplaySkips, Int>? {
        if p.linkType != .ethernet { return \.notEthernet }
        if p.capturedLength < 14 { return \.tooShort }
        if Int(p.capturedLength) > frameSize { return \.tooLong }
        return nil
    }

    /// Reads the whole file once: counts, and copies each queue's share into its socket's UMEM
    /// while every share fits (frame k of the file → queue k mod count).
    static func run(path: String, sockets: [XSKSocket], config: ReplayConfig, longestForwarded: Int?,
                    keepCaptureTimes: Bool) throws(CaptureFileError) -> ReplayScan {
        let q = sockets.count
        var scan = ReplayScan(queues: q)
        let reader = try CaptureFileReader(path: path)
        let perQueue = config.framesPerQueue
        while let p = try reader.next() {
            if let why = skipReason(p, frameSize: config.frameSize) {
                scan.skips[keyPath: why] += 1
                continue
            }
            if scan.frames == 0 { scan.firstCapture = p.timestampNs }
            scan.lastCapture = max(scan.lastCapture, p.timestampNs)
            if p.capturedLength < p.wireLength { scan.cutShort += 1 }
            if let limit = longestForwarded, Int(p.capturedLength) > limit { scan.overMTU += 1 }
            let queue = scan.frames % q
            scan.frames += 1
            scan.bytes += UInt64(p.capturedLength)
            guard scan.preloaded else { continue }
            let slot = scan.lengths[queue].count
            if slot >= perQueue {
                // Too large to preload: stream instead; the lists are not needed any more.
                scan.preloaded = false
                scan.lengths = Array(repeating: [], count: q)
                scan.captures = Array(repeating: [], count: q)
                continue
            }
            let s = sockets[queue]
            memcpy(s.area.base + slot * config.frameSize, p.bytes.baseAddress!, Int(p.capturedLength))
            scan.lengths[queue].append(p.capturedLength)
            if keepCaptureTimes { scan.captures[queue].append(p.timestampNs) }
        }
        return scan
    }
}
