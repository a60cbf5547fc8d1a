#if canImport(Glibc)
import Glibc
#endif

/// Waiting for another thread: spin briefly, then yield, then sleep in short steps, so an idle
/// thread does not steal a core from a busy one (these machines may have fewer cores than threads).
public struct Backoff {
    public init() {}
    private var rounds = 0

    public mutating func reset() { rounds = 0 }

    public mutating func wait() {
        rounds += 1
        if rounds < 64 { return }
        if rounds < 128 { sched_yield(); return }
        usleep(rounds < 1024 ? 20 : 200)
    }
}
