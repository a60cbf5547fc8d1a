public import PacketCore

// Tunnel headers: GRE (RFC 2784/2890, and enhanced GRE of PPTP, RFC 2637), VXLAN (RFC 7348),
// GTP-U (3GPP TS 29.281). Each returns the step for the inner packet, or `.nonIP` when there is
// no inner IP to decode — the caller then keeps the outer flow.

extension PacketDecoder {
    @usableFromInline static let greBaseHeaderLength = 4
    /// Enhanced GRE: flags, protocol, payload length, call ID (RFC 2637 §4.1).
    @usableFromInline static let greEnhancedBaseHeaderLength = 8
    @usableFromInline static let greProtocolPPP: UInt16 = 0x880B
    @usableFromInline static let vxlanHeaderLength = 8
    @usableFromInline static let gtpUBaseHeaderLength = 8
    /// Base header plus sequence number, N-PDU number and next extension type, present when E, S or PN is set.
    @usableFromInline static let gtpUOptionalHeaderEnd = 12
    @usableFromInline static let gtpUMessageGPDU: UInt8 = 255

    /// A GRE header. Version 0: optional checksum, key and sequence fields, then IPv4, IPv6 or
    /// transparent Ethernet bridging. Version 1 (PPTP): PPP inside, decoded to its IPv4/IPv6 payload.
    /// RFC 1701 routing, other versions and other protocols: no inner packet.
    @inlinable
    func decodeGRE(_ frame: UnsafeRawBufferPointer, at offset: Int, limit: Int) throws(ParseError) -> DecodeStep {
        try Self.require(Self.greBaseHeaderLength, at: offset, end: limit)
        let flags = frame.loadBE16(offset)
        let protocolType = frame.loadBE16(offset + 2)
        let checksumPresent = flags & 0x8000 != 0
        let routingPresent = flags & 0x4000 != 0
        let keyPresent = flags & 0x2000 != 0
        let sequencePresent = flags & 0x1000 != 0

        switch flags & 0x0007 {
        case 0:
            guard !routingPresent else { throw .malformed(.greHeader) }
            var length = Self.greBaseHeaderLength
            if checksumPresent { length += 4 }
            if keyPresent { length += 4 }
            if sequencePresent { length += 4 }
            try Self.require(length, at: offset, end: limit)
            let inner = offset + length
            switch protocolType {
            case EtherType.ipv4: return DecodeStep(.ipv4, at: inner, limit: limit)
            case EtherType.ipv6: return DecodeStep(.ipv6, at: inner, limit: limit)
            case EtherType.transparentEthernet: return DecodeStep(.ethernet, at: inner, limit: limit)
            default: return .nonIP
            }
        case 1:
            // RFC 2637 §4.1: no checksum or routing, key (payload length + call ID) always present.
            guard protocolType == Self.greProtocolPPP, keyPresent, !checksumPresent, !routingPresent else {
                throw .malformed(.greHeader)
            }
            var length = Self.greEnhancedBaseHeaderLength
            if sequencePresent { length += 4 }
            if flags & 0x0080 != 0 { length += 4 }  // acknowledgment number
            try Self.require(length, at: offset, end: limit)
            return try decodePPP(frame, at: offset + length, limit: limit)
        default:
            throw .malformed(.greHeader)
        }
    }

    /// A PPP frame as carried in enhanced GRE: optional address/control (FF 03), then a protocol field
    /// of 1 byte (protocol-field compression, odd first byte) or 2 bytes (RFC 1661 §2, §6.5).
    @inlinable
    func decodePPP(_ frame: UnsafeRawBufferPointer, at offset: Int, limit: Int) throws(ParseError) -> DecodeStep {
        var cursor = offset
        try Self.require(2, at: cursor, end: limit)
        if frame.byte(cursor) == 0xFF && frame.byte(cursor + 1) == 0x03 { cursor += 2 }
        try Self.require(1, at: cursor, end: limit)
        let pppProtocol: UInt16
        if frame.byte(cursor) & 0x01 != 0 {
            pppProtocol = UInt16(frame.byte(cursor))
            cursor += 1
        } else {
            try Self.require(2, at: cursor, end: limit)
            pppProtocol = frame.loadBE16(cursor)
            cursor += 2
        }
        switch pppProtocol {
        case PPPProtocol.ipv4: return DecodeStep(.ipv4, at: cursor, limit: limit)
        case PPPProtocol.ipv6: return DecodeStep(.ipv6, at: cursor, limit: limit)
        default: return .nonIP
        }
    }

    /// A VXLAN header with the I flag (valid VNI), then inner Ethernet.
    @inlinable
    func decodeVXLAN(_ frame: UnsafeRawBufferPointer, at offset: Int, limit: Int) throws(ParseError) -> DecodeStep {
        try Self.require(Self.vxlanHeaderLength, at: offset, end: limit)
        guard frame.byte(offset) & 0x08 != 0 else { return .nonIP }
        return DecodeStep(.ethernet, at: offset + Self.vxlanHeaderLength, limit: limit)
    }

    /// A GTP-U v1 header: G-PDU messages carry IPv4/IPv6 (by first nibble) after the optional fields and
    /// a bounded extension-header chain. Other messages (echo, error indication, end marker) have no inner IP.
    @inlinable
    func decodeGTPU(_ frame: UnsafeRawBufferPointer, at offset: Int, limit: Int) throws(ParseError) -> DecodeStep {
        try Self.require(Self.gtpUBaseHeaderLength, at: offset, end: limit)
        let flags = frame.byte(offset)
        // Version 1 and protocol type 1 (GTP, not GTP'); anything else is not GTP-U.
        guard flags >> 5 == 1, flags & 0x10 != 0 else { return .nonIP }
        guard frame.byte(offset + 1) == Self.gtpUMessageGPDU else { return .nonIP }
        // The length field counts the bytes after the mandatory 8-byte header.
        let end = min(limit, offset + Self.gtpUBaseHeaderLength + Int(frame.loadBE16(offset + 2)))

        var cursor = offset + Self.gtpUBaseHeaderLength
        if flags & 0x07 != 0 {
            try Self.require(Self.gtpUOptionalHeaderEnd, at: offset, end: end)
            cursor = offset + Self.gtpUOptionalHeaderEnd
            var nextType = flags & 0x04 != 0 ? frame.byte(offset + 11) : 0
            var extensions = 0
            while nextType != 0 {
                if extensions == DecodeLimits.maxGTPExtensionHeaders { throw .malformed(.gtpHeader) }
                try Self.require(1, at: cursor, end: end)
                // Length in 4-byte units, covering the length byte and the next-type byte (§5.2.1).
                let length = Int(frame.byte(cursor)) * 4
                guard length > 0 else { throw .malformed(.gtpHeader) }
                try Self.require(length, at: cursor, end: end)
                nextType = frame.byte(cursor + length - 1)
                cursor += length
                extensions += 1
            }
        }
        try Self.require(1, at: cursor, end: end)
        switch frame.byte(cursor) >> 4 {
        case 4: return DecodeStep(.ipv4, at: cursor, limit: end)
        case 6: return DecodeStep(.ipv6, at: cursor, limit: end)
        default: return .nonIP
        }
    }
}
