import Crypto
import _CryptoExtras
public import PacketCore
import Synchronization

/// Prefix-preserving address anonymization: Crypto-PAn (Xu, Fan, Ammar, Moon, ICNP 2002), with
/// AES-128 from swift-crypto. Addresses sharing a k-bit prefix map to addresses sharing a k-bit
/// prefix. IPv4 follows the reference implementation bit for bit (tested against its sample);
/// IPv6 runs the same construction over 128 bits.
///
/// The 32-byte key: the first 16 bytes are the AES key, the AES encryption of the last 16 is the pad.
/// Each address costs one AES block per bit (32 or 128), so results are cached (bounded).
// @unchecked: `key` (SymmetricKey, immutable, not marked Sendable by swift-crypto) is only read;
// the cache is behind a Mutex.
public final class CryptoPAn: @unchecked Sendable {
    /// Key file size: 32 bytes, as in the reference implementation.
    public static let keyLength = 32
    /// Cache entries kept before the cache is cleared (memory bound: ~48 B an entry).
    public static let cacheLimit = 1 << 16

    private let key: SymmetricKey
    private let pad: (UInt64, UInt64)
    private let cache = Mutex<[IPAddress: IPAddress]>([:])

    public enum KeyError: Error, CustomStringConvertible {
        case wrongLength(Int)
        public var description: String {
            switch self {
            case .wrongLength(let n): "a Crypto-PAn key is \(CryptoPAn.keyLength) bytes, not \(n)"
            }
        }
    }

    public init(key bytes: [UInt8]) throws(KeyError) {
        guard bytes.count == Self.keyLength else { throw .wrongLength(bytes.count) }
        key = SymmetricKey(data: bytes[0..<16])
        var padBlock = Array(bytes[16..<32])
        // A 16-byte block with a 16-byte key cannot fail.
        try! AES.permute(&padBlock, key: key)
        pad = (Self.load64(padBlock, 0), Self.load64(padBlock, 8))
    }

    /// The anonymized address (cached).
    public func anonymize(_ a: IPAddress) -> IPAddress {
        if let hit = cache.withLock({ $0[a] }) { return hit }
        let out = a.isIPv6 ? anonymize128(a) : IPAddress(ipv4: anonymize32(a.ipv4Value))
        cache.withLock {
            if $0.count >= Self.cacheLimit { $0.removeAll(keepingCapacity: true) }
            $0[a] = out
        }
        return out
    }

    /// IPv4, as the reference: bit i of the one-time pad is the first bit of
    /// AES(address bits [0, i) followed by pad bits [i, 128)).
    public func anonymize32(_ addr: UInt32) -> UInt32 {
        let padHigh32 = UInt32(truncatingIfNeeded: pad.0 >> 32)
        let rest = pad.0 & 0xFFFF_FFFF
        var result: UInt32 = 0
        var block = [UInt8](repeating: 0, count: 16)
        for pos in 0..<32 {
            let mixed: UInt32 = pos == 0 ? padHigh32
                : (addr >> (32 - pos)) << (32 - pos) | ((padHigh32 << pos) >> pos)
            Self.store64((UInt64(mixed) << 32) | rest, &block, 0)
            Self.store64(pad.1, &block, 8)
            try! AES.permute(&block, key: key)
            result |= UInt32(block[0] >> 7) << (31 - pos)
        }
        return result ^ addr
    }

    private func anonymize128(_ a: IPAddress) -> IPAddress {
        var result: (UInt64, UInt64) = (0, 0)
        var block = [UInt8](repeating: 0, count: 16)
        for pos in 0..<128 {
            // The first `pos` bits from the address, the rest from the pad.
            let hi: UInt64, lo: UInt64
            if pos == 0 {
                hi = pad.0; lo = pad.1
            } else if pos < 64 {
                let mask = ~UInt64(0) << (64 - pos)
                hi = (a.high & mask) | (pad.0 & ~mask); lo = pad.1
            } else if pos == 64 {
                hi = a.high; lo = pad.1
            } else {
                let mask = ~UInt64(0) << (128 - pos)
                hi = a.high; lo = (a.low & mask) | (pad.1 & ~mask)
            }
            Self.store64(hi, &block, 0); Self.store64(lo, &block, 8)
            try! AES.permute(&block, key: key)
            let bit = UInt64(block[0] >> 7)
            if pos < 64 { result.0 |= bit << (63 - pos) } else { result.1 |= bit << (127 - pos) }
        }
        return IPAddress(high: a.high ^ result.0, low: a.low ^ result.1, isIPv6: true)
    }

    private static func load64(_ b: [UInt8], _ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(b[at + i]) }
        return v
    }

    private static func store64(_ v: UInt64, _ b: inout [UInt8], _ at: Int) {
        for i in 0..<8 { b[at + i] = UInt8(truncatingIfNeeded: v >> (56 - 8 * i)) }
    }
}
