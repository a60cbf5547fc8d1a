/// What a payload probe knows besides the payload: transport, ports, direction, and how many
/// payload-carrying packets of this direction came before. Probes are pure functions of this and
/// the bytes; they never keep state.
@frozen
public struct ProbeContext: Sendable, BitwiseCopyable {
    /// 6 (TCP) or 17 (UDP).
    public var ipProto: UInt8
    public var srcPort: UInt16
    public var dstPort: UInt16
    /// The sender is the flow's initiator (`a`).
    public var fromInitiator: Bool
    /// Payload-carrying packets already seen in this direction (0 for the first).
    public var packetIndex: Int

    @inlinable
    public init(ipProto: UInt8, srcPort: UInt16, dstPort: UInt16, fromInitiator: Bool, packetIndex: Int) {
        self.ipProto = ipProto
        self.srcPort = srcPort
        self.dstPort = dstPort
        self.fromInitiator = fromInitiator
        self.packetIndex = packetIndex
    }

    /// Either port equals `port`.
    @inlinable
    public func hasPort(_ port: UInt16) -> Bool { srcPort == port || dstPort == port }
}

/// A probe's answer about one payload.
@frozen
public enum ProbeVerdict: UInt8, Sendable, BitwiseCopyable {
    /// The payload is this protocol.
    case match
    /// The payload is not this protocol.
    case noMatch
    /// Too few bytes to tell; ask again with the next payload of the flow.
    case needMore
}
