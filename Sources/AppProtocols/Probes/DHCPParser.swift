public import PacketCore

/// What a DHCP message says about its client. Ranges are offsets into the payload.
public struct DHCPInfo: Sendable, Equatable {
    /// BOOTP op: 1 request, 2 reply.
    public var op: UInt8
    public var transactionID: UInt32
    /// Option 53 (RFC 2132 §9.6), 0 when absent.
    public var messageType: UInt8
    /// `chaddr` cut to `hlen` bytes.
    public var clientHardwareAddress: Range<Int>
    /// `yiaddr`: the address the server offers or acknowledges.
    public var yourAddress: UInt32
    /// Option 12, the client's host name.
    public var hostname: Range<Int>?
    /// Option 50, the address the client asks for.
    public var requestedAddress: UInt32?
    /// The options ended without an END option or an option ran past the payload.
    public var optionsTruncated: Bool
    /// More options than `DHCPParser.maxOptions`; the rest were not read.
    public var tooManyOptions: Bool
}

/// Reads the fields of a DHCP message that operators look at. Pure; no allocation.
public enum DHCPParser {
    /// A bound on the option loop: an options field of 1,236 bytes (576-byte minimum message)
    /// holds far fewer real options; hostile padding cannot make the loop longer than this.
    public static let maxOptions = 255

    /// Parses the BOOTP header and the options it needs. Throws `.truncated` when the header or
    /// cookie is cut, `.unsupported` when the cookie is not DHCP's.
    public static func parse(_ p: UnsafeRawBufferPointer) throws(ParseError) -> DHCPInfo {
        guard p.count >= DHCPProbe.headerLength else {
            throw .truncated(needed: DHCPProbe.headerLength, have: p.count)
        }
        guard p.loadBE32(236) == DHCPProbe.magicCookie else { throw .unsupported }
        let hlen = min(Int(p.byte(2)), 16)
        var info = DHCPInfo(op: p.byte(0), transactionID: p.loadBE32(4), messageType: 0,
                            clientHardwareAddress: 28..<(28 + hlen), yourAddress: p.loadBE32(16),
                            hostname: nil, requestedAddress: nil, optionsTruncated: true,
                            tooManyOptions: false)
        var at = DHCPProbe.headerLength
        var seen = 0
        while at < p.count {
            let code = p.byte(at)
            if code == 0 { at += 1; continue }   // PAD
            if code == 255 { info.optionsTruncated = false; break }   // END
            seen += 1
            if seen > maxOptions { info.tooManyOptions = true; break }
            guard at + 2 <= p.count else { break }
            let length = Int(p.byte(at + 1))
            let value = at + 2
            guard value + length <= p.count else { break }
            switch code {
            case 53 where length == 1: info.messageType = p.byte(value)
            case 12 where length >= 1: info.hostname = value..<(value + length)
            case 50 where length == 4: info.requestedAddress = p.loadBE32(value)
            default: break
            }
            at = value + length
        }
        return info
    }
}
