import Crypto
import Foundation

/// Client Initial packets of QUIC version 1, protected for real (RFC 9000 §17.2.2, RFC 9001 §5).
public enum QUICInitial {
    /// RFC 9000 §14.1: a client's Initial datagram is at least 1200 bytes.
    public static let minimumDatagram = 1200

    /// A protected Initial carrying `cryptoData` (a TLS ClientHello) in a CRYPTO frame, padded so the
    /// whole UDP payload is at least 1200 bytes; the packet number is encoded on 4 bytes.
    public static func protect(dcid: [UInt8], scid: [UInt8], packetNumber: UInt32, cryptoData: [UInt8]) throws -> [UInt8] {
        let keys = QUICInitialKeys(dcid: dcid)
        let pnLength = 4
        var header: [UInt8] = [0xC0 | UInt8(pnLength - 1)]
        header.u32(1)
        header.lengthPrefixed(1, dcid)
        header.lengthPrefixed(1, scid)
        header.quicVarint(0)  // token length
        // Frames: CRYPTO(offset 0) then PADDING.
        var frames: [UInt8] = [0x06]
        frames.quicVarint(0)
        frames.quicVarint(cryptoData.count)
        frames.append(contentsOf: cryptoData)
        // Length field (2-byte varint) covers packet number, payload and the 16-byte tag.
        let fixed = header.count + 2 + pnLength + 16
        if fixed + frames.count < minimumDatagram {
            frames.append(contentsOf: [UInt8](repeating: 0, count: minimumDatagram - fixed - frames.count))
        }
        header.u16(UInt16(0x4000 | (pnLength + frames.count + 16)))
        let pnOffset = header.count
        header.u32(packetNumber)
        let sealed = try AES.GCM.seal(frames, using: SymmetricKey(data: keys.key),
                                      nonce: AES.GCM.Nonce(data: keys.nonce(packetNumber: UInt64(packetNumber))),
                                      authenticating: header)
        var packet = header
        packet.append(contentsOf: sealed.ciphertext)
        packet.append(contentsOf: sealed.tag)
        // Header protection: the sample starts 4 bytes after the packet number's start.
        let mask = keys.mask(sample: Array(packet[pnOffset + 4..<pnOffset + 20]))
        packet[0] ^= mask[0] & 0x0F
        for i in 0..<pnLength { packet[pnOffset + i] ^= mask[1 + i] }
        return packet
    }

    /// Removes protection from a client Initial: returns the decrypted frames, or nil if the
    /// packet does not authenticate. Used by tests and as a reference for the dissector.
    public static func unprotect(_ packet: [UInt8]) throws -> (packetNumber: UInt32, frames: [UInt8])? {
        guard packet.count > 7, packet[0] & 0x80 != 0 else { return nil }
        var p = 5
        let dcidLength = Int(packet[p]); p += 1
        let dcid = Array(packet[p..<p + dcidLength]); p += dcidLength
        let scidLength = Int(packet[p]); p += 1 + scidLength
        let (tokenLength, a) = readVarint(packet, p); p += a + tokenLength
        let (length, b) = readVarint(packet, p); p += b
        let pnOffset = p
        let keys = QUICInitialKeys(dcid: dcid)
        let mask = keys.mask(sample: Array(packet[pnOffset + 4..<pnOffset + 20]))
        var header = Array(packet[0..<pnOffset])
        header[0] ^= mask[0] & 0x0F
        let pnLength = Int(header[0] & 0x03) + 1
        var pn: UInt32 = 0
        for i in 0..<pnLength {
            let byte = packet[pnOffset + i] ^ mask[1 + i]
            header.append(byte)
            pn = pn << 8 | UInt32(byte)
        }
        let end = pnOffset + length
        let body = Array(packet[pnOffset + pnLength..<end - 16])
        let tag = Array(packet[end - 16..<end])
        let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: keys.nonce(packetNumber: UInt64(pn))),
                                        ciphertext: body, tag: tag)
        guard let opened = try? AES.GCM.open(box, using: SymmetricKey(data: keys.key), authenticating: header) else {
            return nil
        }
        return (pn, Array(opened))
    }

    static func readVarint(_ bytes: [UInt8], _ at: Int) -> (Int, Int) {
        let length = 1 << Int(bytes[at] >> 6)
        var v = Int(bytes[at] & 0x3F)
        for i in 1..<length { v = v << 8 | Int(bytes[at + i]) }
        return (v, length)
    }
}
