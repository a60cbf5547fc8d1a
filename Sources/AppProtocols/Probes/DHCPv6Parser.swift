public import PacketCore

/// What a DHCPv6 message says about its client. Ranges are offsets into the payload.
public struct DHCPv6Info: Sendable, Equatable {
    /// RFC 8415 §7.3 message type.
    public var messageType: UInt8
    /// 24-bit transaction id; 0 for relay messages.
    public var transactionID: UInt32
    /// Option 39 flags byte (RFC 4704 §4.1), when the option is present.
    public var fqdnFlags: UInt8?
    /// Option 39 domain name in DNS wire format (length-prefixed labels).
    public var clientFQDN: Range<Int>?
    /// Option 1, the client DUID.
    public var clientID: Range<Int>?
    /// Options read before the end or `DHCPv6Probe.maxOptions`.
    public var optionCount: Int
    /// An option ran past the payload, or there were more than the option bound.
    public var optionsTruncated: Bool
}

/// Reads a DHCPv6 message's type, transaction id and client FQDN. Pure; no allocation.
public enum DHCPv6Parser {
    /// Throws `.truncated` when the fixed header is cut, `.unsupported` for unknown types.
    public static func parse(_ p: UnsafeRawBufferPointer) throws(ParseError) -> DHCPv6Info {
        guard p.count >= 4 else { throw .truncated(needed: 4, have: p.count) }
        let type = p.byte(0)
        guard type >= 1, type <= DHCPv6Probe.maxMessageType else { throw .unsupported }
        let relay = type >= 12
        let start = relay ? DHCPv6Probe.relayHeaderLength : 4
        guard p.count >= start else { throw .truncated(needed: start, have: p.count) }
        var info = DHCPv6Info(messageType: type,
                              transactionID: relay ? 0 : p.loadBE32(0) & 0x00FF_FFFF,
                              fqdnFlags: nil, clientFQDN: nil, clientID: nil, optionCount: 0,
                              optionsTruncated: false)
        var at = start
        while at < p.count {
            guard info.optionCount < DHCPv6Probe.maxOptions, at + 4 <= p.count else {
                info.optionsTruncated = true
                break
            }
            let code = p.loadBE16(at), length = Int(p.loadBE16(at + 2))
            let value = at + 4
            guard value + length <= p.count else { info.optionsTruncated = true; break }
            switch code {
            case 1 where length > 0: info.clientID = value..<(value + length)
            case 39 where length >= 1:
                info.fqdnFlags = p.byte(value)
                info.clientFQDN = (value + 1)..<(value + length)
            default: break
            }
            info.optionCount += 1
            at = value + length
        }
        return info
    }
}
