/// How fast a replay goes.
public enum ReplayPacing: Sendable, Equatable {
    /// As fast as the TX ring and the kernel take frames.
    case topSpeed
    /// A fixed rate in packets per second over all queues (token bucket, batch-granular).
    case rate(UInt64)
    /// The file's own timing, sped up by the factor (1.0 = as captured).
    case speed(Double)
}
