#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on standard error, redrawn at most a few times a second.
struct ProgressBar {
    let totalBytes: UInt64
    let startNs: UInt64
    private var lastDrawNs: UInt64 = 0
    private(set) var drawn = false

    init(totalBytes: UInt64) {
        self.totalBytes = max(totalBytes, 1)
        startNs = monotonicNs()
    }

    mutating func update(bytes: UInt64, packets: UInt64) {
        let now = monotonicNs()
        if now - lastDrawNs < 250_000_000 { return }
        lastDrawNs = now
        let fraction = min(1.0, Double(bytes) / Double(totalBytes))
        let elapsed = Double(now - startNs) / 1e9
        let rate = elapsed > 0 ? Double(packets) / elapsed : 0
        let eta = fraction > 0.001 ? elapsed / fraction - elapsed : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        let line = "\r[\(bar)] \(Int(fraction * 100))%  \(Self.format(rate)) pkt/s  ETA \(Int(eta.rounded())) s  "
        writeStandardError(line)
        drawn = true
    }

    mutating func finish() {
        if drawn { writeStandardError("\r" + String(repeating: " ", count: 72) + "\r") }
    }

    static func format(_ v: Double) -> String {
        if v >= 1e6 { return "\(Double(Int(v / 1e4)) / 100) M" }
        if v >= 1e3 { return "\(Double(Int(v / 10)) / 100) k" }
        return "\(Int(v))"
    }
}
