/// A bidirectional flow key: both directions of a flow give the same key.
/// The lower (address, port) endpoint is stored first; `PacketDirection` says which side sent a packet.
@frozen
public struct FlowKey: Hashable, Sendable, BitwiseCopyable {
    public var lowAddress: IPAddress
    public var highAddress: IPAddress
    public var lowPort: UInt16
    public var highPort: UInt16
    public var proto: UInt8
    public var vlan: UInt16

    @inlinable
    public init(lowAddress: IPAddress, highAddress: IPAddress, lowPort: UInt16, highPort: UInt16,
                proto: UInt8, vlan: UInt16) {
        self.lowAddress = lowAddress
        self.highAddress = highAddress
        self.lowPort = lowPort
        self.highPort = highPort
        self.proto = proto
        self.vlan = vlan
    }

    /// The key of a packet from `src:sport` to `dst:dport`, and whether the sender is the low side.
    @inlinable @inline(__always)
    public static func make(src: IPAddress, sport: UInt16, dst: IPAddress, dport: UInt16,
                            proto: UInt8, vlan: UInt16) -> (key: FlowKey, senderIsLow: Bool) {
        let srcIsLow = src < dst || (src == dst && sport <= dport)
        if srcIsLow {
            return (FlowKey(lowAddress: src, highAddress: dst, lowPort: sport, highPort: dport, proto: proto, vlan: vlan), true)
        }
        return (FlowKey(lowAddress: dst, highAddress: src, lowPort: dport, highPort: sport, proto: proto, vlan: vlan), false)
    }

    /// Word-wise comparison, inlinable into the flow table's probe loop.
    @inlinable @inline(__always)
    public static func == (a: FlowKey, b: FlowKey) -> Bool {
        a.lowAddress == b.lowAddress && a.highAddress == b.highAddress
            && a.lowPort == b.lowPort && a.highPort == b.highPort && a.proto == b.proto && a.vlan == b.vlan
    }

    /// A 64-bit hash of the whole key (used by flow tables).
    @inlinable @inline(__always)
    public var hashValue64: UInt64 {
        var h = FlowHash.mix(lowAddress.high ^ FlowHash.seed, lowAddress.low)
        h = FlowHash.mix(h ^ highAddress.high, highAddress.low)
        let rest = UInt64(lowPort) | UInt64(highPort) << 16 | UInt64(proto) << 32 | UInt64(vlan) << 40
        return FlowHash.mix(h, rest ^ (lowAddress.isIPv6 ? 1 << 63 : 0))
    }
}

/// Symmetric hashing for spreading packets over workers.
public enum FlowHash {
    public static let seed: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// 64×64→128 multiply folded to 64 bits: a fast mixer with good avalanche.
    @inlinable @inline(__always)
    public static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = (a ^ 0xA076_1D64_78BD_642F).multipliedFullWidth(by: b ^ 0xE703_7ED1_A0B4_28DB)
        return r.high ^ r.low
    }

    /// Hash of the unordered address pair and protocol. Ports are left out on purpose:
    /// non-first IP fragments carry none, and they must reach the worker that holds their flow.
    @inlinable @inline(__always)
    public static func symmetric(_ a: IPAddress, _ b: IPAddress, proto: UInt8) -> UInt64 {
        let (x, y) = a < b ? (a, b) : (b, a)
        let h = mix(x.high ^ seed, x.low)
        return mix(h ^ y.high ^ UInt64(proto) << 56, y.low)
    }
}
