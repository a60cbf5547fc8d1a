/// Small bounds-checked helpers over a payload. Every read checks `offset + width <= count`
/// first; callers treat a nil as "needs more bytes" or "invalid" as their protocol says.
extension UnsafeRawBufferPointer {
    /// Byte at `i`, or nil past the end.
    @inlinable @inline(__always)
    func u8(_ i: Int) -> UInt8? { i >= 0 && i < count ? load(fromByteOffset: i, as: UInt8.self) : nil }

    /// Big-endian UInt16 at `i`, or nil past the end.
    @inlinable @inline(__always)
    func u16(_ i: Int) -> UInt16? {
        i >= 0 && i + 2 <= count ? UInt16(bigEndian: loadUnaligned(fromByteOffset: i, as: UInt16.self)) : nil
    }

    /// Big-endian 24-bit value at `i`, or nil past the end.
    @inlinable @inline(__always)
    func u24(_ i: Int) -> Int? {
        guard i >= 0, i + 3 <= count else { return nil }
        return Int(load(fromByteOffset: i, as: UInt8.self)) << 16
            | Int(load(fromByteOffset: i + 1, as: UInt8.self)) << 8 | Int(load(fromByteOffset: i + 2, as: UInt8.self))
    }

    /// Big-endian UInt32 at `i`, or nil past the end.
    @inlinable @inline(__always)
    func u32(_ i: Int) -> UInt32? {
        i >= 0 && i + 4 <= count ? UInt32(bigEndian: loadUnaligned(fromByteOffset: i, as: UInt32.self)) : nil
    }

    /// The bytes in `range`, which the caller has checked lies inside.
    @inlinable @inline(__always)
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: self[range]) }

    /// True when the bytes at `at` equal `s` (ASCII, case-sensitive).
    @inlinable
    func starts(with s: StaticString, at: Int = 0) -> Bool {
        let n = s.utf8CodeUnitCount
        guard at >= 0, at + n <= count else { return false }
        let p = s.utf8Start
        for i in 0..<n where load(fromByteOffset: at + i, as: UInt8.self) != p[i] { return false }
        return true
    }

    /// True when the first bytes of `self` are a prefix of `s` (the payload may stop early).
    @inlinable
    func isPrefix(of s: StaticString) -> Bool {
        let n = Swift.min(count, s.utf8CodeUnitCount)
        let p = s.utf8Start
        for i in 0..<n where load(fromByteOffset: i, as: UInt8.self) != p[i] { return false }
        return true
    }
}

/// The result of a parser that may need more bytes.
@frozen
public enum ParseStatus: UInt8, Sendable, BitwiseCopyable {
    /// Parsed; the result is complete.
    case done
    /// The bytes so far are consistent but stop too early; call again with more.
    case needMore
    /// The bytes are not this protocol's message.
    case invalid
}
