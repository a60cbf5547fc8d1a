/// One direction's Initial keys (RFC 9001 §5.2, RFC 9369 §3.3) in fixed storage: HKDF over our
/// SHA-256, no allocation.
struct QUICInitialSecrets: Sendable, BitwiseCopyable {
    var key: InlineArray<16, UInt8> = .init(repeating: 0)
    var iv: InlineArray<12, UInt8> = .init(repeating: 0)
    var hp: InlineArray<16, UInt8> = .init(repeating: 0)

    /// HMAC keyed by each salt of `QUICInitialKeys.saltIndex`, pads compressed once per process.
    static let extractors: InlineArray<4, HMACSHA256> = [
        QUICInitialKeys.initialSalt.withUnsafeBytes { HMACSHA256(key: $0) },
        QUICInitialKeys.initialSaltV2.withUnsafeBytes { HMACSHA256(key: $0) },
        QUICInitialKeys.initialSaltDraft23.withUnsafeBytes { HMACSHA256(key: $0) },
        QUICInitialKeys.initialSaltDraft29.withUnsafeBytes { HMACSHA256(key: $0) },
    ]

    /// Keys for `dcid`; a version without known keys gets version 1's salt (callers check
    /// `QUICInitialKeys.isSupported` first).
    init(dcid: UnsafeRawBufferPointer, isClient: Bool, version: UInt32) {
        let initialSecret = Self.extractors[QUICInitialKeys.saltIndex(for: version) ?? 0].extract(dcid)
        let secret = HMACSHA256(key: initialSecret).expandLabel(isClient ? "client in" : "server in", length: 32)
        let s = HMACSHA256(key: secret)
        let v2 = version == QUICInitialKeys.version2
        let k = s.expandLabel(v2 ? "quicv2 key" : "quic key", length: 16)
        let i = s.expandLabel(v2 ? "quicv2 iv" : "quic iv", length: 12)
        let h = s.expandLabel(v2 ? "quicv2 hp" : "quic hp", length: 16)
        for j in 0..<16 { key[j] = k[j]; hp[j] = h[j] }
        for j in 0..<12 { iv[j] = i[j] }
    }
}
