public import PacketCore

/// Decodes L2–L4 headers of one frame into a `PacketInfo`, in place, without allocating.
///
/// The decoder walks the headers with a loop, never recursion: each layer decoder returns the
/// next `DecodeStep`, and entering a tunnel counts against `DecodeLimits.maxTunnelDepth`.
/// Every read is preceded by one length check per fixed header against the bytes that layer may
/// read (`limit ≤ frame.count`), so no value in the frame can make it read past the capture.
///
/// Tunnels: the flow is keyed on the innermost IP header that decodes; `info.tunnel` names the
/// outermost encapsulation. When the part inside a tunnel cannot be decoded (not IP, truncated,
/// malformed, an unknown GRE protocol, a GTP-U message other than G-PDU, VXLAN without the I flag)
/// the decoder keeps the last flow that did decode — the outer one — with the tunnel left unmarked,
/// rather than losing the packet. Only exceeding the tunnel depth is an error of the whole frame.
/// Fragmented outer packets are never decapsulated (a fragment cannot be decoded on its own):
/// they are reported as fragments of the outer flow, the first one with its L4 ports.
@frozen
public struct PacketDecoder: Sendable {
    /// UDP destination port taken as VXLAN (RFC 7348 §5).
    public var vxlanPort: UInt16
    /// UDP port (source or destination) taken as GTP-U (3GPP TS 29.281 §4.4.2).
    public var gtpUPort: UInt16
    /// Whether to look inside tunnels at all; when false the outermost flow is reported.
    public var decapsulate: Bool

    /// A decoder with the IANA ports and decapsulation on.
    @inlinable
    public init(vxlanPort: UInt16 = 4789, gtpUPort: UInt16 = 2152, decapsulate: Bool = true) {
        self.vxlanPort = vxlanPort
        self.gtpUPort = gtpUPort
        self.decapsulate = decapsulate
    }

    /// Decodes `frame` (captured bytes of a `linkType` frame) into `info`.
    /// Keeps `timestampNs`, `wireLength` and `capturedLength`, which the caller set; overwrites every other field.
    /// Non-IP frames (ARP, LLDP …) return normally with `info.ipVersion == 0`.
    @inlinable
    public func decode(_ frame: UnsafeRawBufferPointer, linkType: LinkType,
                       into info: inout PacketInfo) throws(ParseError) {
        info.resetDecodedFields()
        var step = try decodeLinkLayer(frame, linkType: linkType, into: &info)
        var depth = 0
        // The last complete flow, restored when a tunnel's inside does not decode. Set on entering a
        // tunnel only, so frames without tunnels never copy it.
        var fallback: PacketInfo? = nil

        while true {
            if step.entersTunnel != .none {
                if depth == DecodeLimits.maxTunnelDepth { throw .malformed(.tunnelDepth) }
                depth += 1
                fallback = info
                if info.tunnel == .none { info.tunnel = step.entersTunnel }
            }
            do throws(ParseError) {
                switch step.layer {
                case .ethernet:
                    step = try decodeEthernet(frame, at: step.offset, limit: step.limit, outer: depth == 0, into: &info)
                case .ipv4:
                    // The outermost IP header starts from the reset above; inner ones clear the outer's fields.
                    if depth > 0 { info.resetNetworkFields() }
                    step = try decodeIPv4(frame, at: step.offset, limit: step.limit, into: &info)
                case .ipv6:
                    if depth > 0 { info.resetNetworkFields() }
                    step = try decodeIPv6(frame, at: step.offset, limit: step.limit, into: &info)
                case .gre:
                    step = try decodeGRE(frame, at: step.offset, limit: step.limit)
                case .vxlan:
                    step = try decodeVXLAN(frame, at: step.offset, limit: step.limit)
                case .gtpU:
                    step = try decodeGTPU(frame, at: step.offset, limit: step.limit)
                case .nonIP:
                    // Top level: a non-IP frame is fine. Inside a tunnel: keep the outer flow.
                    if depth > 0, let fallback { info = fallback }
                    return
                case .done:
                    return
                }
            } catch {
                if depth > 0, let fallback { info = fallback; return }
                throw error
            }
        }
    }

    /// Fails with `.truncated` unless `length` bytes starting at `offset` lie before `end`.
    /// Callers keep `0 ≤ offset` and `end ≤ frame.count`, so a passed check makes the loads in range.
    @inlinable @inline(__always)
    static func require(_ length: Int, at offset: Int, end: Int) throws(ParseError) {
        if end - offset < length {
            throw .truncated(needed: length, have: max(0, end - offset))
        }
    }
}

/// What the decoder reads next: a layer, where it starts, and the end of the bytes it may read.
@usableFromInline
struct DecodeStep: Sendable {
    @usableFromInline var layer: DecodeLayer
    @usableFromInline var offset: Int
    /// Exclusive end of the bytes this layer may read; never beyond `frame.count`.
    @usableFromInline var limit: Int
    /// Set when this step enters an encapsulation (counted against the tunnel depth).
    @usableFromInline var entersTunnel: TunnelKind

    @inlinable
    init(_ layer: DecodeLayer, at offset: Int, limit: Int, entersTunnel: TunnelKind = .none) {
        self.layer = layer
        self.offset = offset
        self.limit = limit
        self.entersTunnel = entersTunnel
    }

    /// Decoding is complete.
    @inlinable static var done: DecodeStep { DecodeStep(.done, at: 0, limit: 0) }
    /// The next layer is not IP (or not decodable as IP).
    @inlinable static var nonIP: DecodeStep { DecodeStep(.nonIP, at: 0, limit: 0) }
}

@usableFromInline
enum DecodeLayer: UInt8, Sendable {
    case ethernet, ipv4, ipv6, gre, vxlan, gtpU, nonIP, done
}

extension PacketInfo {
    /// Clears everything the decoder owns; keeps the capture fields the caller set.
    @inlinable @inline(__always)
    mutating func resetDecodedFields() {
        let timestampNs = self.timestampNs, wireLength = self.wireLength, capturedLength = self.capturedLength
        self = PacketInfo()
        self.timestampNs = timestampNs
        self.wireLength = wireLength
        self.capturedLength = capturedLength
    }

    /// Clears the IP and L4 fields before an (inner) IP header; keeps capture, VLAN, MPLS and tunnel fields.
    @inlinable @inline(__always)
    mutating func resetNetworkFields() {
        var fresh = PacketInfo()
        fresh.timestampNs = timestampNs
        fresh.wireLength = wireLength
        fresh.capturedLength = capturedLength
        fresh.vlan = vlan
        fresh.vlanDepth = vlanDepth
        fresh.mplsDepth = mplsDepth
        fresh.tunnel = tunnel
        self = fresh
    }
}
