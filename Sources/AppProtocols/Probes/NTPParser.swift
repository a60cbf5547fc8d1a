public import PacketCore

/// The NTP header fields operators look at.
public struct NTPInfo: Sendable, Equatable {
    /// Leap indicator (0–3).
    public var leap: UInt8
    public var version: UInt8
    /// 1 symmetric active … 3 client, 4 server, 5 broadcast.
    public var mode: UInt8
    public var stratum: UInt8
    /// log2 seconds.
    public var poll: Int8
    /// log2 seconds.
    public var precision: Int8
    /// Reference id: an IPv4 address, a hash, or four ASCII characters for stratum 1.
    public var referenceID: UInt32
    /// NTP timestamp format (seconds since 1900 in the high 32 bits).
    public var transmitTimestamp: UInt64
}

/// Reads the fixed NTP header. Pure; no allocation.
public enum NTPParser {
    /// Throws `.truncated` when fewer than 48 bytes are present.
    public static func parse(_ p: UnsafeRawBufferPointer) throws(ParseError) -> NTPInfo {
        guard p.count >= NTPProbe.headerLength else {
            throw .truncated(needed: NTPProbe.headerLength, have: p.count)
        }
        let b0 = p.byte(0)
        return NTPInfo(leap: b0 >> 6, version: (b0 >> 3) & 7, mode: b0 & 7, stratum: p.byte(1),
                       poll: Int8(bitPattern: p.byte(2)), precision: Int8(bitPattern: p.byte(3)),
                       referenceID: p.loadBE32(12), transmitTimestamp: p.loadBE64(40))
    }
}
