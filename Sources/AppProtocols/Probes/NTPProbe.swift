import PacketCore

/// NTP (RFC 5905) over UDP: versions 1–4, modes 1–5, a sane stratum and poll, 48+ bytes; on port
/// 123 also mode 6 (control) and mode 7 (ntpdc) messages.
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
        guard context.ipProto == 17 else { return .noMatch }
        if context.hasPort(123), payload.count >= 8 {
            let mode = payload.byte(0) & 7
            if mode == 6 { return isControl(payload) ? .match : .noMatch }
            if mode == 7 { return isPrivate(payload) ? .match : .noMatch }
        }
        guard payload.count >= headerLength, payload.count <= maxLength,
              payload.count % 4 == 0 else { return .noMatch }
        let b0 = payload.byte(0)
        let version = (b0 >> 3) & 7, mode = b0 & 7
        guard version >= 1, version <= 4, mode >= 1, mode <= 5,
              payload.byte(1) <= maxStratum,
              pollRange.contains(Int8(bitPattern: payload.byte(2))) else { return .noMatch }
        return .match
    }

    /// Mode 6 control messages (RFC 1305 appendix B / RFC 9327): 12-byte header, opcode 1–31,
    /// `count` data bytes that fit the datagram. Only on port 123: the header is loose.
    static func isControl(_ p: UnsafeRawBufferPointer) -> Bool {
        guard p.count >= 12 else { return false }
        let version = (p.byte(0) >> 3) & 7, opcode = p.byte(1) & 0x1F
        return version >= 1 && version <= 4 && p.byte(0) & 0xC0 == 0 && opcode >= 1
            && 12 + Int(p.loadBE16(10)) <= p.count
    }

    /// Mode 7 (ntpdc private) messages: implementation 0, 2 or 3, request code below 64, and
    /// `items × size` data bytes that fit the datagram (ntp_request.h). Only on port 123.
    static func isPrivate(_ p: UnsafeRawBufferPointer) -> Bool {
        let version = (p.byte(0) >> 3) & 7, implementation = p.byte(2)
        let items = Int(p.loadBE16(4) & 0x0FFF), size = Int(p.loadBE16(6) & 0x0FFF)
        return version >= 1 && version <= 4 && (implementation == 0 || implementation == 2 || implementation == 3)
            && p.byte(3) < 64 && 8 + items * size <= p.count
    }
}
