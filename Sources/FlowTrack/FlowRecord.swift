public import PacketCore
public import AppProtocols

/// One flow record: the exported state of a flow when it ends, times out or is flushed.
/// Trivially copyable, so records move between threads through SPSC rings without allocation.
@frozen
public struct FlowRecord: Sendable, BitwiseCopyable {
    /// Initiator (`a`) and responder (`b`) endpoints as seen.
    public var src: IPAddress
    public var dst: IPAddress
    public var sport: UInt16
    public var dport: UInt16
    public var proto: UInt8
    public var vlan: UInt16
    public var tunnel: TunnelKind
    public var startNs: UInt64
    public var endNs: UInt64
    /// Packets and frame bytes (original length, link layer included) from a and from b.
    public var aPackets: UInt64
    public var aBytes: UInt64
    public var bPackets: UInt64
    public var bBytes: UInt64
    /// IP-layer bytes (innermost IP header + payload as the header states) from a and from b.
    public var aIPBytes: UInt64
    public var bIPBytes: UInt64
    /// OR of the TCP flags each side sent.
    public var tcpFlagsA: UInt8
    public var tcpFlagsB: UInt8
    /// Non-first IP fragments counted to this flow through the fragment table.
    public var fragments: UInt32
    public var endReason: EndReason
    /// Index of the worker that produced the record.
    public var worker: UInt16
    /// Application protocol, how it was decided, and its metadata (fixed inline storage).
    public var meta: FlowMetadata

    @inlinable
    public init(src: IPAddress, dst: IPAddress, sport: UInt16, dport: UInt16, proto: UInt8, vlan: UInt16,
                tunnel: TunnelKind, startNs: UInt64, endNs: UInt64, aPackets: UInt64, aBytes: UInt64,
                bPackets: UInt64, bBytes: UInt64, aIPBytes: UInt64, bIPBytes: UInt64,
                tcpFlagsA: UInt8, tcpFlagsB: UInt8, fragments: UInt32, endReason: EndReason, worker: UInt16,
                meta: FlowMetadata = FlowMetadata()) {
        self.src = src; self.dst = dst; self.sport = sport; self.dport = dport
        self.proto = proto; self.vlan = vlan; self.tunnel = tunnel
        self.startNs = startNs; self.endNs = endNs
        self.aPackets = aPackets; self.aBytes = aBytes; self.bPackets = bPackets; self.bBytes = bBytes
        self.aIPBytes = aIPBytes; self.bIPBytes = bIPBytes
        self.tcpFlagsA = tcpFlagsA; self.tcpFlagsB = tcpFlagsB
        self.fragments = fragments; self.endReason = endReason; self.worker = worker
        self.meta = meta
    }
}

/// Where a flow table puts the records it ends. Generic, so the call is specialized, never boxed.
public protocol FlowRecordSink {
    mutating func emit(_ record: FlowRecord)
}
