import Synchronization
import PacketCore
import Rings
import Dissect
public import FlowTrack
import Export
import Ingest
#if canImport(Glibc)
import Glibc
#endif

/// Runs the dissection pipeline over capture files: the reader plays the ingest thread's part,
/// decodes L2–L4 once, and spreads packets over workers by a symmetric address hash, so both
/// directions of a flow (and its IP fragments) reach the same worker.
public enum FileAnalysis {
    /// Reads `paths` in order and sends every flow record to `output` (on the calling thread).
    /// File errors end that file only; they are returned in the report, and flows are flushed as usual.
    public static func run<Output: FlowRecordSink>(paths: [String], options: AnalysisOptions,
                                                   output: inout Output) throws(SystemCallError) -> AnalysisReport {
        let start = monotonicNs()
        var report = AnalysisReport()
        report.workers = max(1, options.workers)
        report.files = paths.count
        if report.workers == 1 {
            runInline(paths: paths, options: options, output: &output, report: &report)
        } else {
            try runPipeline(paths: paths, options: options, output: &output, report: &report)
        }
        report.elapsedNs = monotonicNs() - start
        options.statsBoard?.update { s in
            s.decode = report.decode; s.flows = report.flows; s.records = report.records
            s.workers = report.workers; s.flowsActive = 0; s.finished = true
            s.flowCapacity = options.flowTable.capacity * report.workers
        }
        return report
    }

    /// Counts records passed to the caller's output.
    struct CountingSink<Inner: FlowRecordSink>: FlowRecordSink {
        var inner: Inner
        var count: UInt64 = 0
        var apps = AppCounts()
        mutating func emit(_ record: FlowRecord) {
            count += 1
            apps.count(record.meta)
            inner.emit(record)
        }
    }

    // MARK: One worker: run to completion on the calling thread.

    static func runInline<Output: FlowRecordSink>(paths: [String], options: AnalysisOptions,
                                                  output: inout Output, report: inout AnalysisReport) {
        let table = FlowTable(config: options.flowTable, worker: 0)
        // The table's per-packet call is not generic; records go on to the caller's output once
        // per record, not per packet.
        var sink = CountingSink(inner: output)
        forEachDecodedPacket(paths: paths, options: options, report: &report) { info, frame in
            table.process(info, frame: frame)
            if !table.pending.isEmpty { table.drain(into: &sink) }
            return false
        } idle: {
            options.statsBoard?.update { s in
                s.flows = table.stats; s.flowsActive = table.count; s.records = sink.count
                s.flowCapacity = options.flowTable.capacity
            }
        }
        table.flush(into: &sink)
        report.flows = table.stats
        report.l7.add(table.l7Stats)
        report.records = sink.count
        report.apps = sink.apps
        output = sink.inner
    }

    // MARK: Several workers: reader → SPSC rings → pinned worker threads.

    static func runPipeline<Output: FlowRecordSink>(paths: [String], options: AnalysisOptions,
                                                    output: inout Output,
                                                    report: inout AnalysisReport) throws(SystemCallError) {
        let n = report.workers
        let workers = (0..<n).map { Worker(index: $0, options: options) }
        var threads: [PinnedThread] = []
        var startError: SystemCallError?
        for w in workers {
            let cpu: Int? = options.pin
                ? (options.cores.map { $0[w.index % $0.count] } ?? CPUPlan.defaultCPU(worker: w.index, of: n))
                : nil
            do {
                threads.append(try PinnedThread(name: "tapline-w\(w.index)", cpu: cpu) { w.run() })
            } catch {
                startError = error
                break
            }
        }

        // Reader-side state per worker: free slots and the batch being filled.
        let batchSize = Worker.batchSize
        var free: [[UInt32]] = workers.map { w in (0..<UInt32(w.slotCount)).reversed().map { $0 } }
        var pending: [[UInt32]] = workers.map { _ in
            var a = [UInt32](); a.reserveCapacity(batchSize); return a
        }
        let returnBuffer = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 4096)
        let recordBuffer = UnsafeMutableBufferPointer<FlowRecord>.allocate(capacity: 256)
        defer { returnBuffer.deallocate(); recordBuffer.deallocate() }
        var sink = CountingSink(inner: output)

        func drainRecords() {
            for w in workers {
                while true {
                    let got = w.records.pop(into: recordBuffer)
                    if got == 0 { break }
                    for k in 0..<got { sink.emit(recordBuffer[k]) }
                }
            }
        }
        func reclaim(_ w: Int) {
            while true {
                let got = workers[w].returned.pop(into: returnBuffer)
                if got == 0 { break }
                free[w].append(contentsOf: returnBuffer[0..<got])
            }
        }
        func push(_ w: Int) {
            var done = 0
            var backoff = Backoff()
            pending[w].withUnsafeBufferPointer { batch in
                while done < batch.count {
                    let k = workers[w].inbound.push(contentsOf: UnsafeBufferPointer(rebasing: batch[done...]))
                    done += k
                    if k == 0 { drainRecords(); backoff.wait() }
                }
            }
            pending[w].removeAll(keepingCapacity: true)
        }

        if startError == nil {
            let slotSize = options.slotSize
            forEachDecodedPacket(paths: paths, options: options, report: &report) { info, frame in
                let w = n == 1 ? 0 : Int(FlowHash.symmetric(info.src, info.dst, proto: info.ipProto) % UInt64(n))
                if free[w].isEmpty {
                    reclaim(w)
                    var backoff = Backoff()
                    while free[w].isEmpty {
                        if !pending[w].isEmpty { push(w) }
                        drainRecords()
                        backoff.wait()
                        reclaim(w)
                    }
                }
                let s = free[w].removeLast()
                let worker = workers[w]
                let kept = min(frame.count, slotSize)
                if kept > 0 { worker.slot(s).copyMemory(from: frame.baseAddress!, byteCount: kept) }
                worker.infos[Int(s)] = info
                pending[w].append(s)
                if pending[w].count == batchSize { push(w) }
                return kept < frame.count
            } idle: {
                drainRecords()
                if let board = options.statsBoard {
                    var flows = FlowTableStats()
                    var active = 0
                    for w in workers {
                        let p = w.published.withLock { $0 }
                        flows.add(p.stats); active += p.active
                    }
                    board.update { s in
                        s.records = sink.count; s.workers = n; s.flows = flows; s.flowsActive = active
                        s.flowCapacity = options.flowTable.capacity * n
                    }
                }
            }
        }
        for w in 0..<n where !pending[w].isEmpty { push(w) }
        for w in workers { w.inputDone.store(true, ordering: .releasing) }

        // Drain until every worker has flushed its flows and its record ring is empty.
        var backoff = Backoff()
        while true {
            drainRecords()
            if workers.allSatisfy({ $0.finished.load(ordering: .acquiring) && $0.records.isEmpty }) { break }
            backoff.wait()
        }
        for t in threads { t.join() }
        drainRecords()
        for w in workers { report.flows.add(w.table.stats); report.l7.add(w.table.l7Stats) }
        report.records = sink.count
        report.apps = sink.apps
        output = sink.inner
        if let startError { throw startError }
    }

    // MARK: The reader

    /// Reads every file, decodes each frame into one reused `PacketInfo`, counts it, and hands IP
    /// packets to `body`. `body` returns true when it kept only part of the frame. `idle` runs
    /// every few thousand packets (to drain output while reading).
    static func forEachDecodedPacket(paths: [String], options: AnalysisOptions, report: inout AnalysisReport,
                                     _ body: (borrowing PacketInfo, UnsafeRawBufferPointer) -> Bool,
                                     idle: () -> Void) {
        let decoder = PacketDecoder()
        var info = PacketInfo()
        var progress: ProgressBar? = options.progress
            ? ProgressBar(totalBytes: paths.reduce(0) { $0 + fileSize($1) }) : nil
        var bytesBefore: UInt64 = 0
        var sinceIdle = 0
        for path in paths {
            let reader: CaptureFileReader
            do {
                reader = try CaptureFileReader(path: path)
            } catch {
                report.fileErrors.append(error)
                continue
            }
            while true {
                let packet: CapturedPacket
                do {
                    guard let p = try reader.next() else { break }
                    packet = p
                } catch {
                    report.fileErrors.append(error)
                    break
                }
                report.decode.packets &+= 1
                report.decode.bytes &+= UInt64(packet.wireLength)
                // The decoder clears every other field.
                info.timestampNs = packet.timestampNs
                info.wireLength = packet.wireLength
                info.capturedLength = packet.capturedLength
                do {
                    try decoder.decode(packet.bytes, linkType: packet.linkType, into: &info)
                } catch {
                    report.decode.count(error)
                    options.packetQueue?.offer(packet.bytes, timestampNs: packet.timestampNs,
                                               originalLength: packet.wireLength, linkType: packet.linkType, flowHash: 0)
                    continue
                }
                report.decode.count(info)
                if let queue = options.packetQueue {
                    queue.offer(packet.bytes, timestampNs: packet.timestampNs, originalLength: packet.wireLength,
                                linkType: packet.linkType, flowHash: PacketQueue.flowKey(info))
                }
                if info.ipVersion != 0, body(info, packet.bytes) {
                    report.decode.clippedToSlot &+= 1
                }
                sinceIdle += 1
                if sinceIdle == 4096 {
                    sinceIdle = 0
                    idle()
                    options.statsBoard?.update { $0.decode = report.decode }
                    progress?.update(bytes: bytesBefore + reader.bytesConsumed, packets: report.decode.packets)
                }
            }
            bytesBefore += reader.fileSize
        }
        progress?.finish()
    }
}

