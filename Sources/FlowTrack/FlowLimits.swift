/// Flow-table defaults.
public enum FlowDefaults {
    /// Idle timeout: a flow with no packet for this long ends with `idle`.
    public static let idleTimeoutNs: UInt64 = 120 * 1_000_000_000
    /// Active timeout: a flow older than this is cut with `active` and goes on in a new record.
    public static let activeTimeoutNs: UInt64 = 1800 * 1_000_000_000
}
