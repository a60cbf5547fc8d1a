import CPrefilter
import CShims
import CXDP
import Engine
import Foundation
public import Ingest
import Prefilter
public import Replay
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What the in-kernel generator sends, and how fast.
public struct KernelReplayConfig: Sendable {
    /// The interface frames are transmitted on (in the calling thread's network namespace).
    public var interface: String
    public var path: String
    /// Passes over the file (0: until stopped).
    public var loops = 1
    /// The CPU the sending thread is pinned to (nil: unpinned).
    public var cpu: Int?
    /// The most frame bytes kept in the kernel's maps.
    public var maximumBytes = 64 << 20
    /// Frames of the first `bpf_prog_test_run` call; later calls are sized to last about
    /// `callNanoseconds` (a stop request waits for the call under way).
    public var firstCallFrames = 65_536
    public var callNanoseconds: UInt64 = 250_000_000

    public init(interface: String, path: String) {
        self.interface = interface
        self.path = path
    }
}

/// Why the in-kernel generator could not start.
public enum KernelReplayError: Error, CustomStringConvertible, Sendable {
    case file(CaptureFileError)
    case noInterface(String)
    case nothingToSend(String)
    case tooLarge(String)
    case program(String)
    case thread(String)

    public var description: String {
        switch self {
        case .file(let e): return "\(e)"
        case .noInterface(let s), .nothingToSend(let s), .tooLarge(let s), .program(let s), .thread(let s): return s
        }
    }
}

/// Replays a capture file from inside the kernel: the frames are loaded into BPF maps once, and
/// `bpf_prog_test_run` in live-frames mode (`BPF_F_TEST_XDP_LIVE_FRAMES`) runs
/// `BPF/replayxdp.bpf.c` on kernel-allocated frames, each run writing the next frame of the file
/// and redirecting it to the interface, which transmits it through its `ndo_xdp_xmit`. One system
/// call sends up to `framesPerCall` frames, with no socket and no skb per frame: on a veth this
/// path is several times faster than AF_XDP's copy mode, which builds an skb for every frame.
///
/// Frames go out in file order from one thread. The interface must take XDP frames: a veth does
/// only while its peer runs an XDP program (the report then shows frames not delivered).
public final class KernelReplayer: @unchecked Sendable {
    public let config: KernelReplayConfig
    public let framesPerPass: Int
    public let bytesPerPass: UInt64
    public let skips: ReplaySkips
    public let cutShort: Int
    /// Map chunks holding the frames, and their bytes in the kernel.
    public let chunks: Int
    public var kernelBytes: Int { chunks * Int(TL_GEN_CHUNK_BYTES) + framesPerPass * MemoryLayout<tl_gen_frame>.stride }
    /// The interface's counts of frames taken and refused by its ndo_xdp_xmit, if it reports them.
    let deviceAtStart: (transmitted: UInt64, refused: UInt64)?

    let ifindex: UInt32
    let longest: Int
    /// Frames longer than this are skipped: the interface's MTU + 18, at most TL_GEN_MAX_FRAME.
    public let longestAllowed: Int
    let object: OpaquePointer
    let programFD: Int32
    let stateFD: Int32
    let stopRequested = Atomic<Bool>(false)
    let done = Atomic<Bool>(false)
    let lastCall = Atomic<UInt64>(0)
    let failure = Mutex<String?>(nil)
    var thread: PinnedThread?
    var startNs: UInt64 = 0

    public init(config: KernelReplayConfig) throws(KernelReplayError) {
        self.config = config
        // The file first: a file that is not a capture is said before anything is loaded.
        let reader: CaptureFileReader
        do { reader = try CaptureFileReader(path: config.path) } catch { throw .file(error) }
        let index = if_nametoindex(config.interface)
        guard index != 0 else {
            throw .noInterface("no network interface '\(config.interface)' in this network namespace")
        }
        ifindex = index
        // The kernel forwards an XDP frame only up to the device's MTU + its Ethernet header + one
        // VLAN tag (xdp_ok_fwd_dev); a longer one would vanish uncounted, so it is skipped here.
        let mtu = tapline_interface_mtu(config.interface)
        let limit = min(Int(TL_GEN_MAX_FRAME), mtu > 0 ? Int(mtu) + 18 : Int(TL_GEN_MAX_FRAME))
        longestAllowed = limit

        // Frames packed back to back into chunks; a frame starts in the first TL_GEN_CHUNK bytes.
        var frames: [tl_gen_frame] = []
        var data: [UInt8] = []
        var skipped = ReplaySkips()
        var bytes: UInt64 = 0
        var short = 0
        var offset = 0
        var longestFrame = 0
        data.reserveCapacity(Int(TL_GEN_CHUNK_BYTES))
        var over = false
        do throws(CaptureFileError) {
            while let p = try reader.next() {
                if p.linkType != .ethernet { skipped.notEthernet += 1; continue }
                let n = Int(p.capturedLength)
                if n < 14 { skipped.tooShort += 1; continue }
                if n > limit { skipped.tooLong += 1; continue }
                if p.capturedLength < p.wireLength { short += 1 }
                if offset >= Int(TL_GEN_CHUNK) {
                    // Next chunk: pad this one to its full size.
                    data.append(contentsOf: repeatElement(0, count: Int(TL_GEN_CHUNK_BYTES) - offset))
                    offset = 0
                }
                let chunk = data.count / Int(TL_GEN_CHUNK_BYTES)
                frames.append(tl_gen_frame(chunk: UInt32(chunk), offset: UInt16(offset), length: UInt16(n)))
                data.append(contentsOf: UnsafeRawBufferPointer(p.bytes))
                offset += n
                bytes += UInt64(n)
                longestFrame = max(longestFrame, n)
                if data.count > config.maximumBytes { over = true; break }
            }
        } catch {
            throw .file(error)
        }
        if over {
            throw .tooLarge("\(config.path): the frames need more than \(config.maximumBytes >> 20) MiB of kernel memory "
                            + "(--umem-mb): raise it, or use --engine xsk, which streams files of any size")
        }
        if !data.isEmpty { data.append(contentsOf: repeatElement(0, count: Int(TL_GEN_CHUNK_BYTES) - offset)) }
        guard !frames.isEmpty else {
            var why = "\(config.path): no frame to send"
            why += skipped.total > 0
                ? " (\(skipped.notEthernet) not Ethernet, \(skipped.tooShort) under 14 bytes, "
                    + "\(skipped.tooLong) over \(limit) bytes)"
                : " (the file holds no packets)"
            throw .nothingToSend(why)
        }
        framesPerPass = frames.count
        bytesPerPass = bytes
        skips = skipped
        cutShort = short
        longest = longestFrame
        chunks = data.count / Int(TL_GEN_CHUNK_BYTES)

        (object, programFD, stateFD) = try Self.load(frames: frames, data: data, chunks: chunks, ifindex: index)
        var transmitted: UInt64 = 0
        var refused: UInt64 = 0
        if tapline_ethtool_stat_sum(config.interface, "_xdp_xmit", &transmitted) == 0,
           tapline_ethtool_stat_sum(config.interface, "_xdp_xmit_errors", &refused) == 0 {
            deviceAtStart = (transmitted, refused)
        } else {
            deviceAtStart = nil
        }
    }

    deinit {
        bpf_object__close(object)
    }

    static func objectBytes() throws(KernelReplayError) -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "replayxdp", withExtension: "bpfobj"),
              let data = try? Data(contentsOf: url) else {
            throw .program("the compiled generator (replayxdp.bpfobj) is missing from the resource bundle; rebuild with swift build")
        }
        return [UInt8](data)
    }

    /// Opens the object, sizes its maps, sets its configuration, loads it and fills the maps.
    static func load(frames: [tl_gen_frame], data: [UInt8], chunks: Int, ifindex: UInt32)
        throws(KernelReplayError) -> (OpaquePointer, Int32, Int32) {
        let bytes = try objectBytes()
        var cfg = tl_gen_config()
        cfg.frames = UInt32(frames.count)
        cfg.ifindex = ifindex
        func message(_ what: String, _ rc: Int32) -> KernelReplayError {
            let e = rc < 0 ? -rc : rc
            return .program("\(what): \(String(cString: strerror(e)))"
                            + (e == EPERM ? " (needs root: CAP_BPF and CAP_NET_ADMIN)" : ""))
        }
        let obj: OpaquePointer
        do {
            obj = try loadBPFObject(bytes, config: cfg) { obj in
                guard let framesMap = bpf_object__find_map_by_name(obj, "tl_gen_frames"),
                      let chunksMap = bpf_object__find_map_by_name(obj, "tl_gen_chunks") else {
                    return (ENOENT, "the generator's maps are missing from its object")
                }
                var rc = bpf_map__set_max_entries(framesMap, UInt32(frames.count))
                if rc == 0 { rc = bpf_map__set_max_entries(chunksMap, UInt32(chunks)) }
                return (rc, "sizing the generator's maps")
            }
        } catch {
            switch error {
            case .open(let e): throw message("opening the generator's BPF object", e)
            case .rodata: throw message(".rodata of the generator is not exactly struct tl_gen_config", EINVAL)
            case .configure(let code, let what): throw message(what, code)
            case .load(let code): throw message("loading the generator program (verifier or permissions)", code)
            }
        }
        func fail(_ what: String, _ rc: Int32) -> KernelReplayError {
            bpf_object__close(obj)
            return message(what, rc)
        }
        guard let prog = bpf_object__find_program_by_name(obj, "tapline_replay"),
              let stateMap = bpf_object__find_map_by_name(obj, "tl_gen_state"),
              let framesMap = bpf_object__find_map_by_name(obj, "tl_gen_frames"),
              let chunksMap = bpf_object__find_map_by_name(obj, "tl_gen_chunks") else {
            throw fail("the generator's program is missing from its object", ENOENT)
        }
        let framesFD = bpf_map__fd(framesMap)
        let chunksFD = bpf_map__fd(chunksMap)
        // The frame table in batches, the chunks one by one (each up to 68 KiB).
        var keys = (0..<UInt32(frames.count)).map { $0 }
        var values = frames
        var done = 0
        while done < frames.count {
            var count = UInt32(min(65_536, frames.count - done))
            var bo = bpf_map_batch_opts()
            zeroFill(&bo)
            bo.sz = MemoryLayout<bpf_map_batch_opts>.size
            let r = keys.withUnsafeMutableBufferPointer { k in
                values.withUnsafeMutableBufferPointer { v in
                    bpf_map_update_batch(framesFD, k.baseAddress! + done, v.baseAddress! + done, &count, &bo)
                }
            }
            if r != 0 { throw fail("loading the frame table", r) }
            done += Int(count)
        }
        for c in 0..<chunks {
            var key = UInt32(c)
            let r = data.withUnsafeBytes { d in
                bpf_map_update_elem(chunksFD, &key, d.baseAddress! + c * Int(TL_GEN_CHUNK_BYTES), 0)
            }
            if r != 0 { throw fail("loading frame chunk \(c)", r) }
        }
        return (obj, bpf_program__fd(prog), bpf_map__fd(stateMap))
    }

    /// The generator's own counts: frames built and redirected, their bytes, frames it could not build.
    func state() -> tl_gen_state {
        var key: UInt32 = 0
        var s = tl_gen_state()
        _ = bpf_map_lookup_elem(stateFD, &key, &s)
        return s
    }

    /// Starts the sending thread.
    public func start() throws(KernelReplayError) {
        startNs = ReplayClock.now()
        lastCall.store(startNs, ordering: .relaxed)
        let me = self
        do {
            thread = try PinnedThread(name: "tl-tx-xdp", cpu: config.cpu) { me.run() }
        } catch {
            done.store(true, ordering: .releasing)
            throw .thread("\(error)")
        }
    }

    /// The sending loop: one live-frames test run per step, as fast as the kernel goes. Each call
    /// has a fixed cost (the kernel sets up and tears down a page pool: ~25 ms on a small VM), so
    /// calls are sized to last about `callNanoseconds`; that makes the cost a few percent and is
    /// also why this engine does not pace (a rate needs `--engine xsk`).
    func run() {
        defer { done.store(true, ordering: .releasing) }
        let total: UInt64 = config.loops == 0 ? .max : UInt64(framesPerPass) * UInt64(config.loops)
        var frame = [UInt8](repeating: 0, count: longest)
        var ctx = xdp_md()
        ctx.data_end = UInt32(longest)
        ctx.ingress_ifindex = ifindex
        var sent: UInt64 = 0
        var size = UInt64(max(1, config.firstCallFrames))
        while sent < total && !stopRequested.load(ordering: .relaxed) {
            let n = min(total - sent, size)
            var opts = bpf_test_run_opts()
            zeroFill(&opts)
            opts.sz = MemoryLayout<bpf_test_run_opts>.size
            opts.data_size_in = UInt32(longest)
            opts.ctx_size_in = UInt32(MemoryLayout<xdp_md>.size)
            opts.repeat = Int32(n)
            opts.flags = UInt32(BPF_F_TEST_XDP_LIVE_FRAMES)
            let before = ReplayClock.now()
            let rc = frame.withUnsafeMutableBytes { d in
                withUnsafePointer(to: &ctx) { c in
                    opts.data_in = UnsafeRawPointer(d.baseAddress!)
                    opts.ctx_in = UnsafeRawPointer(c)
                    return bpf_prog_test_run_opts(programFD, &opts)
                }
            }
            let after = ReplayClock.now()
            if rc != 0 {
                let e = rc < 0 ? -rc : rc
                failure.withLock {
                    $0 = "bpf_prog_test_run (live frames) on \(config.interface): \(String(cString: strerror(e)))"
                        + (e == EINVAL ? " (the kernel needs BPF_F_TEST_XDP_LIVE_FRAMES, Linux 5.18+)" : "")
                }
                return
            }
            sent += n
            lastCall.store(after, ordering: .relaxed)
            let took = max(1, after - before)
            size = min(UInt64(Int32.max), max(UInt64(max(1, config.firstCallFrames)),
                                              n * config.callNanoseconds / took))
        }
    }

    /// Asks the sending thread to stop after its current call.
    public func stop() { stopRequested.store(true, ordering: .relaxed) }

    public var isFinished: Bool { done.load(ordering: .acquiring) }

    /// Waits for the sending thread and returns the final totals.
    public func wait() -> ReplayReport {
        thread?.join()
        thread = nil
        return report()
    }

    /// The totals now. `completed` is what the interface says it transmitted (its `*_xdp_xmit`
    /// ethtool counters, e.g. a veth's) when it reports that, else what the program redirected.
    public func report() -> ReplayReport {
        var r = ReplayReport()
        let s = state()
        r.offered = s.sent
        r.offeredBytes = s.bytes
        r.buildFailures = s.failed
        r.completed = s.sent
        if let start = deviceAtStart {
            var transmitted: UInt64 = 0
            var refused: UInt64 = 0
            if tapline_ethtool_stat_sum(config.interface, "_xdp_xmit", &transmitted) == 0,
               tapline_ethtool_stat_sum(config.interface, "_xdp_xmit_errors", &refused) == 0 {
                r.completed = transmitted &- start.transmitted
                r.deviceRefused = refused &- start.refused
            }
        }
        r.finished = isFinished
        let end = r.finished ? lastCall.load(ordering: .relaxed) : ReplayClock.now()
        r.seconds = end > startNs ? Double(end - startNs) / 1e9 : 0
        r.skips = skips
        if let f = failure.withLock({ $0 }) { r.failures.append(f) }
        return r
    }
}
