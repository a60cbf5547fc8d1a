import Crypto
import _CryptoExtras
import Foundation

/// QUIC v1 Initial packet protection keys (RFC 9001 §5.2), derived from the client's
/// destination connection ID.
public struct QUICInitialKeys: Sendable, Equatable {
    /// RFC 9001 §5.2, the QUIC version 1 initial salt.
    public static let initialSalt: [UInt8] = [0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                               0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a]
    public var key: [UInt8]
    public var iv: [UInt8]
    public var headerProtection: [UInt8]

    /// The client's (`client in`) or server's (`server in`) Initial keys for `dcid`.
    public init(dcid: [UInt8], isClient: Bool = true) {
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: dcid), salt: QUICInitialKeys.initialSalt)
        let secret = QUICInitialKeys.expandLabel(Array(prk), isClient ? "client in" : "server in", 32)
        key = QUICInitialKeys.expandLabel(secret, "quic key", 16)
        iv = QUICInitialKeys.expandLabel(secret, "quic iv", 12)
        headerProtection = QUICInitialKeys.expandLabel(secret, "quic hp", 16)
    }

    /// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context.
    public static func expandLabel(_ secret: [UInt8], _ label: String, _ length: Int) -> [UInt8] {
        var info: [UInt8] = []
        info.u16(length)
        info.lengthPrefixed(1, Array(("tls13 " + label).utf8))
        info.u8(0)
        let out = HKDF<SHA256>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length)
        return out.withUnsafeBytes { Array($0) }
    }

    /// The 5-byte header protection mask: AES-ECB of the 16-byte sample (RFC 9001 §5.4.3).
    public func mask(sample: [UInt8]) throws -> [UInt8] {
        var block = sample
        try AES.permute(&block, key: SymmetricKey(data: headerProtection))
        return Array(block[0..<5])
    }

    /// The AEAD nonce: the IV XORed with the packet number (RFC 9001 §5.3).
    public func nonce(packetNumber: UInt64) -> [UInt8] {
        var n = iv
        for i in 0..<8 { n[11 - i] ^= UInt8(truncatingIfNeeded: packetNumber >> (8 * UInt64(i))) }
        return n
    }
}
