public import PacketCore

/// A flow the table offers for shunting: the initiator and responder as its record will name them.
public struct ShuntRequest: Sendable, BitwiseCopyable {
    public var src: IPAddress
    public var dst: IPAddress
    public var sport: UInt16
    public var dport: UInt16
    public var proto: UInt8
    /// Outermost VLAN ID, 0 when untagged.
    public var vlan: UInt16

    public init(src: IPAddress, dst: IPAddress, sport: UInt16, dport: UInt16, proto: UInt8, vlan: UInt16) {
        self.src = src; self.dst = dst; self.sport = sport; self.dport = dport
        self.proto = proto; self.vlan = vlan
    }
}
