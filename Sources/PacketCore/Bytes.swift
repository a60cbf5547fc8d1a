// Unaligned big-endian loads from a frame. Callers check bounds once per fixed header, then load.

extension UnsafeRawBufferPointer {
    /// Big-endian UInt16 at `offset`. The caller has checked `offset + 2 <= count`.
    @inlinable @inline(__always)
    public func loadBE16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// Big-endian UInt32 at `offset`. The caller has checked `offset + 4 <= count`.
    @inlinable @inline(__always)
    public func loadBE32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Big-endian UInt64 at `offset`. The caller has checked `offset + 8 <= count`.
    @inlinable @inline(__always)
    public func loadBE64(_ offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Little-endian UInt16 at `offset`. The caller has checked `offset + 2 <= count`.
    @inlinable @inline(__always)
    public func loadLE16(_ offset: Int) -> UInt16 {
        UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// Little-endian UInt32 at `offset`. The caller has checked `offset + 4 <= count`.
    @inlinable @inline(__always)
    public func loadLE32(_ offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Byte at `offset`. The caller has checked `offset < count`.
    @inlinable @inline(__always)
    public func byte(_ offset: Int) -> UInt8 {
        load(fromByteOffset: offset, as: UInt8.self)
    }
}
