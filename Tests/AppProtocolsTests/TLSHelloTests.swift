import Testing
import Crypto
@testable import AppProtocols

/// A ClientHello built field by field, and JA4 computed here independently (strings and
/// swift-crypto's SHA-256) to check the parser's allocation-free version.
struct HelloSpec {
    var ciphers: [Int] = [0x0a0a, 0x1301, 0x1302, 0xc02b, 0x002f]
    var sni: String? = "www.example.com"
    var alpn: [String] = ["h2", "http/1.1"]
    var versions: [Int] = [0x3a3a, 0x0304, 0x0303]
    var sigalgs: [Int] = [0x0403, 0x0804, 0x0401]
    var extraExtensions: [Int] = [0x2a2a, 0x000a, 0x0017]

    func extensions() -> [(Int, [UInt8])] {
        var out: [(Int, [UInt8])] = []
        for e in extraExtensions { out.append((e, [])) }
        if let sni {
            var d: [UInt8] = []; d.u16(sni.utf8.count + 3); d.u8(0); d.u16(sni.utf8.count); d.bytes(sni)
            out.append((0x0000, d))
        }
        if !alpn.isEmpty {
            var list: [UInt8] = []
            for a in alpn { list.u8(a.utf8.count); list.bytes(a) }
            var d: [UInt8] = []; d.u16(list.count); d += list
            out.append((0x0010, d))
        }
        if !versions.isEmpty {
            var d: [UInt8] = []; d.u8(versions.count * 2); for v in versions { d.u16(v) }
            out.append((0x002b, d))
        }
        if !sigalgs.isEmpty {
            var d: [UInt8] = []; d.u16(sigalgs.count * 2); for v in sigalgs { d.u16(v) }
            out.append((0x000d, d))
        }
        return out
    }

    /// Handshake message: 01 len24 | 0303 random32 | sid 00 | ciphers | comp 01 00 | extensions.
    func handshake() -> [UInt8] {
        var body: [UInt8] = []
        body.u16(0x0303); body += [UInt8](repeating: 7, count: 32); body.u8(0)
        body.u16(ciphers.count * 2); for c in ciphers { body.u16(c) }
        body += [1, 0]
        var exts: [UInt8] = []
        for (t, d) in extensions() { exts.u16(t); exts.u16(d.count); exts += d }
        body.u16(exts.count); body += exts
        var hs: [UInt8] = [1]; hs.u24(body.count); hs += body
        return hs
    }

    /// The handshake in one TLS record: 16 0301 len16.
    func record() -> [UInt8] {
        let hs = handshake()
        var r: [UInt8] = [0x16, 0x03, 0x01]; r.u16(hs.count); r += hs
        return r
    }

    static func grease(_ v: Int) -> Bool { v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff }

    func ja4(quic: Bool = false) -> String {
        func h4(_ v: Int) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: 4 - s.count) + s }
        func sha12(_ s: String) -> String {
            SHA256.hash(data: Array(s.utf8)).map { b in let x = String(b, radix: 16); return x.count == 1 ? "0" + x : x }
                .joined().prefix(12).description
        }
        let cs = ciphers.filter { !Self.grease($0) }
        let exts = extensions().map { $0.0 }.filter { !Self.grease($0) }
        let vs = versions.filter { !Self.grease($0) }
        let top = vs.max() ?? 0x0303
        let ver = [0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10"][top] ?? "00"
        var a = (quic ? "q" : "t") + ver + (sni != nil ? "d" : "i")
        a += String(format2(min(cs.count, 99))) + String(format2(min(exts.count, 99)))
        if let first = alpn.first, let f = first.first, let l = first.last { a += "\(f)\(l)" } else { a += "00" }
        let b = cs.isEmpty ? "000000000000" : sha12(cs.sorted().map(h4).joined(separator: ","))
        let sortedExts = exts.filter { $0 != 0 && $0 != 0x10 }.sorted().map(h4).joined(separator: ",")
        let sig = sigalgs.filter { !Self.grease($0) }.map(h4).joined(separator: ",")
        let c = exts.isEmpty ? "000000000000" : sha12(sig.isEmpty ? sortedExts : sortedExts + "_" + sig)
        return a + "_" + b + "_" + c
    }

    func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

func ja4String(_ ch: TLSClientHello) -> String { withUnsafeBytes(of: ch.ja4) { String(decoding: $0, as: UTF8.self) } }

@Suite struct TLSHelloTests {
    func client(_ spec: HelloSpec, quic: Bool = false) -> (ParseStatus, TLSClientHello, String?, String) {
        let hs = spec.handshake()
        var ch = TLSClientHello()
        let st = hs.withUnsafeBytes { TLSHello.parseClientHello($0, quic: quic, into: &ch) }
        let sni = ch.sni.isEmpty ? nil : String(decoding: hs[ch.sni], as: UTF8.self)
        let alpn = String(decoding: hs[ch.alpnList], as: UTF8.self)
        return (st, ch, sni, alpn)
    }

    @Test func sha256KnownAnswers() {
        func hexDigest(_ s: String) -> String {
            var h = SHA256Stream()
            s.utf8.forEach { h.update($0) }
            let d = h.finish()
            return (0..<32).map { i in let x = String(d[i], radix: 16); return x.count == 1 ? "0" + x : x }.joined()
        }
        #expect(hexDigest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hexDigest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // 56 bytes: the padding spills into a second block.
        #expect(hexDigest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func goldenClientHello() {
        let spec = HelloSpec()
        let (st, ch, sni, _) = client(spec)
        #expect(st == .done)
        #expect(sni == "www.example.com")
        #expect(ch.highestVersion == 0x0304 && ch.legacyVersion == 0x0303)
        #expect(ch.cipherCount == 4 && ch.extensionCount == 6)
        #expect(ja4String(ch) == spec.ja4())
        #expect(ja4String(ch).hasPrefix("t13d0406h2_"))
    }

    @Test func ja4Variants() {
        var s = HelloSpec()
        s.sni = nil; s.alpn = []; s.versions = []; s.sigalgs = []
        let (st, ch, _, _) = client(s)
        #expect(st == .done && ja4String(ch) == s.ja4() && ja4String(ch).hasPrefix("t12i040200_"))
        var q = HelloSpec()
        q.alpn = ["h3"]
        #expect(ja4String(client(q, quic: true).1) == q.ja4(quic: true))
        // Non-alphanumeric ALPN first/last characters become hex nibbles.
        var odd = HelloSpec(); odd.alpn = ["*x!"]
        #expect(ja4String(client(odd).1).dropFirst(8).prefix(2) == "21")
        // No ciphers and no extensions hash to zeros.
        var empty = HelloSpec(); empty.ciphers = []; empty.sni = nil; empty.alpn = []; empty.versions = []
        empty.sigalgs = []; empty.extraExtensions = []
        #expect(ja4String(client(empty).1) == "t12i000000_000000000000_000000000000")
    }

    @Test func ja4CacheGivesTheSameFingerprints() {
        // Random hellos, many repeating (same lists in another order, so the sorted key repeats),
        // some too long for an entry; a 4-entry cache forces slot collisions and replacements.
        var cache = JA4HashCache(entries: 4)
        var state: UInt64 = 7
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % n
        }
        var specs: [HelloSpec] = []
        for v in 0..<12 {
            var s = HelloSpec()
            s.ciphers = (0..<(v == 11 ? 120 : 3 + v)).map { 0x1300 + $0 * 7 }
            s.extraExtensions = (0..<(2 + v % 5)).map { 0x0017 + $0 * 3 }
            s.sigalgs = v % 3 == 0 ? [] : (0..<(v % 4 + 1)).map { 0x0401 + $0 }
            specs.append(s)
        }
        for _ in 0..<400 {
            var s = specs[next(specs.count)]
            var g = SeededGenerator(state: UInt64(next(1 << 30)))
            s.ciphers.shuffle(using: &g)
            s.extraExtensions.shuffle(using: &g)
            let hs = s.handshake()
            var cached = TLSClientHello(), plain = TLSClientHello()
            let st = hs.withUnsafeBytes { TLSHello.parseClientHello($0, quic: false, cache: &cache, into: &cached) }
            #expect(st == .done)
            #expect(hs.withUnsafeBytes { TLSHello.parseClientHello($0, quic: false, into: &plain) } == .done)
            #expect(ja4String(cached) == ja4String(plain) && ja4String(plain) == s.ja4())
        }
        let (hits, misses, uncached) = (cache.hits, cache.misses, cache.uncached)
        #expect(hits > 0 && misses > 0 && uncached > 0)
        #expect(hits + misses + uncached == 800)
    }

    @Test func recordFramingAndTruncationAtEveryOffset() {
        let r = HelloSpec().record()
        for n in 0..<r.count {
            let (st, _) = Array(r.prefix(n)).withUnsafeBytes { TLSHello.handshake(in: $0, type: 1) }
            #expect(st == .needMore, "prefix \(n)")
            let v = Array(r.prefix(n)).withUnsafeBytes { TLSHello.probe($0) }
            #expect(v == (n < 6 ? .needMore : .match))
        }
        let (st, range) = r.withUnsafeBytes { TLSHello.handshake(in: $0, type: 1) }
        #expect(st == .done && range == 5..<r.count)
        let hs = HelloSpec().handshake()
        for n in 0..<hs.count {
            var ch = TLSClientHello()
            #expect(Array(hs.prefix(n)).withUnsafeBytes { TLSHello.parseClientHello($0, quic: false, into: &ch) } == .needMore)
        }
    }

    @Test func hostileLengths() {
        var hs = HelloSpec().handshake()
        // Extension block length beyond the message.
        let extLenAt = 4 + 2 + 32 + 1 + 2 + 10 + 2
        hs[extLenAt] = 0xFF
        var ch = TLSClientHello()
        #expect(hs.withUnsafeBytes { TLSHello.parseClientHello($0, quic: false, into: &ch) } == .invalid)
        // SNI name length beyond its extension: no SNI, flagged.
        var s = HelloSpec(); s.extraExtensions = []
        var b = s.handshake()
        let sniAt = extLenAt + 2 + 4 + 3  // ext header, list length, name type → name length
        b[sniAt] = 0x7F
        var c = TLSClientHello()
        #expect(b.withUnsafeBytes { TLSHello.parseClientHello($0, quic: false, into: &c) } == .done)
        #expect(c.sni.isEmpty && c.flags.contains(.malformed) && c.hasSNI)
        // Zero-length SNI and ALPN names.
        var z = HelloSpec(); z.sni = ""; z.alpn = [""]
        let (st, zc, sni, _) = client(z)
        #expect(st == .done && sni == nil && zc.hasSNI)
        #expect(ja4String(zc).dropFirst(8).prefix(2) == "00")
        // A record that claims more than TLS allows is not TLS.
        #expect(hex("16 0303 ffff 01").withUnsafeBytes { TLSHello.probe($0) } == .noMatch)
    }

    @Test func serverHelloVersionAndCipher() {
        // 02 len | 0303 random | sid 00 | 1301 | 00 | ext len | 002b 0002 0304
        var body: [UInt8] = []
        body.u16(0x0303); body += [UInt8](repeating: 1, count: 32); body.u8(0); body.u16(0x1301); body.u8(0)
        body.u16(6); body.u16(0x002b); body.u16(2); body.u16(0x0304)
        var hs: [UInt8] = [2]; hs.u24(body.count); hs += body
        var sh = TLSServerHello()
        #expect(hs.withUnsafeBytes { TLSHello.parseServerHello($0, into: &sh) } == .done)
        #expect(sh.version == 0x0304 && sh.legacyVersion == 0x0303 && sh.cipher == 0x1301)
        for n in 0..<hs.count {
            var x = TLSServerHello()
            #expect(Array(hs.prefix(n)).withUnsafeBytes { TLSHello.parseServerHello($0, into: &x) } == .needMore)
        }
    }

    @Test func fuzzNeverTraps() {
        var r = FuzzRandom(seed: 7)
        let seeds = [HelloSpec().record(), HelloSpec().handshake()]
        for i in 0..<20_000 {
            let b = r.mutate(seeds[i % 2])
            b.withUnsafeBytes { p in
                var ch = TLSClientHello()
                _ = TLSHello.parseClientHello(p, quic: false, into: &ch)
                var sh = TLSServerHello()
                _ = TLSHello.parseServerHello(p, into: &sh)
                _ = TLSHello.handshake(in: p, type: 1)
                #expect(ch.sni.upperBound <= p.count && ch.alpnList.upperBound <= p.count)
            }
        }
    }
}

/// An LCG, for deterministic shuffles.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state ^ (state >> 29)
    }
}
