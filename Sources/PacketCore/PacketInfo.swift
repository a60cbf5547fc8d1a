/// What L2–L4 decoding learned about one frame: scalars and offsets into the frame, no copies.
/// One value is reused for every packet; `reset()` clears it.
@frozen
public struct PacketInfo: Sendable, BitwiseCopyable {
    /// Capture time, nanoseconds since the epoch.
    public var timestampNs: UInt64 = 0
    /// Frame length on the wire (the capture's original length), link layer included.
    public var wireLength: UInt32 = 0
    /// Bytes present in the capture.
    public var capturedLength: UInt32 = 0

    /// 4 or 6 for the innermost IP header; 0 when the frame carries no IP.
    public var ipVersion: UInt8 = 0
    public var src: IPAddress = .none
    public var dst: IPAddress = .none
    /// Innermost IP protocol / IPv6 upper-layer next header.
    public var ipProto: UInt8 = 0
    /// Innermost IP packet length as its header states (header + payload), for IP-layer byte counts.
    public var ipLength: UInt32 = 0
    /// Ports (TCP/UDP/SCTP); 0 when the protocol has none or the fragment carries no L4 header.
    public var srcPort: UInt16 = 0
    public var dstPort: UInt16 = 0
    /// TCP flags byte (CWR..FIN), 0 for other protocols.
    public var tcpFlags: UInt8 = 0
    /// TCP sequence number (for bounded reassembly of handshakes and headers), 0 for other protocols.
    public var tcpSeq: UInt32 = 0
    /// ICMP/ICMPv6 type and code.
    public var icmpType: UInt8 = 0
    public var icmpCode: UInt8 = 0
    /// True when the L4 header was decoded (false for non-first fragments and unknown protocols).
    public var hasL4: Bool = false
    /// The L4 header was cut short (snap length, a tiny first fragment) or its length field was wrong,
    /// but its ports were read: the packet still counts to its flow; flags may be missing, no payload.
    public var l4Incomplete: Bool = false

    /// Outermost 802.1Q/802.1ad VLAN ID, 0 when untagged.
    public var vlan: UInt16 = 0
    /// VLAN tags seen on the outer Ethernet header.
    public var vlanDepth: UInt8 = 0
    /// MPLS labels seen.
    public var mplsDepth: UInt8 = 0
    /// Outermost tunnel.
    public var tunnel: TunnelKind = .none

    /// IP fragment state of the innermost IP header.
    public var isFragment: Bool = false
    /// Fragment offset in bytes.
    public var fragmentOffset: UInt32 = 0
    public var moreFragments: Bool = false
    /// IPv4 identification or IPv6 fragment identification.
    public var fragmentID: UInt32 = 0

    /// Offset of the L4 payload in the frame, and its length as present in the capture.
    public var payloadOffset: UInt32 = 0
    public var payloadLength: UInt32 = 0

    @inlinable public init() {}

    /// Clears every field for the next frame.
    @inlinable @inline(__always)
    public mutating func reset() { self = PacketInfo() }

    /// True for a non-first fragment (no L4 header: its flow is found through the fragment table).
    @inlinable
    public var isLaterFragment: Bool { isFragment && fragmentOffset != 0 }
}
