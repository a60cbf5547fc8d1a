public import PacketCore

// IPv6 (RFC 8200): fixed header, payload length, and a bounded walk of extension headers.

@usableFromInline
enum IPv6NextHeader {
    @usableFromInline static let hopByHop: UInt8 = 0
    @usableFromInline static let routing: UInt8 = 43
    @usableFromInline static let fragment: UInt8 = 44
    @usableFromInline static let esp: UInt8 = 50
    @usableFromInline static let authentication: UInt8 = 51
    @usableFromInline static let noNextHeader: UInt8 = 59
    @usableFromInline static let destinationOptions: UInt8 = 60
    @usableFromInline static let mobility: UInt8 = 135
    @usableFromInline static let hip: UInt8 = 139
    @usableFromInline static let shim6: UInt8 = 140
}

extension PacketDecoder {
    @usableFromInline static let ipv6HeaderLength = 40
    /// Every IPv6 extension header is a multiple of 8 bytes, at least 8 (RFC 8200 §4).
    @usableFromInline static let ipv6ExtensionMinimumLength = 8

    /// The IPv6 header at `offset`, its extension headers, then the L4 header.
    /// ESP (50) and No Next Header (59) end the walk with `ipProto` set to them.
    /// Payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675): its length is what was captured.
    @inlinable
    func decodeIPv6(_ frame: UnsafeRawBufferPointer, at offset: Int, limit: Int,
                    into info: inout PacketInfo) throws(ParseError) -> DecodeStep {
        try Self.require(Self.ipv6HeaderLength, at: offset, end: limit)
        guard frame.byte(offset) >> 4 == 6 else { throw .malformed(.ipVersion) }
        let payloadLength = Int(frame.loadBE16(offset + 4))
        var nextHeader = frame.byte(offset + 6)
        info.ipVersion = 6
        info.src = .ipv6(frame, offset + 8)
        info.dst = .ipv6(frame, offset + 24)

        let ipEnd: Int
        if payloadLength == 0 && nextHeader == IPv6NextHeader.hopByHop {
            ipEnd = limit
        } else {
            ipEnd = offset + Self.ipv6HeaderLength + payloadLength
        }
        info.ipLength = UInt32(truncatingIfNeeded: ipEnd - offset)
        let end = min(ipEnd, limit)

        var cursor = offset + Self.ipv6HeaderLength
        var extensions = 0
        walk: while true {
            let length: Int
            switch nextHeader {
            case IPv6NextHeader.hopByHop, IPv6NextHeader.routing, IPv6NextHeader.destinationOptions,
                 IPv6NextHeader.mobility, IPv6NextHeader.hip, IPv6NextHeader.shim6:
                if extensions == DecodeLimits.maxIPv6ExtensionHeaders { throw .malformed(.ipv6ExtensionChain) }
                try Self.require(Self.ipv6ExtensionMinimumLength, at: cursor, end: end)
                length = (Int(frame.byte(cursor + 1)) + 1) * 8
            case IPv6NextHeader.authentication:
                if extensions == DecodeLimits.maxIPv6ExtensionHeaders { throw .malformed(.ipv6ExtensionChain) }
                try Self.require(Self.ipv6ExtensionMinimumLength, at: cursor, end: end)
                length = (Int(frame.byte(cursor + 1)) + 2) * 4  // RFC 4302 §2.2: in 4-byte units, minus 2
            case IPv6NextHeader.fragment:
                if extensions == DecodeLimits.maxIPv6ExtensionHeaders { throw .malformed(.ipv6ExtensionChain) }
                try Self.require(Self.ipv6ExtensionMinimumLength, at: cursor, end: end)
                length = Self.ipv6ExtensionMinimumLength
                let offsetAndFlags = frame.loadBE16(cursor + 2)
                info.fragmentOffset = UInt32(offsetAndFlags & 0xFFF8)  // 13 bits of 8-byte units, in place
                info.moreFragments = offsetAndFlags & 0x0001 != 0
                info.fragmentID = frame.loadBE32(cursor + 4)
                // An atomic fragment (offset 0, M 0; RFC 6946) is a whole packet.
                info.isFragment = info.moreFragments || info.fragmentOffset != 0
            default:
                break walk
            }
            try Self.require(length, at: cursor, end: end)
            extensions += 1
            nextHeader = frame.byte(cursor)
            cursor += length
        }
        return try decodeTransport(frame, proto: nextHeader, at: cursor, ipEnd: ipEnd, end: end,
                                   overIPv6: true, into: &info)
    }
}
