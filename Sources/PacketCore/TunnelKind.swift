/// The outermost encapsulation a flow was seen in; the flow itself is keyed on the innermost IP header.
@frozen
public enum TunnelKind: UInt8, Sendable, CaseIterable, BitwiseCopyable {
    case none = 0
    case gre
    case vxlan
    case gtpU
    /// IPv4 or IPv6 carried directly in IPv4 (protocol 4 or 41: IP-in-IP, 6in4).
    case ipInIPv4
    /// IPv4 or IPv6 carried directly in IPv6 (next header 4 or 41).
    case ipInIPv6

    /// The name used in records and summaries.
    public var name: StaticString {
        switch self {
        case .none: "none"
        case .gre: "gre"
        case .vxlan: "vxlan"
        case .gtpU: "gtp-u"
        case .ipInIPv4: "ip-in-ipv4"
        case .ipInIPv6: "ip-in-ipv6"
        }
    }
}
