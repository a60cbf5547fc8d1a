/// HMAC-SHA256 (RFC 2104) on fixed storage, with the key's inner and outer pads compressed once,
/// so each MAC under a key costs two compressions for short messages. HKDF (RFC 5869) on top.
struct HMACSHA256: Sendable, BitwiseCopyable {
    var inner: InlineArray<8, UInt32>
    var outer: InlineArray<8, UInt32>

    /// A key of up to 64 bytes (ours are 20-byte salts and 32-byte secrets); longer keys are
    /// hashed first, as RFC 2104 §2 says.
    init(key: UnsafeRawBufferPointer) {
        var k: InlineArray<64, UInt8> = .init(repeating: 0)
        if key.count > SHA256Stream.blockSize {
            var s = SHA256Stream()
            s.update(key)
            let d = s.finish()
            for i in 0..<32 { k[i] = d[i] }
        } else {
            for i in 0..<key.count { k[i] = key[i] }
        }
        var pad: InlineArray<64, UInt8> = .init(repeating: 0)
        for i in 0..<64 { pad[i] = k[i] ^ 0x36 }
        var s = SHA256Stream()
        withUnsafeBytes(of: &pad) { s.update($0) }
        inner = s.state
        for i in 0..<64 { pad[i] = k[i] ^ 0x5c }
        s = SHA256Stream()
        withUnsafeBytes(of: &pad) { s.update($0) }
        outer = s.state
    }

    init(key: InlineArray<32, UInt8>) {
        var k = key
        self = withUnsafeBytes(of: &k) { HMACSHA256(key: $0) }
    }

    /// The stream to feed the message into; pass it to `finish`.
    func start() -> SHA256Stream { SHA256Stream(state: inner, after: 64) }

    func finish(_ stream: SHA256Stream) -> InlineArray<32, UInt8> {
        var s = stream
        var d = s.finish()
        var o = SHA256Stream(state: outer, after: 64)
        withUnsafeBytes(of: &d) { o.update($0) }
        return o.finish()
    }

    /// HKDF-Extract (RFC 5869 §2.2) with this key as the salt.
    func extract(_ ikm: UnsafeRawBufferPointer) -> InlineArray<32, UInt8> {
        var s = start()
        s.update(ikm)
        return finish(s)
    }

    /// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context, this key being the secret, for
    /// outputs of at most 32 bytes (one HKDF-Expand block, RFC 5869 §2.3): the first `length`
    /// bytes of the result count.
    func expandLabel(_ label: StaticString, length: Int) -> InlineArray<32, UInt8> {
        var s = start()
        s.update(UInt8(length >> 8))
        s.update(UInt8(length & 0xFF))
        s.update(UInt8(Self.labelPrefix.utf8CodeUnitCount + label.utf8CodeUnitCount))
        s.update(UnsafeRawBufferPointer(start: Self.labelPrefix.utf8Start, count: Self.labelPrefix.utf8CodeUnitCount))
        s.update(UnsafeRawBufferPointer(start: label.utf8Start, count: label.utf8CodeUnitCount))
        s.update(0)  // context length
        s.update(1)  // HKDF-Expand's block counter T(1)
        return finish(s)
    }

    static let labelPrefix: StaticString = "tls13 "
}
