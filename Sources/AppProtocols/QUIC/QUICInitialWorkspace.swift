/// A worker's memory for QUIC Initial decryption, allocated once: the buffer the header (as
/// associated data) and the plaintext go to, and the keys of the last connection ID seen (a
/// client usually sends its first Initials, and retransmits them, with one DCID).
public struct QUICInitialWorkspace: ~Copyable {
    /// A UDP datagram carries at most 65,527 bytes (RFC 768 length field less its header), so a
    /// packet's header and ciphertext always fit.
    public static let scratchSize = 65_536

    let scratch: UnsafeMutableRawBufferPointer
    var protection = QUICPacketProtection()
    var dcid: InlineArray<20, UInt8> = .init(repeating: 0)
    var dcidLength = -1
    var version: UInt32 = 0
    /// Key derivations done and reused (for tests and counters).
    public private(set) var derivations = 0
    public private(set) var reuses = 0

    public init() {
        scratch = .allocate(byteCount: Self.scratchSize, alignment: 64)
    }

    deinit { scratch.deallocate() }

    /// Makes `protection` the client Initial keys of `dcid` (≤ 20 bytes) under `version`.
    mutating func prepare(dcid d: UnsafeRawBufferPointer, version v: UInt32) {
        if v == version && d.count == dcidLength {
            var same = true
            for i in 0..<d.count where dcid[i] != d[i] { same = false; break }
            if same { reuses += 1; return }
        }
        protection = QUICPacketProtection(QUICInitialSecrets(dcid: d, isClient: true, version: v))
        for i in 0..<d.count { dcid[i] = d[i] }
        dcidLength = d.count
        version = v
        derivations += 1
    }
}

/// The expanded AEAD and header protection keys and the IV of one direction.
struct QUICPacketProtection: Sendable, BitwiseCopyable {
    var aead = QUICAES128Key()
    var hp = QUICAES128Key()
    var iv: InlineArray<12, UInt8> = .init(repeating: 0)

    init() {}

    init(_ s: QUICInitialSecrets) {
        var s = s
        withUnsafeBytes(of: &s.key) { aead.expand($0) }
        withUnsafeBytes(of: &s.hp) { hp.expand($0) }
        iv = s.iv
    }

    /// The AEAD nonce: the IV XORed with the packet number (RFC 9001 §5.3).
    func nonce(packetNumber: UInt64) -> InlineArray<12, UInt8> {
        var n = iv
        for i in 0..<8 { n[11 - i] ^= UInt8(truncatingIfNeeded: packetNumber >> (8 * UInt64(i))) }
        return n
    }
}
