/// The byte order of a pcap file or of one pcapng section, told by its magic number.
/// Loads branch on a stored Bool: the branch is the same for every record, so it predicts perfectly.
struct FileByteOrder {
    var isBigEndian: Bool

    /// UInt16 at `offset`; the caller has checked `offset + 2 <= buffer.count`.
    @inline(__always)
    func load16(_ buffer: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        isBigEndian ? buffer.loadBE16(offset) : buffer.loadLE16(offset)
    }

    /// UInt32 at `offset`; the caller has checked `offset + 4 <= buffer.count`.
    @inline(__always)
    func load32(_ buffer: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        isBigEndian ? buffer.loadBE32(offset) : buffer.loadLE32(offset)
    }

    /// UInt64 at `offset`; the caller has checked `offset + 8 <= buffer.count`.
    @inline(__always)
    func load64(_ buffer: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        let raw = buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return isBigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
    }
}
