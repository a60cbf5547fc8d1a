import Ingest
import Synchronization
import XSK
#if canImport(Glibc)
import Glibc
#endif

/// Where a queue's frames come from.
enum FrameSource {
    /// Frame i of the share sits at UMEM offset i × frameSize (capture times only for file timing).
    case preloaded(lengths: [UInt32], captures: [UInt64])
    /// Read from the file on every pass, copied into frames recycled from the completion ring.
    case streamed(path: String)
}

/// One TX queue's loop, on its own thread: stage up to a batch of frames, let the pacing decide
/// how many go now, put them on the TX ring, wake the kernel, take completions back.
/// Nothing allocates once `run` starts; every buffer is sized by the config at init.
final class QueueTransmitter {
    let socket: XSKSocket
    let counters: QueueCounters
    let stopFlag: StopFlag
    let source: FrameSource
    let queueIndex: Int
    let queueCount: Int
    let loops: Int
    let batch: Int
    let frameSize: Int
    var bucket: TokenBucket?
    let pacer: FilePacer?

    // The stage: frames chosen and (when streaming) copied, not yet on the ring.
    let stageAddress: UnsafeMutablePointer<UInt64>
    let stageLength: UnsafeMutablePointer<UInt32>
    let stageDue: UnsafeMutablePointer<UInt64>
    var stageHead = 0
    var stageCount = 0
    var exhausted = false

    // Preloaded: the next frame of the share and the pass it belongs to.
    var position = 0
    var loop = 0

    // Streamed: the reader of the current pass, the eligible-frame index within it, free frames.
    var reader: CaptureFileReader?
    var eligibleIndex = 0
    var takenThisPass = 0
    let free: UnsafeMutablePointer<UInt64>
    var freeCount = 0
    let completions: UnsafeMutablePointer<UInt64>
    let completionCapacity: Int

    var offered: UInt64 = 0
    var offeredBytes: UInt64 = 0
    var completed: UInt64 = 0
    var hardKickFailuresInARow = 0

    /// Consecutive hard wake-up failures after which the queue gives up (the interface is gone).
    static let hardKickFailureLimit = 10_000
    /// How long the end waits for completions that make no progress.
    static let drainPatienceNs: UInt64 = 1_000_000_000

    init(socket: XSKSocket, counters: QueueCounters, stop: StopFlag, source: FrameSource, queueIndex: Int,
         queueCount: Int, config: ReplayConfig, bucket: TokenBucket?, pacer: FilePacer?) {
        self.socket = socket
        self.counters = counters
        self.stopFlag = stop
        self.source = source
        self.queueIndex = queueIndex
        self.queueCount = queueCount
        self.loops = config.loops
        self.batch = config.batch
        self.frameSize = config.frameSize
        self.bucket = bucket
        self.pacer = pacer
        stageAddress = .allocate(capacity: batch)
        stageLength = .allocate(capacity: batch)
        stageDue = .allocate(capacity: batch)
        completionCapacity = socket.config.completionSize
        completions = .allocate(capacity: completionCapacity)
        let frames = config.framesPerQueue
        free = .allocate(capacity: frames)
        if case .streamed = source {
            for i in 0..<frames { free[i] = UInt64(i * frameSize) }
            freeCount = frames
        }
    }

    deinit {
        stageAddress.deallocate(); stageLength.deallocate(); stageDue.deallocate()
        completions.deallocate(); free.deallocate()
    }

    func run() {
        while !stopFlag.isSet {
            refillStage()
            if exhausted && stageCount == 0 { break }
            let now = ReplayClock.now()
            var wakeAt: UInt64 = 0
            var allowed = stageCount
            if var b = bucket {
                // Batch-granular: wait until the whole stage may go.
                if b.available(now: now) < stageCount {
                    allowed = 0
                    wakeAt = b.last &+ b.nanosecondsUntil(stageCount)
                }
                bucket = b
            } else if pacer != nil {
                var k = 0
                while k < stageCount && stageDue[stageHead + k] <= now { k += 1 }
                allowed = k
                if k == 0 && stageCount > 0 { wakeAt = stageDue[stageHead] }
            }
            if allowed > 0 { allowed = min(allowed, Int(socket.transmitSpace)) }
            if allowed > 0 { put(allowed, now: now) }
            let pending = socket.transmitPending
            if pending && socket.transmitNeedsWakeup { kick() }
            reap()
            if hardKickFailuresInARow >= Self.hardKickFailureLimit { break }
            if allowed == 0 && !pending {
                if wakeAt > now &+ 20_000 {
                    ReplayClock.sleep(until: wakeAt)
                } else if wakeAt == 0 {
                    // Waiting for frames to come back (streaming) or for ring space.
                    sched_yield()
                }
            }
        }
        drain()
        counters.finished.store(true, ordering: .releasing)
    }

    /// Puts `n` staged frames on the TX ring.
    @inline(__always)
    func put(_ n: Int, now: UInt64) {
        var index: UInt32 = 0
        let got = socket.reserveTransmit(UInt32(n), index: &index)
        guard got == UInt32(n) else { return }
        var bytes: UInt64 = 0
        for i in 0..<n {
            let s = stageHead + i
            socket.setTransmit(index &+ UInt32(i), address: stageAddress[s], length: stageLength[s])
            bytes &+= UInt64(stageLength[s])
        }
        socket.submitTransmit(got)
        bucket?.consume(n)
        stageHead += n
        stageCount -= n
        if offered == 0 { counters.firstOffer.store(now, ordering: .relaxed) }
        offered &+= UInt64(n)
        offeredBytes &+= bytes
        counters.offered.store(offered, ordering: .relaxed)
        counters.offeredBytes.store(offeredBytes, ordering: .relaxed)
        counters.lastOffer.store(now, ordering: .relaxed)
    }

    @inline(__always)
    func kick() {
        let rc = socket.kickTransmit()
        if rc == 0 { hardKickFailuresInARow = 0; return }
        if rc == EAGAIN || rc == EBUSY || rc == ENOBUFS || rc == EINTR {
            counters.kickRetries.add(1, ordering: .relaxed)
            return
        }
        counters.kickErrors.add(1, ordering: .relaxed)
        counters.lastKickErrno.store(rc, ordering: .relaxed)
        hardKickFailuresInARow += 1
        if hardKickFailuresInARow == Self.hardKickFailureLimit {
            counters.failure.withLock {
                $0 = "queue \(queueIndex): waking the kernel failed \(Self.hardKickFailureLimit) times in a row: "
                    + String(cString: strerror(rc))
            }
        }
    }

    @inline(__always)
    func reap() {
        let n = socket.takeCompleted(max: UInt32(completionCapacity), into: completions)
        guard n > 0 else { return }
        if case .streamed = source {
            for i in 0..<n { free[freeCount + i] = completions[i] }
            freeCount += n
        }
        completed &+= UInt64(n)
        counters.completed.store(completed, ordering: .relaxed)
    }

    /// Waits for the frames on the ring to complete (or for patience to run out).
    func drain() {
        var lastProgress = ReplayClock.now()
        var seen = completed
        while completed < offered {
            if socket.transmitPending && socket.transmitNeedsWakeup { kick() }
            reap()
            let now = ReplayClock.now()
            if completed != seen {
                seen = completed; lastProgress = now
            } else if now - lastProgress > Self.drainPatienceNs || hardKickFailuresInARow >= Self.hardKickFailureLimit {
                break
            } else {
                ReplayClock.sleep(until: now + 50_000)
            }
        }
        counters.abandoned.store(offered - completed, ordering: .relaxed)
    }

    // MARK: Staging

    func refillStage() {
        if stageHead > 0 {
            for i in 0..<stageCount {
                stageAddress[i] = stageAddress[stageHead + i]
                stageLength[i] = stageLength[stageHead + i]
                stageDue[i] = stageDue[stageHead + i]
            }
            stageHead = 0
        }
        switch source {
        case .preloaded(let lengths, let captures):
            let n = lengths.count
            if n == 0 { exhausted = true; return }
            lengths.withUnsafeBufferPointer { len in
                captures.withUnsafeBufferPointer { cap in
                    while stageCount < batch && !exhausted {
                        stageAddress[stageCount] = UInt64(position * frameSize)
                        stageLength[stageCount] = len[position]
                        if let pacer { stageDue[stageCount] = pacer.due(capture: cap[position], loop: loop) }
                        stageCount += 1
                        position += 1
                        if position == n {
                            position = 0
                            loop += 1
                            if loops != 0 && loop >= loops { exhausted = true }
                        }
                    }
                }
            }
        case .streamed(let path):
            while stageCount < batch && !exhausted && freeCount > 0 {
                guard let p = nextPacket(path: path) else { break }
                freeCount -= 1
                let address = free[freeCount]
                memcpy(socket.frame(address), p.bytes.baseAddress!, Int(p.capturedLength))
                stageAddress[stageCount] = address
                stageLength[stageCount] = p.capturedLength
                if let pacer { stageDue[stageCount] = pacer.due(capture: p.timestampNs, loop: loop) }
                stageCount += 1
            }
        }
    }

    /// The next frame of this queue's share (streaming), opening the file again for each pass.
    func nextPacket(path: String) -> CapturedPacket? {
        while true {
            if reader == nil {
                do {
                    reader = try CaptureFileReader(path: path)
                } catch {
                    fail("reading \(path) again: \(error)")
                    return nil
                }
                eligibleIndex = 0
                takenThisPass = 0
            }
            let packet: CapturedPacket?
            do {
                packet = try reader!.next()
            } catch {
                fail("\(error)")
                return nil
            }
            guard let p = packet else {
                reader = nil
                loop += 1
                // A share with no frames would loop forever with --loop 0.
                if (loops != 0 && loop >= loops) || takenThisPass == 0 { exhausted = true; return nil }
                continue
            }
            if ReplayScan.skipReason(p, frameSize: frameSize) != nil { continue }
            let k = eligibleIndex
            eligibleIndex += 1
            if k % queueCount != queueIndex { continue }
            takenThisPass += 1
            return p
        }
    }

    func fail(_ message: String) {
        counters.failure.withLock { $0 = "queue \(queueIndex): \(message)" }
        exhausted = true
    }
}

/// Set once to stop every queue thread (SIGINT, an error elsewhere).
public final class StopFlag: Sendable {
    let flag = Atomic<Bool>(false)
    public init() {}
    public func set() { flag.store(true, ordering: .relaxed) }
    public var isSet: Bool { flag.load(ordering: .relaxed) }
}
