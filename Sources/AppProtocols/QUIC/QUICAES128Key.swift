import CPacketCrypto

/// An expanded AES-128 key in inline storage (the layout of `tl_aes128_key`: 11 round keys).
struct QUICAES128Key: Sendable, BitwiseCopyable {
    var roundKeys: InlineArray<176, UInt8> = .init(repeating: 0)

    mutating func expand(_ key: UnsafeRawBufferPointer) {
        precondition(key.count == 16)
        withUnsafeMutableBytes(of: &roundKeys) { rk in
            tl_aes128_expand(rk.baseAddress!.assumingMemoryBound(to: tl_aes128_key.self), key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// AES-ECB of the 16 bytes at `block`.
    func encryptBlock(_ block: UnsafeRawPointer) -> InlineArray<16, UInt8> {
        var out: InlineArray<16, UInt8> = .init(repeating: 0)
        var rk = roundKeys
        withUnsafeBytes(of: &rk) { k in
            withUnsafeMutableBytes(of: &out) { o in
                tl_aes128_encrypt_block(k.baseAddress!.assumingMemoryBound(to: tl_aes128_key.self),
                                        block.assumingMemoryBound(to: UInt8.self), o.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return out
    }

    /// AES-128-GCM open: checks `tag` over `aad` and the `count` bytes at `ciphertext`, and only
    /// then writes the plaintext to `out` (which must not overlap the input).
    func open(nonce: InlineArray<12, UInt8>, aad: UnsafeRawBufferPointer, ciphertext: UnsafeRawPointer, count: Int,
              tag: UnsafeRawPointer, into out: UnsafeMutableRawPointer) -> Bool {
        var rk = roundKeys
        var n = nonce
        return withUnsafeBytes(of: &rk) { k in
            withUnsafeBytes(of: &n) { np in
                tl_aes128gcm_open(k.baseAddress!.assumingMemoryBound(to: tl_aes128_key.self),
                                  np.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                  aad.baseAddress?.assumingMemoryBound(to: UInt8.self), aad.count,
                                  ciphertext.assumingMemoryBound(to: UInt8.self), count,
                                  tag.assumingMemoryBound(to: UInt8.self), out.assumingMemoryBound(to: UInt8.self)) == 1
            }
        }
    }
}
