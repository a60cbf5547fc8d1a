/// The traffic mixes `tapline synth` can generate.
public enum SynthProfile: String, Sendable, CaseIterable {
    /// Every application, encapsulation and IP version the dissector knows.
    case mix
    /// Minimal 60-byte frames (64 on the wire) in small UDP and TCP flows.
    case small
    /// DNS over UDP and TCP.
    case dns
    /// Few long bulk flows (TLS, HTTP, SSH, QUIC).
    case elephant
    /// 64-byte frames (60 captured + 4 FCS) back to back at 10 Gb/s line rate, one-way UDP.
    case flood64
    /// IMIX: 64, 570 and 1518-byte frames in the ratio 7:4:1, at 10 Gb/s line rate, UDP.
    case imix
    /// Many short flows starting every few microseconds: a flow-table stress.
    case short
    /// TLS 1.2/1.3 and QUIC handshakes with their metadata, then encrypted bulk.
    case tls
}
