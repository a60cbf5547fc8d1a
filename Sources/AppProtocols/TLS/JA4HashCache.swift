/// JA4's two truncated hashes (sorted cipher suites; sorted extensions with the signature
/// algorithms), remembered per worker by their exact input: clients of one kind send the same
/// lists, so most ClientHellos repeat a fingerprint seen moments before, and each hash costs
/// two or three SHA-256 blocks.
///
/// Direct-mapped, a fixed number of entries allocated once (none per packet). An entry holds its
/// whole input, and a hit compares it in full: the 64-bit key hash only picks the slot, so a
/// result never depends on the cache. Inputs longer than `maxKeyIDs` are hashed every time.
public struct JA4HashCache: ~Copyable {
    /// Default entries per worker: 512 × 216 B = 108 KiB (fingerprints in real traffic are
    /// heavy-tailed; a few hundred distinct ones cover most ClientHellos of a link).
    public static let defaultEntries = 512
    /// Longest input an entry holds, in 2-byte IDs (list plus signature algorithms): browsers
    /// send ~16 extensions and ~10 signature algorithms; lists longer than this are rare.
    public static let maxKeyIDs = 94

    @usableFromInline struct Entry {
        /// Key hash; valid only when `header` is not 0.
        var tag: UInt64 = 0
        /// kind (bit 0: 1 = extensions), has the signature-algorithm part (bit 1), valid (bit 2),
        /// list length (bits 8–15), signature algorithms (bits 16–23).
        var header: UInt32 = 0
        var ids: InlineArray<94, UInt16> = .init(repeating: 0)
        /// The 12 hex characters JA4 keeps of the digest.
        var hex: InlineArray<12, UInt8> = .init(repeating: 0)
    }

    let entries: UnsafeMutablePointer<Entry>?
    let mask: Int
    /// Lookups answered from the table, computed and stored, and too long to store.
    public private(set) var hits: UInt64 = 0
    public private(set) var misses: UInt64 = 0
    public private(set) var uncached: UInt64 = 0

    /// `entries` is rounded up to a power of two; 0 disables the cache (every hash computed).
    public init(entries n: Int = JA4HashCache.defaultEntries) {
        if n <= 0 {
            entries = nil
            mask = 0
        } else {
            var c = 1
            while c < n { c <<= 1 }
            let e = UnsafeMutablePointer<Entry>.allocate(capacity: c)
            e.initialize(repeating: Entry(), count: c)
            entries = e
            mask = c - 1
        }
    }

    deinit {
        if let e = entries {
            e.deinitialize(count: mask + 1)
            e.deallocate()
        }
    }

    public var capacity: Int { entries == nil ? 0 : mask + 1 }

    /// The 12 hex characters of SHA-256 over `list[0..<n]` as comma-joined 4-digit hex, then, when
    /// `hasSig`, `_` and `sig[0..<k]` the same way (FoxIO JA4: JA4_b for ciphers, JA4_c for
    /// extensions). `extensions` only separates the two kinds of key.
    mutating func hexDigest(extensions: Bool, _ lp: UnsafePointer<UInt16>, _ n: Int,
                            hasSig: Bool, _ gp: UnsafePointer<UInt16>, _ k: Int) -> InlineArray<12, UInt8> {
        guard let table = entries, n + k <= Self.maxKeyIDs else {
            if entries != nil { uncached &+= 1 }
            return Self.compute(lp, n, hasSig: hasSig, gp, k)
        }
        let header = (extensions ? 1 : 0) | (hasSig ? 2 : 0) | 4 | UInt32(n) << 8 | UInt32(k) << 16
        // FNV-1a over 16-bit units, then a final mix so the low bits (the slot) depend on all.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(header)
        for i in 0..<n { h = (h ^ UInt64(lp[i])) &* 0x0000_0100_0000_01b3 }
        for i in 0..<k { h = (h ^ UInt64(gp[i])) &* 0x0000_0100_0000_01b3 }
        h ^= h >> 29
        let e = table + Int(truncatingIfNeeded: h) & mask
        // Pointers into the entry, not `pointee` subscripts: those copy the whole entry.
        let ids = UnsafeMutableRawPointer(e).advanced(by: Self.idsOffset).assumingMemoryBound(to: UInt16.self)
        let hexAt = UnsafeMutableRawPointer(e).advanced(by: Self.hexOffset)
        if e.pointee.header == header && e.pointee.tag == h {
            var same = true
            for i in 0..<n where ids[i] != lp[i] { same = false; break }
            if same { for i in 0..<k where ids[n + i] != gp[i] { same = false; break } }
            if same {
                hits &+= 1
                return hexAt.loadUnaligned(as: InlineArray<12, UInt8>.self)
            }
        }
        misses &+= 1
        let hex = Self.compute(lp, n, hasSig: hasSig, gp, k)
        e.pointee.tag = h
        e.pointee.header = header
        ids.update(from: lp, count: n)
        (ids + n).update(from: gp, count: k)
        hexAt.storeBytes(of: hex, as: InlineArray<12, UInt8>.self)
        return hex
    }

    static let idsOffset = MemoryLayout<Entry>.offset(of: \Entry.ids)!
    static let hexOffset = MemoryLayout<Entry>.offset(of: \Entry.hex)!

    /// The hash itself: the text is written in chunks to a small buffer and fed to SHA-256.
    static func compute(_ list: UnsafePointer<UInt16>, _ n: Int, hasSig: Bool,
                        _ sig: UnsafePointer<UInt16>, _ k: Int) -> InlineArray<12, UInt8> {
        var h = SHA256Stream()
        var text = HexListText()
        for i in 0..<n { text.put(list[i], comma: i > 0, into: &h) }
        if hasSig {
            text.byte(UInt8(ascii: "_"), into: &h)
            for i in 0..<k { text.put(sig[i], comma: i > 0, into: &h) }
        }
        text.flush(into: &h)
        let d = h.finish()
        var out: InlineArray<12, UInt8> = .init(repeating: 0)
        let digits = TLSHello.hexDigits.utf8Start
        for i in 0..<6 { out[2 * i] = digits[Int(d[i] >> 4)]; out[2 * i + 1] = digits[Int(d[i] & 0xF)] }
        return out
    }
}

/// JA4's list text (`0a0b,1301,…`) gathered 64 bytes at a time before hashing, rather than a
/// stream update per character.
struct HexListText {
    var buffer: InlineArray<64, UInt8> = .init(repeating: 0)
    var used = 0

    @inline(__always)
    mutating func byte(_ b: UInt8, into h: inout SHA256Stream) {
        if used == 64 { flush(into: &h) }
        buffer[used] = b
        used &+= 1
    }

    /// An ID as four lowercase hex digits, after a comma unless first.
    @inline(__always)
    mutating func put(_ v: UInt16, comma: Bool, into h: inout SHA256Stream) {
        if used > 59 { flush(into: &h) }
        if comma { buffer[used] = UInt8(ascii: ","); used &+= 1 }
        let digits = TLSHello.hexDigits.utf8Start
        buffer[used] = digits[Int(v >> 12)]
        buffer[used + 1] = digits[Int((v >> 8) & 0xF)]
        buffer[used + 2] = digits[Int((v >> 4) & 0xF)]
        buffer[used + 3] = digits[Int(v & 0xF)]
        used &+= 4
    }

    mutating func flush(into h: inout SHA256Stream) {
        let n = used
        withUnsafeBytes(of: &buffer) { h.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        used = 0
    }
}
