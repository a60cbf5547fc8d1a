import CPrefilter
import CShims
import Dissect
import Engine
import Export
import FlowTrack
import PacketCore
import Rings
import Synchronization
import XSK
#if canImport(Glibc)
import Glibc
#endif

/// What the control thread and a packet thread share: a stop request, a finished flag, and the
/// counters the thread publishes now and then.
final class ThreadControl: Sendable {
    let stop = Atomic<Bool>(false)
    /// Set once the thread has primed its fill ring: frames may arrive.
    let ready = Atomic<Bool>(false)
    let finished = Atomic<Bool>(false)
    let published = Mutex(ThreadCounters())
    /// Records leaving this thread's flow table, for the control thread to write.
    let records: SPSCRing<FlowRecord>
    /// Flows the table offers for shunting, for the control thread to put in the prefilter.
    let shunts: SPSCRing<ShuntRequest>

    init(recordCapacity: Int) {
        records = SPSCRing(minimumCapacity: recordCapacity)
        shunts = SPSCRing(minimumCapacity: 1024)
    }
}

/// Puts records on a packet thread's record ring; waits while the ring is full (records are few:
/// about one per flow), so none is lost.
struct RecordRingSink: FlowRecordSink {
    let ring: SPSCRing<FlowRecord>
    var waits: UInt64 = 0
    mutating func emit(_ record: FlowRecord) {
        var backoff = Backoff()
        while !ring.push(record) { waits &+= 1; backoff.wait() }
    }
}

/// Frames owned by an ingest thread but in neither the fill ring nor the kernel: a stack of
/// UMEM chunk addresses, refilled into the fill ring whenever it has room.
struct FrameStack {
    let storage: UnsafeMutablePointer<UInt64>
    let capacity: Int
    var count = 0

    init(frames: Int, frameSize: Int) {
        capacity = frames
        storage = .allocate(capacity: frames)
        for i in 0..<frames { storage[i] = UInt64((frames - 1 - i) * frameSize) }
        count = frames
    }

    func free() { storage.deallocate() }

    @inline(__always) mutating func push(_ a: UInt64) {
        storage[count] = a
        count &+= 1
    }

    /// Moves as many frames as fit into the fill ring (waking the kernel when it asks).
    @inline(__always) mutating func refill(_ socket: XSKSocket) {
        guard count > 0 else { return }
        let room = min(socket.fillSpace, count)
        guard room > 0 else { return }
        let given = socket.refill(storage + (count - room), count: room)
        count -= given
    }
}

/// Decodes one frame into `info` and counts it to its flow: the per-packet work of a dissecting
/// thread (run-to-completion ingest or pipeline worker). Records go to `sink`.
@inline(__always)
func dissect(_ frame: UnsafeRawBufferPointer, at now: UInt64, decoder: PacketDecoder, info: inout PacketInfo,
             table: FlowTable, counters: inout ThreadCounters, sink: inout RecordRingSink, pcap: PacketQueue?) {
    counters.decode.packets &+= 1
    counters.decode.bytes &+= UInt64(frame.count)
    info.timestampNs = now
    info.wireLength = UInt32(truncatingIfNeeded: frame.count)
    info.capturedLength = UInt32(truncatingIfNeeded: frame.count)
    do {
        try decoder.decode(frame, linkType: .ethernet, into: &info)
    } catch {
        counters.decode.count(error)
        pcap?.offer(frame, timestampNs: now, originalLength: info.wireLength, linkType: .ethernet, flowHash: 0)
        return
    }
    counters.decode.count(info)
    pcap?.offer(frame, timestampNs: now, originalLength: info.wireLength, linkType: .ethernet,
                flowHash: PacketQueue.flowKey(info))
    guard info.ipVersion != 0 else { return }
    table.process(info, frame: frame)
    if !table.pending.isEmpty { table.drain(into: &sink) }
}

/// Passes the table's shunt offers to the control thread (a full ring loses the offer: counted;
/// the flow simply stays in userspace).
@inline(__always)
func forwardShunts(_ table: FlowTable, _ control: ThreadControl, _ counters: inout ThreadCounters) {
    if table.shuntRequests.isEmpty { return }
    table.takeShuntRequests { r in
        if control.shunts.push(r) { counters.shuntOffers &+= 1 } else { counters.shuntOffersLost &+= 1 }
    }
}

/// How often an idle packet thread ends flows by wall-clock time and publishes its counters.
let idleHousekeepingNs: UInt64 = 100_000_000
/// Times an ingest thread yields to a worker whose ring is full before dropping the frames.
let ringFullYields = 16
/// Batches between two publications of a busy thread's counters.
let publishEveryBatches = 256

/// How a packet thread waits for frames. After its last frame it keeps looking until it has spent
/// `spinNs` looking, with spin-wait hints between looks and a yield every 8th look (a worker that
/// shares the core runs then); only then does it sleep, in poll(2) (an ingest thread) or in short
/// naps (a worker), until frames come. A thread asleep in poll must be woken by the CPU that
/// receives the frames: an inter-processor wake-up paid on the receiving CPU for every burst,
/// which under load costs that CPU more than the frames themselves. Spinning through the gaps of
/// a busy link avoids it; an idle link still lets the thread sleep.
struct IdleWait {
    let spinNs: UInt64
    /// Spin-wait hints between two looks (about 1 µs on current x86 cores, where one PAUSE lasts
    /// ~140 cycles; less on older ones).
    let spinPauses = 20
    /// A gap this long or longer between two looks means the thread was off its CPU (another
    /// thread of the core ran): such a gap counts as this much looking, not as its whole length.
    let offCPUGapNs: UInt64 = 50_000
    /// However little of it was spent looking, the thread sleeps once this much time has passed
    /// since its first empty look, so a busy neighbour on its core cannot keep it up for good.
    let capNs: UInt64
    private var first: UInt64 = 0
    private var last: UInt64 = 0
    private var spent: UInt64 = 0
    private var rounds = 0
    /// Sleeps since the last frame.
    private(set) var sleeps = 0

    init(spinNs: UInt64) {
        self.spinNs = spinNs
        capNs = max(spinNs &* 10, 2_000_000)
    }

    /// Frames came: the next idle spell starts spinning again.
    @inline(__always) mutating func reset() { rounds = 0; sleeps = 0 }

    /// One empty look. Returns true once the spin is over: the caller sleeps (and sleeps at every
    /// later look, until frames come).
    mutating func idle() -> Bool {
        rounds &+= 1
        if rounds <= 32 { return false }
        if sleeps > 0 { sleeps &+= 1; return true }
        let now = monotonicNs()
        if rounds == 33 {
            first = now
            spent = 0
        } else {
            spent &+= min(now &- last, offCPUGapNs)
        }
        last = now
        if spent < spinNs && now &- first < capNs {
            if rounds & 7 == 0 { sched_yield() } else { for _ in 0..<spinPauses { tapline_cpu_relax() } }
            return false
        }
        sleeps &+= 1
        return true
    }
}

/// What a dissecting thread (a run-to-completion queue or a pipeline worker) owns: its flow table,
/// the block it shares with the control thread, and where its frames go to be written.
struct DissectingThread {
    let table: FlowTable
    let control: ThreadControl
    /// Where this thread's frames go to be written (`--pcap`), if anywhere.
    let pcap: PacketQueue?

    init(options: CaptureOptions, index: Int) {
        pcap = index < options.packetQueues.count ? options.packetQueues[index] : nil
        table = FlowTable(config: options.flowTable, worker: UInt16(truncatingIfNeeded: index))
        control = ThreadControl(recordCapacity: options.recordRingCapacity)
    }

    /// Publishes the thread's counters with its table's, for the control thread.
    func publish(_ counters: inout ThreadCounters, backlog: Int = 0) {
        counters.flows = table.stats
        counters.flowsActive = table.count
        counters.l7 = table.l7Stats
        counters.backlog = backlog
        let copy = counters
        control.published.withLock { $0 = copy }
    }

    /// Housekeeping of an idle thread: flows end by wall-clock time, counters are published.
    func housekeep(_ counters: inout ThreadCounters, sink: inout RecordRingSink, backlog: Int = 0) {
        table.expire(upTo: realtimeNs(), into: &sink)
        publish(&counters, backlog: backlog)
    }
}

// MARK: - Run to completion

/// One RX queue, received and dissected on one thread: no rings, no hand-off. Frames go back to
/// the fill ring as soon as they are dissected.
final class RunToCompletionQueue: @unchecked Sendable {
    // @unchecked Sendable: created by the control thread, then used only by its packet thread
    // until `control.finished`; the control thread reads `table` only after that.
    let socket: XSKSocket
    let thread: DissectingThread
    let batchSize: Int
    let dissects: Bool
    let idleSpinNs: UInt64
    var table: FlowTable { thread.table }
    var control: ThreadControl { thread.control }

    init(socket: XSKSocket, options: CaptureOptions, index: Int) {
        self.socket = socket
        dissects = options.dissect
        idleSpinNs = options.idleSpinNs
        thread = DissectingThread(options: options, index: index)
        batchSize = options.batchSize
    }

    func run() {
        let decoder = PacketDecoder()
        var info = PacketInfo()
        var counters = ThreadCounters()
        var sink = RecordRingSink(ring: control.records)
        let frameSize = UInt64(socket.config.frameSize)
        let chunkMask = ~(frameSize - 1)
        if socket.area.node == nil { socket.area.touchPages() }
        var frames = FrameStack(frames: socket.config.frameCount, frameSize: socket.config.frameSize)
        defer { frames.free() }
        frames.refill(socket)
        if socket.fillNeedsWakeup { socket.wakeReceive() }
        control.ready.store(true, ordering: .releasing)
        var batches = 0
        var idle = IdleWait(spinNs: idleSpinNs)
        var lastHousekeeping = monotonicNs()
        var stopSeen = false
        while true {
            var idx: UInt32 = 0
            let n = socket.peekReceived(max: UInt32(batchSize), index: &idx)
            if n == 0 {
                if stopSeen { break }
                // The control thread detaches the prefilter before asking to stop, so once the
                // stop is seen, one more empty look at the ring means everything is in.
                if control.stop.load(ordering: .acquiring) { stopSeen = true; continue }
                frames.refill(socket)
                if socket.fillNeedsWakeup { socket.wakeReceive() }
                counters.idleWaits &+= 1
                if idle.idle() { socket.waitReceive(milliseconds: 1) }
                let t = monotonicNs()
                if t &- lastHousekeeping >= idleHousekeepingNs {
                    lastHousekeeping = t
                    thread.housekeep(&counters, sink: &sink)
                }
                continue
            }
            idle.reset()
            let now = realtimeNs()
            // The kernel wrote these frames on another CPU: ask for every head at once, so the
            // misses overlap instead of each dissection waiting for its own.
            if dissects { for i in 0..<n { tapline_prefetch(socket.frame(socket.received(idx &+ i).address)) } }
            for i in 0..<n {
                let d = socket.received(idx &+ i)
                counters.received &+= 1
                counters.receivedBytes &+= UInt64(d.length)
                if dissects {
                    let frame = UnsafeRawBufferPointer(start: socket.frame(d.address), count: Int(d.length))
                    dissect(frame, at: now, decoder: decoder, info: &info, table: table, counters: &counters, sink: &sink,
                            pcap: thread.pcap)
                } else {
                    counters.rxdropped &+= 1
                }
                frames.push(d.address & chunkMask)
            }
            socket.releaseReceived(n)
            forwardShunts(table, control, &counters)
            frames.refill(socket)
            if socket.fillNeedsWakeup { socket.wakeReceive() }
            batches &+= 1
            if batches % publishEveryBatches == 0 { thread.publish(&counters) }
        }
        table.flush(into: &sink)
        thread.publish(&counters)
        control.finished.store(true, ordering: .releasing)
    }
}

// MARK: - Pipeline

/// A frame handed from an ingest thread to a worker: its UMEM address (packet data, not the
/// chunk) in the high 48 bits and its length in the low 16.
@inline(__always) func descriptor(address: UInt64, length: UInt32) -> UInt64 { address << 16 | UInt64(length & 0xffff) }

/// One RX queue's ingest thread in pipeline mode: receives a batch, picks each frame's worker by
/// the symmetric flow hash (from the prefilter's metadata when present, else computed here), and
/// passes descriptors — not frames — through one SPSC ring per worker. Frames come back through
/// a return ring per worker and go to the fill ring again. A full worker ring drops the frame
/// (counted per queue).
final class PipelineIngest: @unchecked Sendable {
    // @unchecked Sendable: see RunToCompletionQueue; the rings carry the hand-off.
    let socket: XSKSocket
    let control: ThreadControl
    let batchSize: Int
    let idleSpinNs: UInt64
    /// To each worker, and back from each worker.
    let toWorker: [SPSCRing<UInt64>]
    let fromWorker: [SPSCRing<UInt64>]

    init(socket: XSKSocket, options: CaptureOptions) {
        self.socket = socket
        control = ThreadControl(recordCapacity: 16)
        batchSize = options.batchSize
        idleSpinNs = options.idleSpinNs
        toWorker = (0..<options.workers).map { _ in SPSCRing(minimumCapacity: options.ringCapacity) }
        fromWorker = (0..<options.workers).map { _ in SPSCRing(minimumCapacity: options.socket.frameCount) }
    }

    func run() {
        let workers = toWorker.count
        let decoder = PacketDecoder()
        var info = PacketInfo()
        var counters = ThreadCounters()
        let frameSize = UInt64(socket.config.frameSize)
        let chunkMask = ~(frameSize - 1)
        if socket.area.node == nil { socket.area.touchPages() }
        var frames = FrameStack(frames: socket.config.frameCount, frameSize: socket.config.frameSize)
        let staged = UnsafeMutablePointer<UInt64>.allocate(capacity: workers * batchSize)
        var stagedCount = [Int](repeating: 0, count: workers)
        let back = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 512)
        defer { frames.free(); staged.deallocate(); back.deallocate() }
        let metaSize = UInt64(MemoryLayout<tl_xdp_meta>.size)
        frames.refill(socket)
        if socket.fillNeedsWakeup { socket.wakeReceive() }
        control.ready.store(true, ordering: .releasing)
        var batches = 0
        var idle = IdleWait(spinNs: idleSpinNs)
        var lastPublish = monotonicNs()
        var stopSeen = false

        func reclaim() {
            for w in 0..<workers {
                while true {
                    let got = fromWorker[w].pop(into: back)
                    if got == 0 { break }
                    for k in 0..<got { frames.push(back[k]) }
                }
            }
        }

        while true {
            var idx: UInt32 = 0
            let n = socket.peekReceived(max: UInt32(batchSize), index: &idx)
            if n == 0 {
                if stopSeen { break }
                if control.stop.load(ordering: .acquiring) { stopSeen = true; continue }
                reclaim()
                frames.refill(socket)
                if socket.fillNeedsWakeup { socket.wakeReceive() }
                counters.idleWaits &+= 1
                if idle.idle() { socket.waitReceive(milliseconds: 1) }
                let t = monotonicNs()
                if t &- lastPublish >= idleHousekeepingNs { lastPublish = t; publish(counters) }
                continue
            }
            idle.reset()
            if workers == 1 {
                // One worker takes every frame: no hash to read, so the ingest thread never
                // touches the frames (the worker's reads are its only cache misses on them).
                for i in 0..<n {
                    let d = socket.received(idx &+ i)
                    counters.received &+= 1
                    counters.receivedBytes &+= UInt64(d.length)
                    staged[stagedCount[0]] = descriptor(address: d.address, length: d.length)
                    stagedCount[0] += 1
                }
            } else {
                // The metadata lines were written on another CPU: ask for all of them at once.
                for i in 0..<n { tapline_prefetch(socket.frame(socket.received(idx &+ i).address) - Int(metaSize)) }
                for i in 0..<n {
                    let d = socket.received(idx &+ i)
                    counters.received &+= 1
                    counters.receivedBytes &+= UInt64(d.length)
                    let frame = socket.frame(d.address)
                    var hash: UInt64 = 0
                    var hashed = false
                    if d.address & ~chunkMask >= metaSize {
                        let meta = (frame - Int(metaSize)).loadUnaligned(as: tl_xdp_meta.self)
                        if meta.magic == TL_META_MAGIC { hash = meta.flow_hash; hashed = true }
                    }
                    if !hashed {
                        // No metadata (another XDP program, or the copy did not carry it): decode here.
                        do {
                            try decoder.decode(UnsafeRawBufferPointer(start: frame, count: Int(d.length)),
                                               linkType: .ethernet, into: &info)
                            if info.ipVersion != 0 { hash = FlowHash.symmetric(info.src, info.dst, proto: info.ipProto) }
                        } catch {}
                    }
                    let w = Int(hash % UInt64(workers))
                    staged[w * batchSize + stagedCount[w]] = descriptor(address: d.address, length: d.length)
                    stagedCount[w] += 1
                }
            }
            socket.releaseReceived(n)
            for w in 0..<workers where stagedCount[w] > 0 {
                let c = stagedCount[w]
                let base = staged + w * batchSize
                var pushed = toWorker[w].push(contentsOf: UnsafeBufferPointer(start: base, count: c))
                // A full ring: give the worker the CPU a few times before dropping (when they
                // share a core, only the worker empties it; meanwhile new frames wait in the RX
                // ring, where a drop by the kernel costs less than a frame taken and dropped here).
                var yields = 0
                while pushed < c && yields < ringFullYields {
                    sched_yield()
                    yields += 1
                    pushed += toWorker[w].push(contentsOf: UnsafeBufferPointer(start: base + pushed, count: c - pushed))
                }
                counters.handedOff &+= UInt64(pushed)
                if pushed < c {
                    counters.ringOverflow &+= UInt64(c - pushed)
                    for k in pushed..<c { frames.push((base[k] >> 16) & chunkMask) }
                }
                stagedCount[w] = 0
            }
            reclaim()
            frames.refill(socket)
            if socket.fillNeedsWakeup { socket.wakeReceive() }
            batches &+= 1
            if batches % publishEveryBatches == 0 { publish(counters) }
        }
        publish(counters)
        control.finished.store(true, ordering: .releasing)
    }

    private func publish(_ counters: ThreadCounters) {
        control.published.withLock { $0 = counters }
    }
}

/// A pipeline worker: takes descriptors from every ingest thread's ring, dissects the frames in
/// place in their UMEM, and returns each frame to the ring of the ingest thread it came from.
final class PipelineWorker: @unchecked Sendable {
    // @unchecked Sendable: see RunToCompletionQueue.
    let index: Int
    let thread: DissectingThread
    let ingests: [PipelineIngest]
    let batchSize: Int
    let idleSpinNs: UInt64
    var table: FlowTable { thread.table }
    var control: ThreadControl { thread.control }

    init(index: Int, ingests: [PipelineIngest], options: CaptureOptions) {
        self.index = index
        idleSpinNs = options.idleSpinNs
        self.ingests = ingests
        thread = DissectingThread(options: options, index: index)
        batchSize = options.batchSize
    }

    func run() {
        let decoder = PacketDecoder()
        var info = PacketInfo()
        var counters = ThreadCounters()
        var sink = RecordRingSink(ring: control.records)
        let inbound = ingests.map { $0.toWorker[index] }
        let outbound = ingests.map { $0.fromWorker[index] }
        let bases = ingests.map { $0.socket.area.base }
        let chunkMask = ingests.map { ~(UInt64($0.socket.config.frameSize) - 1) }
        let batch = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: batchSize)
        defer { batch.deallocate() }
        var idle = IdleWait(spinNs: idleSpinNs)
        var batches = 0
        var lastHousekeeping = monotonicNs()
        while true {
            var total = 0
            for q in 0..<inbound.count {
                let n = inbound[q].pop(into: batch)
                if n == 0 { continue }
                total += n
                let now = realtimeNs()
                for k in 0..<n { tapline_prefetch(bases[q] + Int(batch[k] >> 16)) }
                for k in 0..<n {
                    let d = batch[k]
                    let address = d >> 16
                    let frame = UnsafeRawBufferPointer(start: bases[q] + Int(address), count: Int(d & 0xffff))
                    dissect(frame, at: now, decoder: decoder, info: &info, table: table, counters: &counters, sink: &sink,
                            pcap: thread.pcap)
                    batch[k] = address & chunkMask[q]
                }
                // The return ring holds every frame of the UMEM, so this always fits.
                var done = 0
                while done < n {
                    done += outbound[q].push(contentsOf: UnsafeBufferPointer(rebasing: batch[done..<n]))
                }
            }
            if total > 0 {
                forwardShunts(table, control, &counters)
                idle.reset()
                batches &+= 1
                if batches % publishEveryBatches == 0 { thread.publish(&counters, backlog: backlog(inbound)) }
                continue
            }
            if ingests.allSatisfy({ $0.control.finished.load(ordering: .acquiring) })
                && inbound.allSatisfy({ $0.isEmpty }) { break }
            counters.idleWaits &+= 1
            if idle.idle() { usleep(idle.sleeps < 1000 ? 20 : 200) }
            let t = monotonicNs()
            if t &- lastHousekeeping >= idleHousekeepingNs {
                lastHousekeeping = t
                thread.housekeep(&counters, sink: &sink, backlog: backlog(inbound))
            }
        }
        table.flush(into: &sink)
        thread.publish(&counters, backlog: backlog(inbound))
        control.finished.store(true, ordering: .releasing)
    }

    /// Descriptors waiting in this worker's rings.
    private func backlog(_ inbound: [SPSCRing<UInt64>]) -> Int { inbound.reduce(0) { $0 + $1.count } }
}
