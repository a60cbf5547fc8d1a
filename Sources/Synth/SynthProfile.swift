/// The traffic mixes `tapline synth` can generate.
public enum SynthProfile: String, Sendable, CaseIterable {
    case mix
    case small
    case dns
    case elephant
}
