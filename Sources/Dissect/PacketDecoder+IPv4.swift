public import PacketCore

// IPv4 (RFC 791): version, IHL, total length, fragments, options skipped.

extension PacketDecoder {
    @usableFromInline static let ipv4MinimumHeaderLength = 20

    /// The IPv4 header at `offset`, then its L4 header. Fills addresses, protocol, lengths and fragment state.
    /// A total length beyond the capture is kept as `ipLength` (snapped captures) and the payload is what is
    /// present; bytes after the total length (Ethernet padding) are never payload.
    @inlinable
    func decodeIPv4(_ frame: UnsafeRawBufferPointer, at offset: Int, limit: Int,
                    into info: inout PacketInfo) throws(ParseError) -> DecodeStep {
        try Self.require(Self.ipv4MinimumHeaderLength, at: offset, end: limit)
        let versionAndIHL = frame.byte(offset)
        guard versionAndIHL >> 4 == 4 else { throw .malformed(.ipVersion) }
        let headerLength = Int(versionAndIHL & 0x0F) * 4
        guard headerLength >= Self.ipv4MinimumHeaderLength else { throw .malformed(.ipv4HeaderLength) }
        let totalLength = Int(frame.loadBE16(offset + 2))
        guard totalLength >= headerLength else { throw .malformed(.ipTotalLength) }
        try Self.require(headerLength, at: offset, end: limit)

        let flagsAndOffset = frame.loadBE16(offset + 6)
        info.ipVersion = 4
        info.src = .ipv4(frame, offset + 12)
        info.dst = .ipv4(frame, offset + 16)
        info.ipLength = UInt32(totalLength)
        info.fragmentID = UInt32(frame.loadBE16(offset + 4))
        info.moreFragments = flagsAndOffset & 0x2000 != 0
        info.fragmentOffset = UInt32(flagsAndOffset & 0x1FFF) * 8
        info.isFragment = info.moreFragments || info.fragmentOffset != 0

        let ipEnd = offset + totalLength
        // headerLength ≤ totalLength and headerLength ≤ limit - offset, so the L4 offset ≤ end.
        return try decodeTransport(frame, proto: frame.byte(offset + 9), at: offset + headerLength,
                                   ipEnd: ipEnd, end: min(ipEnd, limit), overIPv6: false, into: &info)
    }
}
