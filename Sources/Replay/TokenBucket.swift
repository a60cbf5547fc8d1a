/// A packet-rate limiter on a monotonic nanosecond clock, in integers (no drift, no floats).
///
/// Credit accrues at `rate` packets per second up to `capacity` packets; a packet costs one unit
/// of `unit` (10⁹) credit. The bucket starts empty, so N packets at rate R take N/R seconds, not
/// (N − capacity)/R. Pure: the caller passes the time, so tests drive it with made-up clocks.
public struct TokenBucket: Sendable, Equatable {
    /// Credit per packet: one second in nanoseconds, so credit grows by `rate` per nanosecond.
    static let unit: UInt64 = 1_000_000_000
    /// The highest rate accepted: one packet per nanosecond keeps every product below 2⁶³.
    public static let maximumRate: UInt64 = 1_000_000_000

    public let rate: UInt64
    public let capacity: Int
    /// Accrued credit in packet·nanoseconds/second units, at most `capacity * unit`.
    public private(set) var credit: UInt64 = 0
    /// The clock reading credit was last brought up to.
    public private(set) var last: UInt64

    /// A bucket filling at `rate` packets/s (1…`maximumRate`) holding at most `capacity` packets.
    public init(rate: UInt64, capacity: Int, now: UInt64) {
        precondition(rate > 0 && rate <= Self.maximumRate && capacity > 0)
        self.rate = rate
        self.capacity = capacity
        self.last = now
    }

    /// Brings credit up to `now` and returns how many whole packets may go (≤ `capacity`).
    /// A clock reading earlier than the last one adds nothing.
    public mutating func available(now: UInt64) -> Int {
        if now > last {
            let full = UInt64(capacity) * Self.unit
            // Clamp the interval first: a long pause must not overflow the product.
            let elapsed = min(now - last, full / rate + 1)
            credit = min(full, credit + elapsed * rate)
            last = now
        }
        return Int(credit / Self.unit)
    }

    /// Spends `packets` (at most what `available` returned).
    public mutating func consume(_ packets: Int) {
        let cost = UInt64(packets) * Self.unit
        precondition(cost <= credit, "consumed more packets than available")
        credit -= cost
    }

    /// Nanoseconds from `last` until `packets` (≤ `capacity`) are available; 0 if they are.
    public func nanosecondsUntil(_ packets: Int) -> UInt64 {
        let need = UInt64(min(packets, capacity)) * Self.unit
        guard need > credit else { return 0 }
        return (need - credit + rate - 1) / rate
    }
}
