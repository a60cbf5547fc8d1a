/// An IPv4 or IPv6 address held in two words, so keys compare and hash without allocation.
/// IPv4 addresses sit in the low 32 bits of `low` with `high == 0` and `isIPv6 == false`.
@frozen
public struct IPAddress: Hashable, Sendable, Comparable, BitwiseCopyable {
    public var high: UInt64
    public var low: UInt64
    public var isIPv6: Bool

    @inlinable
    public init(high: UInt64, low: UInt64, isIPv6: Bool) {
        self.high = high
        self.low = low
        self.isIPv6 = isIPv6
    }

    /// An IPv4 address from its 32-bit host-order value.
    @inlinable
    public init(ipv4 value: UInt32) {
        self.init(high: 0, low: UInt64(value), isIPv6: false)
    }

    /// The unspecified address of neither family, used where a packet has no IP layer.
    public static let none = IPAddress(high: 0, low: 0, isIPv6: false)

    /// The IPv4 value in host order; meaningful only when `isIPv6` is false.
    @inlinable
    public var ipv4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    @inlinable @inline(__always)
    public static func == (a: IPAddress, b: IPAddress) -> Bool {
        a.low == b.low && a.high == b.high && a.isIPv6 == b.isIPv6
    }

    @inlinable @inline(__always)
    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        if a.isIPv6 != b.isIPv6 { return !a.isIPv6 }
        if a.high != b.high { return a.high < b.high }
        return a.low < b.low
    }

    /// Reads an IPv4 address at `offset`. The caller has checked 4 bytes.
    @inlinable @inline(__always)
    public static func ipv4(_ frame: UnsafeRawBufferPointer, _ offset: Int) -> IPAddress {
        IPAddress(ipv4: frame.loadBE32(offset))
    }

    /// Reads an IPv6 address at `offset`. The caller has checked 16 bytes.
    @inlinable @inline(__always)
    public static func ipv6(_ frame: UnsafeRawBufferPointer, _ offset: Int) -> IPAddress {
        IPAddress(high: frame.loadBE64(offset), low: frame.loadBE64(offset + 8), isIPv6: true)
    }
}
