import PacketCore

/// Google QUIC over UDP: the legacy public header (flags with version and 8-byte connection id,
/// then a "Q0xx" version tag) or the Q046+/T05x long header with such a tag at offset 1.
public enum GQUICProbe {
    /// Public flags (≤ Q043): 0x01 version, 0x08 8-byte connection id; 0x80 unused and zero,
    /// 0x02 (public reset) excludes a version.
    static let versionFlag: UInt8 = 0x01
    static let connectionIDFlag: UInt8 = 0x08

    /// No port requirement (443 is usual); the version tag decides.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 17 else { return .noMatch }
        let p = payload
        guard p.count >= 13 else { return .noMatch }
        let flags = p.byte(0)
        if flags & 0xC0 == 0xC0 { return isTag(p, at: 1) ? .match : .noMatch }
        guard flags & 0x80 == 0, flags & 0x02 == 0,
              flags & (versionFlag | connectionIDFlag) == versionFlag | connectionIDFlag else { return .noMatch }
        return isTag(p, at: 9) ? .match : .noMatch
    }

    /// "Q0dd" (Q024 … Q050) or "T0dd" (T050, T051: gQUIC over TLS).
    static func isTag(_ p: UnsafeRawBufferPointer, at: Int) -> Bool {
        guard at + 4 <= p.count else { return false }
        let q = p.byte(at)
        return (q == 0x51 || q == 0x54) && p.byte(at + 1) == 0x30
            && ProbeScan.isDigit(p.byte(at + 2)) && ProbeScan.isDigit(p.byte(at + 3))
    }
}
