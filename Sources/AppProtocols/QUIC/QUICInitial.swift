/// QUIC long-header parsing and client Initial decryption (RFC 9000 §17.2, RFC 9001 §5,
/// RFC 9369 for version 2). The CRYPTO frames' bytes are written at their stream offsets into a
/// caller-owned buffer, so a ClientHello spread over several Initial packets is joined there.
public enum QUICInitial {
    /// RFC 9000 §17.2: connection IDs in version 1 and 2 are at most 20 bytes.
    public static let maxConnectionIDLength = 20
    /// RFC 9001 §5.4.2: the header protection sample is 16 bytes taken 4 bytes after the packet
    /// number's start; the AEAD tag is 16 bytes.
    public static let sampleLength = 16
    public static let tagLength = 16
    /// Coalesced packets walked per datagram (RFC 9000 §12.2: Initial, 0-RTT, Handshake … —
    /// more than a few is hostile).
    public static let maxCoalesced = 4
    /// Frames walked per decrypted packet (a client Initial has CRYPTO, PADDING, PING, ACK).
    public static let maxFrames = 64

    /// A long header's version and whether it is an Initial, without decrypting.
    public static func probe(_ p: UnsafeRawBufferPointer) -> ProbeVerdict {
        guard let b0 = p.u8(0), let v = p.u32(1) else { return .needMore }
        guard b0 & 0xC0 == 0xC0 else { return .noMatch }
        guard let dl = p.u8(5), Int(dl) <= maxConnectionIDLength else { return .noMatch }
        // Known versions, drafts (0xff0000xx), and the version-negotiation-forcing pattern 0x?a?a?a?a.
        let known = QUICInitialKeys.isSupported(v) || QUICInitialKeys.draft(of: v) != 0
        guard known else { return .noMatch }
        // A client Initial fills its datagram to 1200 bytes (RFC 9000 §14.1); 0-RTT and Handshake
        // packets may come first and be short, so only Initials are held to the size.
        let type = (b0 >> 4) & 0x03
        let isInitial = v == QUICInitialKeys.version2 ? type == 1 : type == 0
        return !isInitial || p.count >= 1200 - 64 ? .match : .noMatch
    }

    /// Reads a variable-length integer (RFC 9000 §16) at `at`; nil past the end.
    static func varint(_ p: UnsafeRawBufferPointer, _ at: inout Int) -> Int? {
        guard let b = p.u8(at) else { return nil }
        let n = 1 << Int(b >> 6)
        guard at + n <= p.count else { return nil }
        var v = Int(b & 0x3F)
        for i in 1..<n { v = v << 8 | Int(p[at + i]) }
        at += n
        return v
    }

    /// Decrypts every client Initial packet in a datagram and writes the CRYPTO frames' data into
    /// `crypto` at their offsets, raising `cryptoEnd` to the highest byte written and recording
    /// the ranges written in `filled` (its contiguous prefix is what a parser may read).
    /// Returns the version of the first long-header packet (0 if none) and whether any Initial
    /// decrypted. Allocates nothing: keys and plaintext live in `workspace`.
    public static func decryptClientInitials(_ dgram: UnsafeRawBufferPointer, workspace: inout QUICInitialWorkspace,
                                             crypto: UnsafeMutableRawBufferPointer,
                                             filled: inout ByteRanges, cryptoEnd: inout Int) -> (version: UInt32, decrypted: Bool) {
        var at = 0
        var version: UInt32 = 0
        var decrypted = false
        var packets = 0
        while at < dgram.count && packets < maxCoalesced {
            packets += 1
            let start = at
            guard let b0 = dgram.u8(at), b0 & 0x80 != 0, let v = dgram.u32(at + 1) else { break }
            if version == 0 { version = v }
            var p = at + 5
            guard let dl = dgram.u8(p), Int(dl) <= maxConnectionIDLength, p + 1 + Int(dl) <= dgram.count else { break }
            let dcid = dgram.slice(p + 1..<p + 1 + Int(dl))
            p += 1 + Int(dl)
            guard let sl = dgram.u8(p), Int(sl) <= maxConnectionIDLength else { break }
            p += 1 + Int(sl)
            let type = (b0 >> 4) & 0x03
            let isInitial = v == QUICInitialKeys.version2 ? type == 1 : type == 0
            if isInitial {
                guard let tokenLength = varint(dgram, &p), tokenLength <= dgram.count else { break }
                p += tokenLength
            }
            guard QUICInitialKeys.isSupported(v), let length = varint(dgram, &p), length >= 20,
                  p + length <= dgram.count
            else { break }
            let pnOffset = p
            let end = p + length
            at = end
            guard isInitial else { continue }  // 0-RTT / Handshake: not decryptable from the wire alone
            if openInitial(dgram, b0: b0, headerStart: start, pnOffset: pnOffset, end: end, dcid: dcid, version: v,
                           workspace: &workspace, crypto: crypto, filled: &filled, cryptoEnd: &cryptoEnd) {
                decrypted = true
            }
        }
        return (version, decrypted)
    }

    /// Removes header protection (RFC 9001 §5.4), opens the payload (§5.3) into the workspace and
    /// collects its CRYPTO frames. The caller has checked that `d[headerStart..<end]` is one
    /// packet inside the datagram with `end - pnOffset >= 20`.
    static func openInitial(_ d: UnsafeRawBufferPointer, b0: UInt8, headerStart: Int, pnOffset: Int, end: Int,
                            dcid: UnsafeRawBufferPointer, version: UInt32, workspace: inout QUICInitialWorkspace,
                            crypto: UnsafeMutableRawBufferPointer, filled: inout ByteRanges, cryptoEnd: inout Int) -> Bool {
        guard pnOffset + 4 + sampleLength <= end, let base = d.baseAddress else { return false }
        workspace.prepare(dcid: dcid, version: version)
        let mask = workspace.protection.hp.encryptBlock(base + pnOffset + 4)
        let first = b0 ^ (mask[0] & 0x0F)
        let pnLength = Int(first & 0x03) + 1
        let bodyStart = pnOffset + pnLength
        let headerLength = bodyStart - headerStart
        guard bodyStart + tagLength <= end else { return false }
        let count = end - tagLength - bodyStart
        let scratch = workspace.scratch
        guard headerLength + count <= scratch.count else { return false }
        // The associated data is the header with protection removed; it goes to the scratch
        // buffer's start and the plaintext right after it.
        let aad = scratch.baseAddress!
        aad.copyMemory(from: base + headerStart, byteCount: pnOffset - headerStart)
        aad.storeBytes(of: first, as: UInt8.self)
        var pn: UInt64 = 0
        for i in 0..<pnLength {
            let byte = d[pnOffset + i] ^ mask[1 + i]
            aad.storeBytes(of: byte, toByteOffset: pnOffset - headerStart + i, as: UInt8.self)
            pn = pn << 8 | UInt64(byte)
        }
        let plain = aad + headerLength
        guard workspace.protection.aead.open(nonce: workspace.protection.nonce(packetNumber: pn),
                                             aad: UnsafeRawBufferPointer(start: aad, count: headerLength),
                                             ciphertext: base + bodyStart, count: count, tag: base + end - tagLength, into: plain)
        else { return false }
        collectCrypto(UnsafeRawBufferPointer(start: plain, count: count), crypto: crypto, filled: &filled, cryptoEnd: &cryptoEnd)
        return true
    }

    /// Walks decrypted frames, copying CRYPTO data into `crypto` at its offset (bounded by its size).
    public static func collectCrypto(_ f: UnsafeRawBufferPointer, crypto: UnsafeMutableRawBufferPointer,
                                     filled: inout ByteRanges, cryptoEnd: inout Int) {
        var p = 0
        var frames = 0
        while p < f.count && frames < maxFrames {
            frames += 1
            guard let type = varint(f, &p) else { return }
            switch type {
            case 0x00:  // PADDING: a run of zero bytes counts as one frame
                // Eight bytes per step: a client Initial is padded to 1200 bytes, mostly this run.
                while p + 8 <= f.count && f.loadUnaligned(fromByteOffset: p, as: UInt64.self) == 0 { p += 8 }
                while p < f.count && f[p] == 0 { p += 1 }
            case 0x01: continue  // PING
            case 0x02, 0x03:  // ACK: largest, delay, range count, first range, ranges [, ECN counts]
                guard varint(f, &p) != nil, varint(f, &p) != nil, let count = varint(f, &p), varint(f, &p) != nil,
                      count < 256 else { return }
                for _ in 0..<count { guard varint(f, &p) != nil, varint(f, &p) != nil else { return } }
                if type == 0x03 { for _ in 0..<3 { guard varint(f, &p) != nil else { return } } }
            case 0x06:
                guard let off = varint(f, &p), let len = varint(f, &p), p + len <= f.count else { return }
                if off < crypto.count && len > 0 {
                    let n = min(len, crypto.count - off)
                    crypto.baseAddress!.advanced(by: off).copyMemory(from: f.baseAddress!.advanced(by: p), byteCount: n)
                    if off + n > cryptoEnd { cryptoEnd = off + n }
                    filled.insert(off, off + n)
                }
                p += len
            case 0x1c, 0x1d:
                return
            default:
                return  // a frame a client Initial may not carry (RFC 9000 §12.4): stop
            }
        }
    }
}
