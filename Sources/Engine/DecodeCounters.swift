public import PacketCore

/// What the reader saw while decoding: packets by layer, protocol, tunnel and error.
public struct DecodeCounters: Sendable {
    public var packets: UInt64 = 0
    /// Frame bytes (original length).
    public var bytes: UInt64 = 0
    public var ipv4: UInt64 = 0
    public var ipv6: UInt64 = 0
    public var nonIP: UInt64 = 0
    public var tcp: UInt64 = 0
    public var udp: UInt64 = 0
    public var icmp: UInt64 = 0
    public var icmpv6: UInt64 = 0
    public var sctp: UInt64 = 0
    public var otherIP: UInt64 = 0
    public var vlanTagged: UInt64 = 0
    public var mpls: UInt64 = 0
    public var fragments: UInt64 = 0
    /// Packets whose L4 header was cut short or had a bad length: counted to their flow by ports.
    public var l4Incomplete: UInt64 = 0
    /// Packets per outermost tunnel kind, indexed by `TunnelKind.rawValue` (fixed storage: no
    /// array uniqueness checks per packet).
    public var tunnels = FixedCounters()
    public var truncated: UInt64 = 0
    /// Malformed packets per field, indexed by `MalformedField.rawValue`.
    public var malformed = FixedCounters()
    /// Frames of a link type or layer Tapline does not decode.
    public var unsupported: UInt64 = 0
    /// Frames longer than a worker slot: counted in full, dissected on the slot's first bytes.
    public var clippedToSlot: UInt64 = 0

    public init() {}

    public var malformedTotal: UInt64 { malformed.total }
    public var errors: UInt64 { truncated + malformedTotal + unsupported }

    @inline(__always)
    public mutating func count(_ info: PacketInfo) {
        if info.vlanDepth > 0 { vlanTagged &+= 1 }
        if info.mplsDepth > 0 { mpls &+= 1 }
        if info.ipVersion == 0 { nonIP &+= 1; return }
        if info.ipVersion == 4 { ipv4 &+= 1 } else { ipv6 &+= 1 }
        if info.isFragment { fragments &+= 1 }
        if info.l4Incomplete { l4Incomplete &+= 1 }
        if info.tunnel != .none { tunnels[Int(info.tunnel.rawValue)] &+= 1 }
        switch info.ipProto {
        case 6: tcp &+= 1
        case 17: udp &+= 1
        case 1: icmp &+= 1
        case 58: icmpv6 &+= 1
        case 132: sctp &+= 1
        default: otherIP &+= 1
        }
    }

    @inline(__always)
    public mutating func count(_ error: ParseError) {
        switch error {
        case .truncated: truncated &+= 1
        case .malformed(let field): malformed[Int(field.rawValue)] &+= 1
        case .unsupported: unsupported &+= 1
        }
    }
}

/// 32 counters in inline storage, indexed by a small raw value.
public struct FixedCounters: Sendable {
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                          UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                          UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                          UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    public static let capacity = 32

    public init() {}

    public subscript(_ i: Int) -> UInt64 {
        get {
            precondition(i >= 0 && i < Self.capacity)
            return withUnsafeBytes(of: storage) { $0.load(fromByteOffset: i * 8, as: UInt64.self) }
        }
        set {
            precondition(i >= 0 && i < Self.capacity)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: newValue, toByteOffset: i * 8, as: UInt64.self) }
        }
    }

    public var total: UInt64 { (0..<Self.capacity).reduce(0) { $0 + self[$1] } }
}

extension DecodeCounters {
    /// Adds another thread's counters (for totals over ingest threads or workers).
    public mutating func add(_ o: DecodeCounters) {
        packets &+= o.packets; bytes &+= o.bytes; ipv4 &+= o.ipv4; ipv6 &+= o.ipv6; nonIP &+= o.nonIP
        tcp &+= o.tcp; udp &+= o.udp; icmp &+= o.icmp; icmpv6 &+= o.icmpv6; sctp &+= o.sctp; otherIP &+= o.otherIP
        vlanTagged &+= o.vlanTagged; mpls &+= o.mpls; fragments &+= o.fragments; l4Incomplete &+= o.l4Incomplete
        truncated &+= o.truncated; unsupported &+= o.unsupported; clippedToSlot &+= o.clippedToSlot
        for i in 0..<FixedCounters.capacity {
            tunnels[i] &+= o.tunnels[i]
            malformed[i] &+= o.malformed[i]
        }
    }
}
