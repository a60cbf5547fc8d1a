import Synchronization

/// One queue thread's running counts, written by that thread once per batch (relaxed: they are
/// read for the once-a-second line and, after `join`, for the final report).
final class QueueCounters: Sendable {
    /// Frames put on the TX ring.
    let offered = Atomic<UInt64>(0)
    let offeredBytes = Atomic<UInt64>(0)
    /// Frames the kernel handed back through the completion ring.
    let completed = Atomic<UInt64>(0)
    /// Wake-ups refused with EAGAIN, EBUSY or ENOBUFS (back-pressure: retried).
    let kickRetries = Atomic<UInt64>(0)
    /// Wake-ups refused with any other error (the interface went down, …).
    let kickErrors = Atomic<UInt64>(0)
    let lastKickErrno = Atomic<Int32>(0)
    /// Frames still on the ring or unacknowledged when the thread gave up waiting for them.
    let abandoned = Atomic<UInt64>(0)
    let finished = Atomic<Bool>(false)
    /// Monotonic ns of the first and last frame put on the ring (0: none yet).
    let firstOffer = Atomic<UInt64>(0)
    let lastOffer = Atomic<UInt64>(0)
    let failure = Mutex<String?>(nil)

    init() {}
}
