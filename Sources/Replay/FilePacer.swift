/// File timing: when a packet is due on the monotonic clock, given its capture time, the loop it
/// belongs to and a speed factor (1 = as captured, 2 = twice as fast). Pure.
///
/// Loop k starts one `period` after loop k−1: the file's span plus one mean gap between packets,
/// so the last packet of a loop and the first of the next are as far apart as an average pair.
/// Capture times earlier than the first packet's (files are not always in order) count as the
/// first packet's time: such packets are due at once.
public struct FilePacer: Sendable, Equatable {
    public let start: UInt64
    public let firstCapture: UInt64
    /// Capture-time nanoseconds between the starts of two loops.
    public let period: UInt64
    public let speed: Double

    public init(start: UInt64, firstCapture: UInt64, lastCapture: UInt64, packets: Int, speed: Double) {
        precondition(speed > 0)
        self.start = start
        self.firstCapture = firstCapture
        self.speed = speed
        let span = lastCapture > firstCapture ? lastCapture - firstCapture : 0
        period = span + (packets > 1 ? span / UInt64(packets - 1) : 0)
    }

    /// The monotonic time at which a packet captured at `capture` is due in loop `loop` (from 0).
    @inline(__always)
    public func due(capture: UInt64, loop: Int) -> UInt64 {
        let offset = (capture > firstCapture ? capture - firstCapture : 0) &+ UInt64(loop) &* period
        return start &+ UInt64(Double(offset) / speed)
    }
}
