import PacketCore

/// NTP (RFC 5905) over UDP: versions 1–4, modes 1–5, a sane stratum and poll, 48+ bytes.
public enum NTPProbe {
    /// RFC 5905 §7.3: the header without extensions or MAC.
    static let headerLength = 48
    /// Stratum 16 means unsynchronized; larger values are reserved (RFC 5905 §7.3).
    static let maxStratum: UInt8 = 16
    /// Poll is log2 seconds; RFC 5905 allows 4…17, implementations send 0…17 and some small negatives.
    static let pollRange: ClosedRange<Int8> = -7...17
    /// Extension fields and MACs keep the message a multiple of 4 bytes; a bound keeps it small.
    static let maxLength = 48 + 1024

    /// No port requirement; version, mode, stratum, poll and length together are selective.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 17, payload.count >= headerLength, payload.count <= maxLength,
              payload.count % 4 == 0 else { return .noMatch }
        let b0 = payload.byte(0)
        let version = (b0 >> 3) & 7, mode = b0 & 7
        guard version >= 1, version <= 4, mode >= 1, mode <= 5,
              payload.byte(1) <= maxStratum,
              pollRange.contains(Int8(bitPattern: payload.byte(2))) else { return .noMatch }
        return .match
    }
}
