import Synchronization
import PacketCore
import Rings
import FlowTrack

/// One dissection worker: owns a flow table, a slot pool, and the rings to and from the reader.
///
/// The reader copies a frame into one of this worker's slots, stores its decoded `PacketInfo`
/// beside it, and passes the slot index through `inbound`; the worker counts it to its flow and
/// hands the slot back through `returned` (the same shape as AF_XDP UMEM frames and their fill
/// ring). Ended flows leave through `records`. Nothing here allocates or locks once running.
final class Worker: @unchecked Sendable {
    // @unchecked Sendable: each ring has one producer and one consumer thread; the slot memory is
    // handed over through the rings' acquire/release ordering; `table` is touched only by the
    // worker thread while it runs and by the reader after `finished` is seen.
    let index: Int
    let table: FlowTable
    let inbound: SPSCRing<UInt32>
    let returned: SPSCRing<UInt32>
    let records: SPSCRing<FlowRecord>
    let slotCount: Int
    let slotSize: Int
    let frames: UnsafeMutableRawPointer
    let infos: UnsafeMutablePointer<PacketInfo>
    let inputDone = Atomic<Bool>(false)
    let finished = Atomic<Bool>(false)
    /// The table's counters and occupancy, copied every `publishEvery` batches (and at the end) for
    /// metrics readers on other threads: a lock per ~4096 packets, none per packet.
    let published = Mutex<(stats: FlowTableStats, active: Int)>((FlowTableStats(), 0))
    static let publishEvery = 128
    /// Times the worker found its inbound ring empty and backed off (a load indicator).
    private(set) var idleSpins: UInt64 = 0

    static let batchSize = 32

    init(index: Int, options: AnalysisOptions) {
        self.index = index
        table = FlowTable(config: options.flowTable, worker: UInt16(truncatingIfNeeded: index))
        inbound = SPSCRing(minimumCapacity: options.ringCapacity)
        slotCount = inbound.capacity
        returned = SPSCRing(minimumCapacity: slotCount)
        records = SPSCRing(minimumCapacity: options.recordRingCapacity)
        slotSize = options.slotSize
        frames = .allocate(byteCount: slotCount * slotSize, alignment: 64)
        infos = .allocate(capacity: slotCount)
        infos.initialize(repeating: PacketInfo(), count: slotCount)
    }

    deinit {
        frames.deallocate()
        infos.deallocate()
    }

    /// Slot `i`'s frame bytes.
    @inline(__always)
    func slot(_ i: UInt32) -> UnsafeMutableRawPointer { frames + Int(i) * slotSize }

    /// The worker thread's loop: runs until the reader says the input is done and the ring is empty,
    /// then flushes every flow.
    func run() {
        let batch = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: Worker.batchSize)
        defer { batch.deallocate() }
        var sink = RingSink(ring: records)
        var backoff = Backoff()
        var batches = 0
        while true {
            let n = inbound.pop(into: batch)
            if n == 0 {
                if inputDone.load(ordering: .acquiring) && inbound.isEmpty { break }
                idleSpins &+= 1
                backoff.wait()
                continue
            }
            backoff.reset()
            batches &+= 1
            if batches % Worker.publishEvery == 0 {
                let snapshot = (table.stats, table.count)
                published.withLock { $0 = snapshot }
            }
            for k in 0..<n {
                let s = batch[k]
                let info = infos[Int(s)]
                // The reader copied min(captured length, slot size) bytes into the slot.
                let kept = min(Int(info.capturedLength), slotSize)
                table.process(info, frame: UnsafeRawBufferPointer(start: slot(s), count: kept))
                if !table.pending.isEmpty { table.drain(into: &sink) }
            }
            // The return ring holds every slot, so this always fits at once.
            var done = 0
            while done < n {
                done += returned.push(contentsOf: UnsafeBufferPointer(rebasing: batch[done..<n]))
            }
        }
        table.flush(into: &sink)
        let snapshot = (table.stats, table.count)
        published.withLock { $0 = snapshot }
        finished.store(true, ordering: .releasing)
    }
}

/// Puts records on a worker's record ring, waiting while it is full: offline nothing is dropped;
/// the reader drains the ring whenever it waits.
struct RingSink: FlowRecordSink {
    let ring: SPSCRing<FlowRecord>
    mutating func emit(_ record: FlowRecord) {
        var backoff = Backoff()
        while !ring.push(record) { backoff.wait() }
    }
}
