public import PacketCore

/// Rewrites the addresses of a frame's IP headers in place with an anonymizer, for pcapng output.
/// Covers the outer Ethernet (+ up to two VLAN tags) IPv4/IPv6 header, and for IPv4 fixes the
/// header checksum. Not rewritten (docs/IPFIX.md "Anonymization"): addresses inside tunnels,
/// ARP, ICMP error quotes, transport checksums (left as they were, so they no longer verify),
/// and any address in a payload (DNS answers, HTTP headers …).
public struct AddressRewriter: Sendable {
    public let anonymizer: CryptoPAn

    public init(anonymizer: CryptoPAn) { self.anonymizer = anonymizer }

    /// Rewrites in place; `linkType` tells where the IP header starts. Returns false when the
    /// frame holds no IP header it could rewrite (left unchanged).
    @discardableResult
    public func rewrite(_ frame: UnsafeMutableRawBufferPointer, linkType: LinkType) -> Bool {
        var off: Int
        var etherType: UInt16
        switch linkType {
        case .ethernet:
            guard frame.count >= 14 else { return false }
            off = 14
            etherType = be16(frame, 12)
            var tags = 0
            while (etherType == 0x8100 || etherType == 0x88A8) && tags < 2 {
                guard frame.count >= off + 4 else { return false }
                etherType = be16(frame, off + 2)
                off += 4; tags += 1
            }
        case .raw:
            guard frame.count >= 1 else { return false }
            off = 0
            etherType = frame[0] >> 4 == 6 ? 0x86DD : 0x0800
        default:
            return false
        }
        switch etherType {
        case 0x0800:
            guard frame.count >= off + 20, frame[off] >> 4 == 4 else { return false }
            let ihl = Int(frame[off] & 0x0F) * 4
            let src = IPAddress(ipv4: UInt32(be16(frame, off + 12)) << 16 | UInt32(be16(frame, off + 14)))
            let dst = IPAddress(ipv4: UInt32(be16(frame, off + 16)) << 16 | UInt32(be16(frame, off + 18)))
            store32(anonymizer.anonymize(src).ipv4Value, frame, off + 12)
            store32(anonymizer.anonymize(dst).ipv4Value, frame, off + 16)
            if ihl >= 20 && frame.count >= off + ihl {
                frame[off + 10] = 0; frame[off + 11] = 0
                var sum: UInt32 = 0
                var i = off
                while i < off + ihl { sum += UInt32(be16(frame, i)); i += 2 }
                while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
                let c = ~UInt16(sum)
                frame[off + 10] = UInt8(c >> 8); frame[off + 11] = UInt8(c & 0xFF)
            }
            return true
        case 0x86DD:
            guard frame.count >= off + 40, frame[off] >> 4 == 6 else { return false }
            for at in [off + 8, off + 24] {
                let a = IPAddress(high: be64(frame, at), low: be64(frame, at + 8), isIPv6: true)
                let b = anonymizer.anonymize(a)
                store64(b.high, frame, at); store64(b.low, frame, at + 8)
            }
            return true
        default:
            return false
        }
    }

    private func be16(_ f: UnsafeMutableRawBufferPointer, _ at: Int) -> UInt16 { UInt16(f[at]) << 8 | UInt16(f[at + 1]) }
    private func be64(_ f: UnsafeMutableRawBufferPointer, _ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(f[at + i]) }
        return v
    }
    private func store32(_ v: UInt32, _ f: UnsafeMutableRawBufferPointer, _ at: Int) {
        for i in 0..<4 { f[at + i] = UInt8(truncatingIfNeeded: v >> (24 - 8 * i)) }
    }
    private func store64(_ v: UInt64, _ f: UnsafeMutableRawBufferPointer, _ at: Int) {
        for i in 0..<8 { f[at + i] = UInt8(truncatingIfNeeded: v >> (56 - 8 * i)) }
    }
}
