import Testing
import Crypto
import CPacketCrypto
@testable import AppProtocols

/// SHA-256, HMAC/HKDF and AES-128-GCM of `CPacketCrypto` and their Swift wrappers, on both the
/// accelerated (SHA-NI, AES-NI, PCLMULQDQ) and the portable code, against published vectors and
/// against swift-crypto.
@Suite(.serialized) struct PacketCryptoTests {
    /// Runs `body` on the CPU's fastest code, on the portable code built for BMI2 (when the CPU
    /// has it), and on the portable code built for any x86-64.
    func bothPaths(_ body: (String) throws -> Void) rethrows {
        try body("accelerated \(tl_crypto_accelerated())")
        defer { tl_crypto_force_portable(0) }
        tl_crypto_force_portable(2)
        if tl_crypto_accelerated() & 4 != 0 { try body("portable, BMI2") }
        tl_crypto_force_portable(1)
        try body("portable")
    }

    func sha256(_ bytes: [UInt8], byteByByte: Bool = false) -> [UInt8] {
        var h = SHA256Stream()
        if byteByByte { bytes.forEach { h.update($0) } } else { bytes.withUnsafeBytes { h.update($0) } }
        var d = h.finish()
        return withUnsafeBytes(of: &d) { Array($0) }
    }

    @Test func sha256FIPS180KnownAnswers() {
        bothPaths { path in
            // FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf").
            #expect(sha256(Array("abc".utf8)) == hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), "\(path)")
            #expect(sha256([]) == hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), "\(path)")
            #expect(sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                    == hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"), "\(path)")
            let two = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
            #expect(sha256(Array(two.utf8)) == hex("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"), "\(path)")
            #expect(sha256([UInt8](repeating: 0x61, count: 1_000_000))
                    == hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"), "\(path)")
        }
    }

    @Test func sha256MatchesSwiftCryptoAtEveryLengthAndSplit() {
        var r = FuzzRandom(seed: 3)
        bothPaths { path in
            for n in 0..<300 {
                let m = (0..<n).map { _ in UInt8(truncatingIfNeeded: r.next()) }
                let want = Array(Crypto.SHA256.hash(data: m))
                #expect(sha256(m) == want, "\(path) length \(n)")
                #expect(sha256(m, byteByByte: true) == want, "\(path) length \(n) bytewise")
                // Fed in two pieces split anywhere.
                let cut = n == 0 ? 0 : Int(r.next() % UInt64(n + 1))
                var h = SHA256Stream()
                m[..<cut].withUnsafeBytes { h.update($0) }
                m[cut...].withUnsafeBytes { h.update($0) }
                var d = h.finish()
                #expect(withUnsafeBytes(of: &d) { Array($0) } == want, "\(path) length \(n) cut \(cut)")
            }
        }
    }

    @Test func hmacAndHKDFKnownAnswers() {
        // RFC 4231 §4.3 (test case 2).
        let jefe = Array("Jefe".utf8)
        let mac = jefe.withUnsafeBytes { k in
            Array("what do ya want for nothing?".utf8).withUnsafeBytes { HMACSHA256(key: k).extract($0) }
        }
        #expect((0..<32).map { mac[$0] } == hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
        // RFC 5869 A.1: HKDF-Extract.
        let prk = hex("000102030405060708090a0b0c").withUnsafeBytes { salt in
            [UInt8](repeating: 0x0b, count: 22).withUnsafeBytes { HMACSHA256(key: salt).extract($0) }
        }
        #expect((0..<32).map { prk[$0] } == hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"))
        // RFC 4231 §4.7 (test case 6): a 131-byte key is hashed first.
        let long = [UInt8](repeating: 0xaa, count: 131).withUnsafeBytes { k in
            Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8).withUnsafeBytes { HMACSHA256(key: k).extract($0) }
        }
        #expect((0..<32).map { long[$0] } == hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"))
    }

    @Test func rfc9001AndRFC9369InitialKeys() {
        bothPaths { path in
            // RFC 9001 A.1 and RFC 9369 A.1.
            let dcid = hex("8394c8f03e515708")
            let v1 = QUICInitialKeys(dcid: dcid)
            #expect(v1.key == hex("1f369613dd76d5467730efcbe3b1a22d") && v1.iv == hex("fa044b2f42a3fd3b46fb255c")
                    && v1.headerProtection == hex("9f50449e04a0e810283a1e9933adedd2"), "\(path)")
            #expect(QUICInitialKeys(dcid: dcid, isClient: false).key == hex("cf3a5331653c364c88f0f379b6067e37"), "\(path)")
            #expect(v1.mask(sample: hex("d1b1c98dd7689fb8ec11d242b123dc9b")) == hex("437b9aec36"), "\(path)")
            let v2 = QUICInitialKeys(dcid: dcid, version: QUICInitialKeys.version2)
            #expect(v2.key == hex("8b1a0bc121284290a29e0971b5cd045d") && v2.iv == hex("91f73e2351d8fa91660e909f")
                    && v2.headerProtection == hex("45b95e15235d6f45a6b19cbcb0294ba9"), "\(path)")
            #expect(v2.mask(sample: hex("ffe67b6abcdb4298b485dd04de806071")) == hex("94a0c95e80"), "\(path)")
        }
    }

    func decrypt(_ dgram: [UInt8], _ workspace: inout QUICInitialWorkspace) -> (Bool, UInt32, [UInt8]) {
        var crypto = [UInt8](repeating: 0, count: 4096)
        var ranges = ByteRanges()
        var end = 0
        let r = crypto.withUnsafeMutableBytes { c in
            dgram.withUnsafeBytes { QUICInitial.decryptClientInitials($0, workspace: &workspace, crypto: c, filled: &ranges, cryptoEnd: &end) }
        }
        return (r.decrypted, r.version, Array(crypto.prefix(ranges.contiguous)))
    }

    @Test func rfcAppendixAPacketsDecrypt() {
        let hello = Array(RFCQUICVectors.cryptoFrame[4...])  // CRYPTO frame header: type, offset 0, length 0x40f1
        #expect(hello.count == 241)
        bothPaths { path in
            var ws = QUICInitialWorkspace()
            let v1 = decrypt(RFCQUICVectors.version1Packet, &ws)
            #expect(v1.0 && v1.1 == QUICInitialKeys.version1 && v1.2 == hello, "\(path) v1")
            let v2 = decrypt(RFCQUICVectors.version2Packet, &ws)
            #expect(v2.0 && v2.1 == QUICInitialKeys.version2 && v2.2 == hello, "\(path) v2")
            // The same DCID and version again: the keys are reused, not derived again.
            #expect(decrypt(RFCQUICVectors.version2Packet, &ws).2 == hello, "\(path)")
            #expect(ws.derivations == 2 && ws.reuses == 1, "\(path)")
            var ch = TLSClientHello()
            #expect(hello.withUnsafeBytes { TLSHello.parseClientHello($0, quic: true, into: &ch) } == .done)
            #expect(String(decoding: hello[ch.sni], as: UTF8.self) == "example.com")
            // Any flipped bit of the protected packet fails authentication.
            for i in stride(from: 0, to: 1200, by: 37) {
                var bad = RFCQUICVectors.version1Packet
                bad[i] ^= 0x10
                #expect(!decrypt(bad, &ws).0, "\(path) bit flipped at \(i)")
            }
        }
    }

    @Test func aes128AndGCMKnownAnswersAndSwiftCrypto() throws {
        // FIPS 197 C.1 and the GCM specification's test case 4 (McGrew and Viega).
        var k = QUICAES128Key()
        hex("000102030405060708090a0b0c0d0e0f").withUnsafeBytes { k.expand($0) }
        var out = hex("00112233445566778899aabbccddeeff").withUnsafeBytes { k.encryptBlock($0.baseAddress!) }
        #expect(withUnsafeBytes(of: &out) { Array($0) } == hex("69c4e0d86a7b0430d8cdb78070b4c55a"))
        var r = FuzzRandom(seed: 5)
        try bothPaths { path in
            var g = QUICAES128Key()
            hex("feffe9928665731c6d6a8f9467308308").withUnsafeBytes { g.expand($0) }
            let iv = hex("cafebabefacedbaddecaf888")
            let aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
            let ct = hex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091")
            let tag = hex("5bc94fbc3221a5db94fae95ae7121a47")
            let plain = hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
            var nonce: InlineArray<12, UInt8> = .init(repeating: 0)
            for i in 0..<12 { nonce[i] = iv[i] }
            var got = [UInt8](repeating: 0, count: ct.count)
            let ok = aad.withUnsafeBytes { a in ct.withUnsafeBytes { c in tag.withUnsafeBytes { t in got.withUnsafeMutableBytes { o in
                g.open(nonce: nonce, aad: a, ciphertext: c.baseAddress!, count: c.count, tag: t.baseAddress!, into: o.baseAddress!)
            } } } }
            #expect(ok && got == plain, "\(path)")
            // Random keys, nonces and lengths sealed by swift-crypto open here.
            for _ in 0..<200 {
                let key = (0..<16).map { _ in UInt8(truncatingIfNeeded: r.next()) }
                let n = (0..<12).map { _ in UInt8(truncatingIfNeeded: r.next()) }
                let a = (0..<Int(r.next() % 60)).map { _ in UInt8(truncatingIfNeeded: r.next()) }
                let p = (0..<Int(r.next() % 1300)).map { _ in UInt8(truncatingIfNeeded: r.next()) }
                let box = try AES.GCM.seal(p, using: SymmetricKey(data: key), nonce: AES.GCM.Nonce(data: n), authenticating: a)
                let c = Array(box.ciphertext), t = Array(box.tag)
                var ek = QUICAES128Key()
                key.withUnsafeBytes { ek.expand($0) }
                for i in 0..<12 { nonce[i] = n[i] }
                var o = [UInt8](repeating: 0, count: max(1, c.count))
                let opened = a.withUnsafeBytes { ab in c.withUnsafeBytes { cb in t.withUnsafeBytes { tb in o.withUnsafeMutableBytes { ob in
                    ek.open(nonce: nonce, aad: ab, ciphertext: cb.baseAddress ?? tb.baseAddress!, count: cb.count, tag: tb.baseAddress!, into: ob.baseAddress!)
                } } } }
                #expect(opened && Array(o.prefix(p.count)) == p, "\(path) \(p.count) bytes, \(a.count) of AAD")
            }
        }
    }
}
