import Testing
import AppProtocols
import Synth

@Suite struct QUICInitialTests {
    static let dcid: [UInt8] = [0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08]

    /// Decrypts a datagram's Initials and parses the ClientHello from the CRYPTO stream.
    func open(_ dgram: [UInt8]) -> (decrypted: Bool, version: UInt32, sni: String?, status: ParseStatus) {
        var crypto = [UInt8](repeating: 0, count: 4096)
        var ranges = ByteRanges()
        var end = 0
        var workspace = QUICInitialWorkspace()
        let r = crypto.withUnsafeMutableBytes { c in
            dgram.withUnsafeBytes { QUICInitial.decryptClientInitials($0, workspace: &workspace, crypto: c, filled: &ranges, cryptoEnd: &end) }
        }
        let hs = Array(crypto.prefix(ranges.contiguous))
        var ch = TLSClientHello()
        let st = hs.withUnsafeBytes { TLSHello.parseClientHello($0, quic: true, into: &ch) }
        return (r.decrypted, r.version, ch.sni.isEmpty ? nil : String(decoding: hs[ch.sni], as: UTF8.self), st)
    }

    func initial(sni: String = "quic.example.net", pn: UInt32 = 0) throws -> [UInt8] {
        var spec = HelloSpec(); spec.sni = sni; spec.alpn = ["h3"]
        return try Synth.QUICInitial.protect(dcid: Self.dcid, scid: [1, 2, 3, 4], packetNumber: pn, cryptoData: spec.handshake())
    }

    @Test func rfc9369Version2InitialKeys() {
        // RFC 9369 Appendix A.1: client Initial keys for DCID 0x8394c8f03e515708.
        let k = QUICInitialKeys(dcid: Self.dcid, version: QUICInitialKeys.version2)
        #expect(k.key == hex("8b1a0bc121284290a29e0971b5cd045d"))
        #expect(k.iv == hex("91f73e2351d8fa91660e909f"))
        #expect(k.headerProtection == hex("45b95e15235d6f45a6b19cbcb0294ba9"))
    }

    @Test func goldenInitialDecrypts() throws {
        let d = try initial()
        #expect(d.withUnsafeBytes { QUICInitial.probe($0) } == .match)
        let r = open(d)
        #expect(r.decrypted && r.version == 1 && r.status == .done && r.sni == "quic.example.net")
    }

    @Test func coalescedAndZeroRTTPacketsAreSkipped() throws {
        let d = try initial()
        // A 0-RTT packet (type 01) after the Initial, and one before it: neither decrypts, the
        // Initial still does.
        var zeroRTT: [UInt8] = [0xD0, 0, 0, 0, 1, 8] + Self.dcid + [0]
        zeroRTT.u16(0x4000 | 40); zeroRTT += [UInt8](repeating: 0x55, count: 40)
        #expect(open(d + zeroRTT).sni == "quic.example.net")
        #expect(open(zeroRTT + d).sni == "quic.example.net")
        // Padding after the last packet (zeros) is not a packet.
        #expect(open(d + [UInt8](repeating: 0, count: 30)).sni == "quic.example.net")
    }

    @Test func truncationAndCorruptionNeverTrapOrDecrypt() throws {
        let d = try initial()
        for n in stride(from: 0, to: d.count, by: 1) {
            let r = open(Array(d.prefix(n)))
            #expect(!r.decrypted, "prefix \(n)")
        }
        var bad = d
        bad[bad.count - 1] ^= 1  // the tag
        #expect(!open(bad).decrypted)
        // A length field past the datagram.
        var long = d
        long[long.count - 1] = 0
        long = Array(long.prefix(100))
        #expect(!open(long).decrypted)
    }

    @Test func cryptoFramesOutOfOrderJoinByOffset() {
        // Two CRYPTO frames (offset 5 then 0) then PADDING, as decrypted frames.
        let hello: [UInt8] = Array(0..<10)
        var f: [UInt8] = [0x06, 5, 5] + hello[5..<10]
        f += [0x06, 0, 5] + hello[0..<5]
        f += [0, 0, 0]
        var crypto = [UInt8](repeating: 0, count: 64)
        var ranges = ByteRanges()
        var end = 0
        crypto.withUnsafeMutableBytes { c in f.withUnsafeBytes { QUICInitial.collectCrypto($0, crypto: c, filled: &ranges, cryptoEnd: &end) } }
        #expect(ranges.contiguous == 10 && Array(crypto.prefix(10)) == hello && end == 10)
    }

    @Test func fuzzNeverTraps() throws {
        var r = FuzzRandom(seed: 11)
        let seed = try initial()
        for _ in 0..<600 {
            let b = r.mutate(seed)
            _ = open(b)
            _ = b.withUnsafeBytes { QUICInitial.probe($0) }
        }
        for _ in 0..<5000 {
            let b = r.mutate([0x06, 0, 4, 1, 2, 3, 4, 0x02, 1, 0, 0, 0])
            var crypto = [UInt8](repeating: 0, count: 128)
            var ranges = ByteRanges()
            var end = 0
            crypto.withUnsafeMutableBytes { c in b.withUnsafeBytes { QUICInitial.collectCrypto($0, crypto: c, filled: &ranges, cryptoEnd: &end) } }
            #expect(end <= 128)
        }
    }
}
