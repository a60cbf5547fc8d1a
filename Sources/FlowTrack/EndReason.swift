/// Why a flow record was emitted.
@frozen
public enum EndReason: UInt8, Sendable, CaseIterable, BitwiseCopyable {
    /// No packet for the idle timeout.
    case idle = 0
    /// Older than the active timeout; the flow goes on in a new record.
    case active
    /// FIN seen from both sides.
    case fin
    /// RST seen.
    case rst
    /// Pushed out of a full flow table.
    case evicted
    /// Flushed at the end of input or on exit.
    case shutdown

    /// The name used in records.
    public var name: StaticString {
        switch self {
        case .idle: "idle"
        case .active: "active"
        case .fin: "fin"
        case .rst: "rst"
        case .evicted: "evicted"
        case .shutdown: "shutdown"
        }
    }
}
