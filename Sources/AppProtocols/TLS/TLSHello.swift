/// What a TLS ClientHello says: ranges into the handshake bytes and scalars.
@frozen
public struct TLSClientHello: Sendable {
    public var legacyVersion: UInt16 = 0
    /// Highest non-GREASE version in supported_versions, else the legacy version.
    public var highestVersion: UInt16 = 0
    /// Server name (first host_name entry) and the ALPN extension's protocol list, as ranges.
    public var sni: Range<Int> = 0..<0
    public var alpnList: Range<Int> = 0..<0
    public var hasSNI = false
    public var cipherCount = 0
    public var extensionCount = 0
    /// JA4 per FoxIO's specification, e.g. `t13d1516h2_8daaf6152771_e5627efa2ab1`.
    public var ja4: InlineArray<36, UInt8> = .init(repeating: 0)
    public var flags: L7Flags = []
    public init() {}
}

/// What a TLS ServerHello says.
@frozen
public struct TLSServerHello: Sendable, BitwiseCopyable {
    public var legacyVersion: UInt16 = 0
    /// supported_versions' selected version (TLS 1.3), else the legacy version.
    public var version: UInt16 = 0
    public var cipher: UInt16 = 0
    public init() {}
}

/// TLS handshake parsing (RFC 8446 §4.1.2–4.1.3, RFC 6066 §3, RFC 7301), pure functions.
public enum TLSHello {
    /// RFC 8446 §5.1: a record's plaintext is at most 2^14 bytes (+ 2048 for ciphertext expansion).
    public static let maxRecordLength = 16384 + 2048
    /// Cipher suites and extensions sorted for JA4. 2-byte IDs, so a ClientHello cannot list more
    /// than ~32 K, but real ones list < 100; more are counted and flagged, not hashed.
    public static let maxSortedIDs = 160
    /// Signature algorithms hashed for JA4 (real lists have < 40).
    public static let maxSignatureAlgorithms = 64

    @inlinable
    public static func isGREASE(_ v: UInt16) -> Bool { v & 0x0F0F == 0x0A0A && v >> 8 == v & 0xFF }

    /// Probe for a TLS record carrying a ClientHello or ServerHello (SSLv3 … TLS 1.3).
    public static func probe(_ p: UnsafeRawBufferPointer) -> ProbeVerdict {
        guard let t = p.u8(0) else { return .needMore }
        if t == 0x17 || t == 0x15 {
            // Picked up mid-connection: application data or an alert in a TLS 1.0–1.3 record
            // (1.3 fixes the record version to 0x0303, RFC 8446 §5.1), with a length TLS allows.
            guard let major = p.u8(1) else { return .needMore }
            guard major == 3 else { return .noMatch }
            guard let minor = p.u8(2) else { return .needMore }
            guard minor >= 1 && minor <= 3 else { return .noMatch }
            guard let len = p.u16(3) else { return .needMore }
            return len > 0 && Int(len) <= maxRecordLength ? .match : .noMatch
        }
        if t != 0x16 { return .noMatch }
        guard let major = p.u8(1) else { return .needMore }
        if major != 3 { return .noMatch }
        guard let minor = p.u8(2) else { return .needMore }
        if minor > 4 { return .noMatch }
        guard let len = p.u16(3) else { return .needMore }
        if len < 4 || Int(len) > maxRecordLength { return .noMatch }
        guard let hs = p.u8(5) else { return .needMore }
        return hs == 1 || hs == 2 ? .match : .noMatch
    }

    /// The handshake message of type `type` at the start of the TLS record stream `p` (record
    /// header included). `.needMore` until the whole message is present; the range is the message
    /// (handshake header included). Handshake messages split over several records are joined only
    /// when the first record holds the whole message (the common case); otherwise `.invalid`.
    public static func handshake(in p: UnsafeRawBufferPointer, type: UInt8) -> (ParseStatus, Range<Int>) {
        var at = 0
        // Skip ChangeCipherSpec records before the hello (middlebox compatibility mode).
        while true {
            guard let ct = p.u8(at), let major = p.u8(at + 1), let len = p.u16(at + 3) else { return (.needMore, 0..<0) }
            if ct == 0x14 && major == 3 { at += 5 + Int(len); continue }
            guard ct == 0x16, major == 3, Int(len) <= maxRecordLength else { return (.invalid, 0..<0) }
            let body = at + 5
            guard let hsType = p.u8(body) else { return (.needMore, 0..<0) }
            if hsType != type { return (.invalid, 0..<0) }
            guard let hsLen = p.u24(body + 1) else { return (.needMore, 0..<0) }
            if hsLen + 4 > Int(len) { return (.invalid, 0..<0) }
            if body + 4 + hsLen > p.count { return (.needMore, 0..<0) }
            return (.done, body..<body + 4 + hsLen)
        }
    }

    /// Handshake header (type, 24-bit length) and legacy version + 32-byte random: 4 + 2 + 32 bytes.
    static let helloFixedPartEnd = 38

    enum HelloStart {
        case status(ParseStatus)
        /// The whole message is present; it ends at `end`, and its legacy version is `version`.
        case fixedPart(end: Int, version: UInt16)
    }

    /// The start both hellos share: handshake type `type`, a complete message, and room for the
    /// legacy version, the random and at least one byte after them.
    @inline(__always)
    static func helloStart(_ hs: UnsafeRawBufferPointer, type: UInt8) -> HelloStart {
        guard let t = hs.u8(0) else { return .status(.needMore) }
        guard t == type else { return .status(.invalid) }
        guard let len = hs.u24(1) else { return .status(.needMore) }
        guard 4 + len <= hs.count else { return .status(.needMore) }
        guard let v = hs.u16(4), helloFixedPartEnd < 4 + len else { return .status(.invalid) }
        return .fixedPart(end: 4 + len, version: v)
    }

    /// Parses a ClientHello handshake message (`hs` starts at its type byte). `quic` selects JA4's
    /// `q` prefix. Ranges in the result index `hs`.
    public static func parseClientHello(_ hs: UnsafeRawBufferPointer, quic: Bool, into out: inout TLSClientHello) -> ParseStatus {
        var none = JA4HashCache(entries: 0)
        return parseClientHello(hs, quic: quic, cache: &none, into: &out)
    }

    /// The same, JA4's hashes looked up in (and added to) `cache` first; the result is the same.
    public static func parseClientHello(_ hs: UnsafeRawBufferPointer, quic: Bool, cache: inout JA4HashCache,
                                        into out: inout TLSClientHello) -> ParseStatus {
        let end: Int, v: UInt16
        switch helloStart(hs, type: 1) {
        case .status(let s): return s
        case .fixedPart(let e, let version): (end, v) = (e, version)
        }
        var p = helloFixedPartEnd
        out.legacyVersion = v
        guard let sidLen = hs.u8(p), p + 1 + Int(sidLen) + 2 <= end else { return .invalid }
        p += 1 + Int(sidLen)
        guard let csLen = hs.u16(p), p + 2 + Int(csLen) <= end, csLen % 2 == 0 else { return .invalid }
        let cipherStart = p + 2, cipherEnd = p + 2 + Int(csLen)
        p = cipherEnd
        guard let compLen = hs.u8(p), p + 1 + Int(compLen) <= end else { return .invalid }
        p += 1 + Int(compLen)

        var ciphers: InlineArray<160, UInt16> = .init(repeating: 0)
        var nc = 0
        var c = cipherStart
        while c < cipherEnd {
            let id = hs.u16(c)!
            if !isGREASE(id) {
                if nc < maxSortedIDs { ciphers[nc] = id } else { out.flags.insert(.textTruncated) }
                nc += 1
            }
            c += 2
        }
        out.cipherCount = nc

        var exts: InlineArray<160, UInt16> = .init(repeating: 0)
        var ne = 0, nHashed = 0
        var sigStart = 0, sigEnd = 0
        var highest: UInt16 = 0
        if p + 2 <= end {
            let extLen = Int(hs.u16(p)!)
            p += 2
            guard p + extLen <= end else { return .invalid }
            let extEnd = p + extLen
            while p + 4 <= extEnd {
                let et = hs.u16(p)!, el = Int(hs.u16(p + 2)!)
                let d = p + 4
                guard d + el <= extEnd else { out.flags.insert(.malformed); return .invalid }
                if !isGREASE(et) {
                    ne += 1
                    if et != 0x0000 && et != 0x0010 {
                        if nHashed < maxSortedIDs { exts[nHashed] = et; nHashed += 1 } else { out.flags.insert(.textTruncated) }
                    }
                }
                switch et {
                case 0x0000:  // server_name: list length, then (type, length, name) entries
                    out.hasSNI = true
                    if let t = hs.u8(d + 2), t == 0, let nl = hs.u16(d + 3), d + 5 + Int(nl) <= d + el {
                        out.sni = d + 5..<d + 5 + Int(nl)
                    } else if el > 0 { out.flags.insert(.malformed) }
                case 0x0010:  // ALPN: list length, then length-prefixed names
                    if let ll = hs.u16(d), d + 2 + Int(ll) <= d + el { out.alpnList = d + 2..<d + 2 + Int(ll) }
                    else { out.flags.insert(.malformed) }
                case 0x002b:  // supported_versions (client form: 1-byte length, then versions)
                    if let vl = hs.u8(d), d + 1 + Int(vl) <= d + el {
                        var q = d + 1
                        while q + 2 <= d + 1 + Int(vl) {
                            let ver = hs.u16(q)!
                            if !isGREASE(ver) && ver > highest && ver <= 0x0304 { highest = ver }
                            q += 2
                        }
                    }
                case 0x000d:  // signature_algorithms: 2-byte length, then IDs in client order
                    if let sl = hs.u16(d), d + 2 + Int(sl) <= d + el { sigStart = d + 2; sigEnd = d + 2 + Int(sl) }
                default: break
                }
                p = d + el
            }
        }
        out.extensionCount = ne
        out.highestVersion = highest != 0 ? highest : out.legacyVersion
        writeJA4(hs, quic: quic, out: &out, ciphers: &ciphers, nc: min(nc, maxSortedIDs),
                 exts: &exts, ne: nHashed, sig: sigStart..<sigEnd, cache: &cache)
        return .done
    }

    /// Parses a ServerHello handshake message.
    public static func parseServerHello(_ hs: UnsafeRawBufferPointer, into out: inout TLSServerHello) -> ParseStatus {
        let end: Int, v: UInt16
        switch helloStart(hs, type: 2) {
        case .status(let s): return s
        case .fixedPart(let e, let version): (end, v) = (e, version)
        }
        var p = helloFixedPartEnd
        out.legacyVersion = v
        out.version = v
        guard let sidLen = hs.u8(p), p + 1 + Int(sidLen) + 3 <= end else { return .invalid }
        p += 1 + Int(sidLen)
        out.cipher = hs.u16(p)!
        p += 3
        if p + 2 <= end {
            let extEnd = min(end, p + 2 + Int(hs.u16(p)!))
            p += 2
            while p + 4 <= extEnd {
                let et = hs.u16(p)!, el = Int(hs.u16(p + 2)!)
                if et == 0x002b, el == 2, let sv = hs.u16(p + 4), p + 6 <= extEnd { out.version = sv }
                p += 4 + el
            }
        }
        return .done
    }

    // MARK: JA4

    static func versionCode(_ v: UInt16) -> (UInt8, UInt8) {
        switch v {
        case 0x0304: (0x31, 0x33)
        case 0x0303: (0x31, 0x32)
        case 0x0302: (0x31, 0x31)
        case 0x0301: (0x31, 0x30)
        case 0x0300: (UInt8(ascii: "s"), 0x33)
        case 0x0002: (UInt8(ascii: "s"), 0x32)
        case 0xFEFF: (UInt8(ascii: "d"), 0x31)
        case 0xFEFD: (UInt8(ascii: "d"), 0x32)
        case 0xFEFC: (UInt8(ascii: "d"), 0x33)
        default: (0x30, 0x30)
        }
    }

    static let hexDigits: StaticString = "0123456789abcdef"

    static func isAlnum(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    static func sort(_ a: inout InlineArray<160, UInt16>, _ n: Int) {
        // Insertion sort: n < 100 in practice, no allocation.
        if n < 2 { return }
        for i in 1..<n {
            let x = a[i]
            var j = i - 1
            while j >= 0 && a[j] > x { a[j + 1] = a[j]; j -= 1 }
            a[j + 1] = x
        }
    }

    static func writeJA4(_ hs: UnsafeRawBufferPointer, quic: Bool, out: inout TLSClientHello,
                         ciphers: inout InlineArray<160, UInt16>, nc: Int,
                         exts: inout InlineArray<160, UInt16>, ne: Int, sig: Range<Int>, cache: inout JA4HashCache) {
        var j = 0
        func put(_ b: UInt8) { out.ja4[j] = b; j += 1 }
        put(quic ? UInt8(ascii: "q") : UInt8(ascii: "t"))
        let (v0, v1) = versionCode(out.highestVersion)
        put(v0); put(v1)
        put(out.hasSNI ? UInt8(ascii: "d") : UInt8(ascii: "i"))
        let cc = min(out.cipherCount, 99), ec = min(out.extensionCount, 99)
        put(UInt8(48 + cc / 10)); put(UInt8(48 + cc % 10))
        put(UInt8(48 + ec / 10)); put(UInt8(48 + ec % 10))
        // ALPN: first and last characters of the first value; hex nibbles if not alphanumeric.
        var a0 = UInt8(ascii: "0"), a1 = UInt8(ascii: "0")
        if out.alpnList.count >= 1, let l = hs.u8(out.alpnList.lowerBound), l > 0,
           out.alpnList.lowerBound + 1 + Int(l) <= out.alpnList.upperBound {
            let f = hs[out.alpnList.lowerBound + 1], e = hs[out.alpnList.lowerBound + Int(l)]
            if isAlnum(f) && isAlnum(e) { a0 = f; a1 = e } else {
                a0 = hexDigits.utf8Start[Int(f >> 4)]; a1 = hexDigits.utf8Start[Int(e & 0xF)]
            }
        }
        put(a0); put(a1)
        put(UInt8(ascii: "_"))
        var sigs: InlineArray<64, UInt16> = .init(repeating: 0)
        if nc == 0 {
            for _ in 0..<12 { put(0x30) }
        } else {
            sort(&ciphers, nc)
            let d = withUnsafeBytes(of: &ciphers) { c in
                withUnsafeBytes(of: &sigs) { cache.hexDigest(extensions: false, c.ids, nc, hasSig: false, $0.ids, 0) }
            }
            for i in 0..<12 { put(d[i]) }
        }
        put(UInt8(ascii: "_"))
        if ne == 0 {
            for _ in 0..<12 { put(0x30) }
        } else {
            sort(&exts, ne)
            // Signature algorithms in the client's order, GREASE left out.
            var q = sig.lowerBound, k = 0
            while q + 2 <= sig.upperBound && k < maxSignatureAlgorithms {
                let v = hs.u16(q)!
                if !isGREASE(v) { sigs[k] = v; k += 1 }
                q += 2
            }
            let d = withUnsafeBytes(of: &exts) { e in
                withUnsafeBytes(of: &sigs) { cache.hexDigest(extensions: true, e.ids, ne, hasSig: sig.count >= 2, $0.ids, k) }
            }
            for i in 0..<12 { put(d[i]) }
        }
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes of an `InlineArray<_, UInt16>` as its elements.
    fileprivate var ids: UnsafePointer<UInt16> { baseAddress!.assumingMemoryBound(to: UInt16.self) }
}
