public import PacketCore

// Link-layer headers other than Ethernet: raw IP, Linux cooked (SLL, SLL2), BSD null/loop, PPP, Cisco HDLC.

extension PacketDecoder {
    /// Linux cooked capture v1: 16-byte header, protocol (an EtherType) at offset 14.
    @usableFromInline static let sllHeaderLength = 16
    /// Linux cooked capture v2: 20-byte header, protocol (an EtherType) at offset 0.
    @usableFromInline static let sll2HeaderLength = 20
    /// Cisco HDLC: address, control, 2-byte EtherType.
    @usableFromInline static let cHDLCHeaderLength = 4
    /// BSD null/loop: a 4-byte address family.
    @usableFromInline static let nullHeaderLength = 4

    /// The first step for a frame of `linkType`; `.unsupported` for link types Tapline does not decode.
    @inlinable
    func decodeLinkLayer(_ frame: UnsafeRawBufferPointer, linkType: LinkType,
                         into info: inout PacketInfo) throws(ParseError) -> DecodeStep {
        let count = frame.count
        switch linkType.rawValue {
        case LinkType.ethernet.rawValue:
            return DecodeStep(.ethernet, at: 0, limit: count)
        case LinkType.raw.rawValue:
            try Self.require(1, at: 0, end: count)
            switch frame.byte(0) >> 4 {
            case 4: return DecodeStep(.ipv4, at: 0, limit: count)
            case 6: return DecodeStep(.ipv6, at: 0, limit: count)
            default: throw .malformed(.ipVersion)
            }
        case LinkType.ipv4.rawValue:
            return DecodeStep(.ipv4, at: 0, limit: count)
        case LinkType.ipv6.rawValue:
            return DecodeStep(.ipv6, at: 0, limit: count)
        case LinkType.linuxSLL.rawValue:
            try Self.require(Self.sllHeaderLength, at: 0, end: count)
            return try decodeEtherType(frame, frame.loadBE16(14), at: Self.sllHeaderLength, limit: count,
                                       outer: true, into: &info)
        case LinkType.linuxSLL2.rawValue:
            try Self.require(Self.sll2HeaderLength, at: 0, end: count)
            return try decodeEtherType(frame, frame.loadBE16(0), at: Self.sll2HeaderLength, limit: count,
                                       outer: true, into: &info)
        case LinkType.null.rawValue:
            try Self.require(Self.nullHeaderLength, at: 0, end: count)
            // The family is in the writer's byte order: families are small, so the order that gives
            // a small value is the writer's.
            let little = frame.loadLE32(0)
            let family = little <= 0xFF ? little : frame.loadBE32(0)
            return Self.stepForFamily(family, count: count)
        case LinkType.ppp.rawValue, LinkType.pppHDLC.rawValue:
            return try decodePPP(frame, at: 0, limit: count)
        case LinkType.cHDLC.rawValue:
            try Self.require(Self.cHDLCHeaderLength, at: 0, end: count)
            return try decodeEtherType(frame, frame.loadBE16(2), at: Self.cHDLCHeaderLength, limit: count,
                                       outer: true, into: &info)
        case LinkType.loop.rawValue:
            try Self.require(Self.nullHeaderLength, at: 0, end: count)
            return Self.stepForFamily(frame.loadBE32(0), count: count)
        default:
            throw .unsupported
        }
    }

    /// BSD address families: AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (Darwin).
    @inlinable
    static func stepForFamily(_ family: UInt32, count: Int) -> DecodeStep {
        switch family {
        case 2: DecodeStep(.ipv4, at: nullHeaderLength, limit: count)
        case 24, 28, 30: DecodeStep(.ipv6, at: nullHeaderLength, limit: count)
        default: .nonIP
        }
    }
}
