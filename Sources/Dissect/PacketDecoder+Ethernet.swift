public import PacketCore

// Ethernet II, VLAN tags (802.1Q, 802.1ad, 0x9100), MPLS label stacks and PPPoE sessions.

@usableFromInline
enum EtherType {
    @usableFromInline static let ipv4: UInt16 = 0x0800
    @usableFromInline static let ipv6: UInt16 = 0x86DD
    @usableFromInline static let vlan: UInt16 = 0x8100
    @usableFromInline static let qinq: UInt16 = 0x88A8
    /// Pre-standard QinQ outer tag, still seen on carrier links.
    @usableFromInline static let qinqLegacy: UInt16 = 0x9100
    @usableFromInline static let mplsUnicast: UInt16 = 0x8847
    @usableFromInline static let mplsMulticast: UInt16 = 0x8848
    @usableFromInline static let pppoeSession: UInt16 = 0x8864
    /// Transparent Ethernet bridging (GRE carrying Ethernet).
    @usableFromInline static let transparentEthernet: UInt16 = 0x6558
}

/// PPP protocol numbers (RFC 1661/1332/5072) for IP carried in PPPoE or enhanced GRE.
@usableFromInline
enum PPPProtocol {
    @usableFromInline static let ipv4: UInt16 = 0x0021
    @usableFromInline static let ipv6: UInt16 = 0x0057
}

extension PacketDecoder {
    @usableFromInline static let ethernetHeaderLength = 14
    @usableFromInline static let vlanTagLength = 4
    @usableFromInline static let mplsLabelLength = 4
    /// PPPoE header (6) and the PPP protocol field (2), RFC 2516 §4.
    @usableFromInline static let pppoeHeaderLength = 8

    /// Ethernet II header at `offset`. `outer` is false for Ethernet inside a tunnel (VXLAN, GRE TEB),
    /// whose VLAN and MPLS do not overwrite the outer ones.
    @inlinable
    func decodeEthernet(_ frame: UnsafeRawBufferPointer, at offset: Int, limit: Int, outer: Bool,
                        into info: inout PacketInfo) throws(ParseError) -> DecodeStep {
        try Self.require(Self.ethernetHeaderLength, at: offset, end: limit)
        return try decodeEtherType(frame, frame.loadBE16(offset + 12), at: offset + Self.ethernetHeaderLength,
                                   limit: limit, outer: outer, into: &info)
    }

    /// Dispatches on an EtherType whose payload starts at `offset`, following VLAN tags first.
    @inlinable
    func decodeEtherType(_ frame: UnsafeRawBufferPointer, _ etherType: UInt16, at offset: Int, limit: Int,
                         outer: Bool, into info: inout PacketInfo) throws(ParseError) -> DecodeStep {
        var type = etherType
        var cursor = offset
        var tags = 0
        while type == EtherType.vlan || type == EtherType.qinq || type == EtherType.qinqLegacy {
            if tags == DecodeLimits.maxVLANTags { throw .malformed(.vlanDepth) }
            try Self.require(Self.vlanTagLength, at: cursor, end: limit)
            if tags == 0 && outer { info.vlan = frame.loadBE16(cursor) & 0x0FFF }
            type = frame.loadBE16(cursor + 2)
            cursor += Self.vlanTagLength
            tags += 1
        }
        if outer { info.vlanDepth = UInt8(tags) }

        switch type {
        case EtherType.ipv4:
            return DecodeStep(.ipv4, at: cursor, limit: limit)
        case EtherType.ipv6:
            return DecodeStep(.ipv6, at: cursor, limit: limit)
        case EtherType.mplsUnicast, EtherType.mplsMulticast:
            return try decodeMPLS(frame, at: cursor, limit: limit, outer: outer, into: &info)
        case EtherType.pppoeSession:
            return try decodePPPoE(frame, at: cursor, limit: limit)
        default:
            return .nonIP
        }
    }

    /// An MPLS label stack (RFC 3032): labels up to bottom-of-stack, then IPv4/IPv6 guessed from the
    /// first nibble (as Linux and Wireshark do). Pseudowires (control word, nibble 0) are unsupported.
    @inlinable
    func decodeMPLS(_ frame: UnsafeRawBufferPointer, at offset: Int, limit: Int, outer: Bool,
                    into info: inout PacketInfo) throws(ParseError) -> DecodeStep {
        var cursor = offset
        var labels = 0
        while true {
            if labels == DecodeLimits.maxMPLSLabels { throw .malformed(.mplsDepth) }
            try Self.require(Self.mplsLabelLength, at: cursor, end: limit)
            let bottomOfStack = frame.byte(cursor + 2) & 0x01 != 0
            cursor += Self.mplsLabelLength
            labels += 1
            if bottomOfStack { break }
        }
        if outer { info.mplsDepth = UInt8(labels) }
        try Self.require(1, at: cursor, end: limit)
        switch frame.byte(cursor) >> 4 {
        case 4: return DecodeStep(.ipv4, at: cursor, limit: limit)
        case 6: return DecodeStep(.ipv6, at: cursor, limit: limit)
        default: throw .unsupported
        }
    }

    /// A PPPoE session header (RFC 2516) and PPP protocol; IPv4/IPv6 continue, other PPP protocols
    /// (LCP, IPCP …) are non-IP. The PPPoE length bounds the payload, so Ethernet padding is ignored.
    @inlinable
    func decodePPPoE(_ frame: UnsafeRawBufferPointer, at offset: Int, limit: Int) throws(ParseError) -> DecodeStep {
        try Self.require(Self.pppoeHeaderLength, at: offset, end: limit)
        // Version 1, type 1, code 0 (session data).
        guard frame.byte(offset) == 0x11, frame.byte(offset + 1) == 0 else { throw .malformed(.linkHeader) }
        let length = Int(frame.loadBE16(offset + 4))  // PPP protocol + payload
        guard length >= 2 else { throw .malformed(.linkHeader) }
        let end = min(limit, offset + 6 + length)
        switch frame.loadBE16(offset + 6) {
        case PPPProtocol.ipv4: return DecodeStep(.ipv4, at: offset + Self.pppoeHeaderLength, limit: end)
        case PPPProtocol.ipv6: return DecodeStep(.ipv6, at: offset + Self.pppoeHeaderLength, limit: end)
        default: return .nonIP
        }
    }
}
