#if canImport(Glibc)
import Glibc
#endif

/// Monotonic time in nanoseconds, for rates and progress (never for flow timing, which uses packet time).
public func monotonicNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Wall-clock time in nanoseconds since the epoch: the arrival time stamped on live packets
/// (read once per batch, not per packet).
@inline(__always)
public func realtimeNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Size of a file in bytes, or 0 when it cannot be read (the reader reports the error).
func fileSize(_ path: String) -> UInt64 {
    var st = stat()
    return stat(path, &st) == 0 ? UInt64(st.st_size) : 0
}

/// Writes text to standard error (fd 2) directly: C's `stderr` global is not concurrency-safe in Swift 6.
public func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + done, $0.count - done) }
        if n < 0 { if errno == EINTR { continue }; return }
        done += n
    }
}
