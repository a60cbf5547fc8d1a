import CPacketCrypto

/// SHA-256 (FIPS 180-4), streaming, in fixed inline storage: JA4 hashes short lists per TLS
/// ClientHello and HKDF derives QUIC Initial keys, and the per-packet path may not allocate
/// (library hashers box their context). Blocks are compressed by `CPacketCrypto` (SHA-NI when
/// the CPU has it, else unrolled C).
@frozen
public struct SHA256Stream: Sendable, BitwiseCopyable {
    @usableFromInline var h: InlineArray<8, UInt32>
    @usableFromInline var block: InlineArray<64, UInt8> = .init(repeating: 0)
    @usableFromInline var used = 0
    /// Bytes already compressed (whole blocks).
    @usableFromInline var compressed: UInt64

    /// FIPS 180-4 §5.3.3: the initial hash value.
    static let initialState: InlineArray<8, UInt32> = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    public static let blockSize = 64

    public init() { h = Self.initialState; compressed = 0 }

    /// Resumes from a state after `bytes` (a multiple of 64) were compressed: HMAC's precomputed pads.
    init(state: InlineArray<8, UInt32>, after bytes: UInt64) { h = state; compressed = bytes }

    /// The chaining state; valid as a resumable state only when no partial block is pending.
    var state: InlineArray<8, UInt32> { h }

    @inline(__always)
    public mutating func update(_ byte: UInt8) {
        block[used] = byte
        used &+= 1
        if used == 64 { compressBlock() }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress else { return }
        var n = bytes.count
        if used > 0 {
            let k = min(n, 64 - used)
            withUnsafeMutableBytes(of: &block) { $0.baseAddress!.advanced(by: used).copyMemory(from: p, byteCount: k) }
            used += k; p += k; n -= k
            if used < 64 { return }
            compressBlock()
        }
        if n >= 64 {
            let blocks = n / 64
            withUnsafeMutableBytes(of: &h) { hp in
                tl_sha256_blocks(hp.baseAddress!.assumingMemoryBound(to: UInt32.self), p.assumingMemoryBound(to: UInt8.self), blocks)
            }
            compressed &+= UInt64(blocks * 64)
            p += blocks * 64; n -= blocks * 64
        }
        if n > 0 {
            withUnsafeMutableBytes(of: &block) { $0.baseAddress!.copyMemory(from: p, byteCount: n) }
            used = n
        }
    }

    @inline(__always)
    mutating func compressBlock() {
        withUnsafeMutableBytes(of: &h) { hp in
            withUnsafeBytes(of: &block) { bp in
                tl_sha256_blocks(hp.baseAddress!.assumingMemoryBound(to: UInt32.self), bp.baseAddress!.assumingMemoryBound(to: UInt8.self), 1)
            }
        }
        compressed &+= 64
        used = 0
    }

    /// Finishes (FIPS 180-4 §5.1.1 padding) and returns the 32-byte digest.
    public mutating func finish() -> InlineArray<32, UInt8> {
        let bits = (compressed &+ UInt64(used)) &* 8
        block[used] = 0x80
        used += 1
        if used > 56 {
            while used < 64 { block[used] = 0; used += 1 }
            compressBlock()
        }
        while used < 56 { block[used] = 0; used += 1 }
        for i in 0..<8 { block[56 + i] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(7 - i))) }
        compressBlock()
        var out: InlineArray<32, UInt8> = .init(repeating: 0)
        for i in 0..<8 {
            out[4 * i] = UInt8(truncatingIfNeeded: h[i] >> 24); out[4 * i + 1] = UInt8(truncatingIfNeeded: h[i] >> 16)
            out[4 * i + 2] = UInt8(truncatingIfNeeded: h[i] >> 8); out[4 * i + 3] = UInt8(truncatingIfNeeded: h[i])
        }
        return out
    }
}
