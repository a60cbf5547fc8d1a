/// Link-layer header types of pcap and pcapng (the LINKTYPE_ registry values).
@frozen
public struct LinkType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// BSD loopback: a 4-byte address family in the writer's byte order.
    public static let null = LinkType(rawValue: 0)
    public static let ethernet = LinkType(rawValue: 1)
    /// PPP: optional FF 03 address/control, then the PPP protocol.
    public static let ppp = LinkType(rawValue: 9)
    /// PPP in HDLC-like framing (RFC 1662).
    public static let pppHDLC = LinkType(rawValue: 50)
    /// Cisco HDLC: address, control, then an EtherType.
    public static let cHDLC = LinkType(rawValue: 104)
    /// Raw IP, version taken from the first nibble.
    public static let raw = LinkType(rawValue: 101)
    /// OpenBSD loopback: a 4-byte big-endian address family.
    public static let loop = LinkType(rawValue: 108)
    public static let linuxSLL = LinkType(rawValue: 113)
    public static let ipv4 = LinkType(rawValue: 228)
    public static let ipv6 = LinkType(rawValue: 229)
    public static let linuxSLL2 = LinkType(rawValue: 276)
}
