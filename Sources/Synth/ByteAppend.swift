// Big-endian appends for building headers and payloads in `[UInt8]`.
extension Array where Element == UInt8 {
    mutating func u8(_ v: UInt8) { append(v) }
    mutating func u16(_ v: UInt16) { append(UInt8(v >> 8)); append(UInt8(v & 0xFF)) }
    mutating func u16(_ v: Int) { u16(UInt16(truncatingIfNeeded: v)) }
    mutating func u24(_ v: Int) { append(UInt8((v >> 16) & 0xFF)); append(UInt8((v >> 8) & 0xFF)); append(UInt8(v & 0xFF)) }
    mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) }
    mutating func ascii(_ s: String) { append(contentsOf: Array(s.utf8)) }

    /// Writes a big-endian 16-bit value over bytes already present.
    mutating func set16(_ offset: Int, _ v: Int) {
        self[offset] = UInt8((v >> 8) & 0xFF); self[offset + 1] = UInt8(v & 0xFF)
    }

    mutating func set24(_ offset: Int, _ v: Int) {
        self[offset] = UInt8((v >> 16) & 0xFF); self[offset + 1] = UInt8((v >> 8) & 0xFF); self[offset + 2] = UInt8(v & 0xFF)
    }

    /// Appends `body` preceded by its length in `width` bytes (TLS and SSH vectors).
    mutating func lengthPrefixed(_ width: Int, _ body: [UInt8]) {
        switch width {
        case 1: u8(UInt8(body.count))
        case 2: u16(body.count)
        case 3: u24(body.count)
        default: u32(UInt32(body.count))
        }
        append(contentsOf: body)
    }

    /// Appends a QUIC variable-length integer (RFC 9000 §16).
    mutating func quicVarint(_ v: Int) {
        if v < 64 { u8(UInt8(v)) }
        else if v < 16_384 { u16(UInt16(v) | 0x4000) }
        else { u32(UInt32(v) | 0x8000_0000) }
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always) func put16(_ offset: Int, _ v: UInt16) {
        self[offset] = UInt8(v >> 8); self[offset + 1] = UInt8(v & 0xFF)
    }
    @inline(__always) func put32(_ offset: Int, _ v: UInt32) {
        put16(offset, UInt16(v >> 16)); put16(offset + 2, UInt16(v & 0xFFFF))
    }
}
