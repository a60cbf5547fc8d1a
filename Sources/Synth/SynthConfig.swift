public import Export

/// What `tapline synth` generates. The output is a pure function of these values.
public struct SynthConfig: Sendable {
    /// 2026-01-01T00:00:00Z in nanoseconds since the epoch.
    public static let defaultStartTimeNs: UInt64 = 1_767_225_600_000_000_000

    public var profile: SynthProfile
    /// Exactly this many flows are generated (at least 1).
    public var flows: Int
    /// Exactly `max(packets, flows)` frames are written; see `Synthesizer`.
    public var packets: Int
    public var seed: UInt64
    public var format: CaptureFileWriter.Format
    /// Time of the first packet, nanoseconds since the epoch.
    public var startTimeNs: UInt64

    public init(profile: SynthProfile = .mix, flows: Int = 1_000, packets: Int = 100_000, seed: UInt64 = 1,
                format: CaptureFileWriter.Format = .pcap, startTimeNs: UInt64 = SynthConfig.defaultStartTimeNs) {
        self.profile = profile
        self.flows = flows
        self.packets = packets
        self.seed = seed
        self.format = format
        self.startTimeNs = startTimeNs
    }
}

/// Totals of one generated file.
public struct SynthSummary: Sendable, Equatable {
    public var flows: Int
    public var packets: Int
    /// Frame bytes written (captured length = original length).
    public var bytes: Int
    /// Innermost IP bytes, summed over all frames.
    public var ipBytes: Int
    /// Non-first IP fragments.
    public var fragments: Int
    public var firstNs: UInt64
    public var lastNs: UInt64
}

/// Errors of `Synthesizer.run`.
public enum SynthError: Error, CustomStringConvertible {
    case invalidConfig(String)
    case io(SystemError)
    case manifest(String)
    case crypto(String)

    public var description: String {
        switch self {
        case .invalidConfig(let why): return "invalid synth configuration: \(why)"
        case .io(let error): return error.description
        case .manifest(let why): return "manifest: \(why)"
        case .crypto(let why): return "QUIC protection: \(why)"
        }
    }
}
