import Export

/// Builds the frames of one packet event in a fixed buffer (Ethernet, VLAN tags, tunnel, IP, L4,
/// payload, checksums, fragmentation) and hands them to the capture file writer.
final class FrameAssembler {
    /// Ethernet frames shorter than this are padded, as a tap sees them (60 bytes + 4 of FCS = 64).
    static let minimumFrame = 60
    /// Large enough for a 64 KiB datagram plus every header this generator stacks.
    static let bufferSize = 70_000

    private let buffer: UnsafeMutableRawBufferPointer
    private var fragmentCopy: [UInt8] = []
    private let writer: CaptureFileWriter
    private(set) var lastNs: UInt64 = 0
    private(set) var packets = 0
    private(set) var bytes = 0

    init(writer: CaptureFileWriter) {
        self.writer = writer
        buffer = .allocate(byteCount: FrameAssembler.bufferSize, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit { buffer.deallocate() }

    /// Writes the frame(s) of `flow`'s current event; timestamps strictly increase across the file.
    func emit(_ flow: SynthFlow) throws(SystemError) {
        let event = flow.events[flow.cursor]
        let nominal = flow.nextTime
        flow.cursor += 1
        let spec = flow.spec
        let v6 = spec.isIPv6
        let fromClient = event.fromClient

        // Header stack sizes.
        let l2 = 14 + 4 * spec.vlanTags.count
        var tunnelLen = 0
        switch spec.tunnel {
        case .none: break
        case .gre: tunnelLen = 24
        case .vxlan: tunnelLen = 20 + 8 + 8 + 14
        }
        let ipOff = l2 + tunnelLen
        let ipHeader = v6 ? 40 : 20
        let l4Off = ipOff + ipHeader
        var l4Header: Int
        switch spec.proto {
        case 6: l4Header = 20 + (event.synOptions ? (spec.minimal ? 4 : 20) : 0)
        case 17: l4Header = 8
        default: l4Header = 8
        }
        let payloadLen = event.payload.count
        let l4Len = l4Header + payloadLen
        let payloadOff = l4Off + l4Header
        fillPayload(event.payload, at: payloadOff, flow: flow)

        let src = fromClient ? spec.client : spec.server
        let dst = fromClient ? spec.server : spec.client
        let b = buffer
        // L4 header and checksum over the pseudo-header.
        switch spec.proto {
        case 6:
            b.put16(l4Off, fromClient ? spec.clientPort : spec.serverPort)
            b.put16(l4Off + 2, fromClient ? spec.serverPort : spec.clientPort)
            b.put32(l4Off + 4, event.seq)
            b.put32(l4Off + 8, event.ack)
            b[l4Off + 12] = UInt8(l4Header / 4) << 4
            b[l4Off + 13] = event.tcpFlags
            b.put16(l4Off + 14, event.window)
            b.put32(l4Off + 16, 0)
            if event.synOptions {
                let o = l4Off + 20
                b[o] = 2; b[o + 1] = 4; b.put16(o + 2, UInt16(spec.mss))
                if !spec.minimal {
                    b[o + 4] = 4; b[o + 5] = 2
                    b[o + 6] = 8; b[o + 7] = 10
                    b.put32(o + 8, UInt32(truncatingIfNeeded: flow.random.next()))
                    b.put32(o + 12, fromClient ? 0 : UInt32(truncatingIfNeeded: flow.random.next()))
                    b[o + 16] = 1; b[o + 17] = 3; b[o + 18] = 3; b[o + 19] = 7
                }
            }
        case 17:
            b.put16(l4Off, fromClient ? spec.clientPort : spec.serverPort)
            b.put16(l4Off + 2, fromClient ? spec.serverPort : spec.clientPort)
            b.put16(l4Off + 4, UInt16(l4Len))
            b.put16(l4Off + 6, 0)
        default:
            let request = fromClient
            if spec.proto == 1 { b[l4Off] = request ? 8 : 0 } else { b[l4Off] = request ? 128 : 129 }
            b[l4Off + 1] = 0
            b.put16(l4Off + 2, 0)
            b.put16(l4Off + 4, spec.clientPort)  // echo identifier
            b.put16(l4Off + 6, UInt16(truncatingIfNeeded: event.seq))
        }
        var sum = InternetChecksum()
        if spec.proto != 1 {
            src.withUnsafeBytes { sum.add($0) }
            dst.withUnsafeBytes { sum.add($0) }
            sum.add32(UInt32(l4Len))
            sum.add16(UInt16(spec.proto))
        }
        sum.add(UnsafeRawBufferPointer(rebasing: b[l4Off..<l4Off + l4Len]))
        var check = sum.value
        if spec.proto == 17 && check == 0 { check = 0xFFFF }  // RFC 768: zero means "no checksum"
        b.put16(l4Off + (spec.proto == 6 ? 16 : (spec.proto == 17 ? 6 : 2)), check)

        let id: UInt16
        if fromClient { flow.ipID.client &+= 1; id = flow.ipID.client } else { flow.ipID.server &+= 1; id = flow.ipID.server }
        let ttl = fromClient ? spec.clientTTL : spec.serverTTL

        let fragmentCount = Int(event.fragments)
        if fragmentCount <= 1 {
            let dontFragment = spec.proto == 6 || spec.serverPort == 443
            writeIP(at: ipOff, v6: v6, payloadLength: l4Len, nextHeader: spec.proto, id: id,
                    flagsOffset: dontFragment ? 0x4000 : 0, ttl: ttl, src: src, dst: dst, flowLabel: spec.flowLabel)
            let end = l4Off + l4Len
            try finish(flow, fromClient: fromClient, ipOff: ipOff, end: end, innerIPLength: end - ipOff,
                       nominal: nominal, id: id)
            return
        }

        // Fragmented datagram: copy the L4 bytes out, then write each fragment with its IP header.
        fragmentCopy.removeAll(keepingCapacity: true)
        fragmentCopy.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[l4Off..<l4Off + l4Len]))
        let piece = ((l4Len + fragmentCount - 1) / fragmentCount + 7) & ~7
        let fragmentID = UInt32(id) << 16 | UInt32(truncatingIfNeeded: flow.random.next() & 0xFFFF)
        var offset = 0
        var index = 0
        while offset < l4Len {
            let count = min(piece, l4Len - offset)
            let more = offset + count < l4Len
            var dataOff: Int
            if v6 {
                dataOff = ipOff + 48
                writeIP(at: ipOff, v6: true, payloadLength: 8 + count, nextHeader: 44, id: 0, flagsOffset: 0,
                        ttl: ttl, src: src, dst: dst, flowLabel: spec.flowLabel)
                b[ipOff + 40] = spec.proto
                b[ipOff + 41] = 0
                b.put16(ipOff + 42, UInt16(offset) | (more ? 1 : 0))
                b.put32(ipOff + 44, fragmentID)
            } else {
                dataOff = ipOff + 20
                writeIP(at: ipOff, v6: false, payloadLength: count, nextHeader: spec.proto, id: id,
                        flagsOffset: UInt16(offset / 8) | (more ? 0x2000 : 0), ttl: ttl, src: src, dst: dst,
                        flowLabel: 0)
            }
            fragmentCopy.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(rebasing: b[dataOff..<dataOff + count])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + count]))
            }
            let end = dataOff + count
            if index > 0 { flow.fragments += 1 }
            try finish(flow, fromClient: fromClient, ipOff: ipOff, end: end, innerIPLength: end - ipOff,
                       nominal: nominal, id: id)
            offset += count
            index += 1
        }
    }

    /// Writes the tunnel and link layers in front of the IP packet at `ipOff..<end`, pads, writes.
    private func finish(_ flow: SynthFlow, fromClient: Bool, ipOff: Int, end: Int, innerIPLength: Int,
                        nominal: UInt64, id: UInt16) throws(SystemError) {
        let spec = flow.spec
        let b = buffer
        var etherType: UInt16 = spec.isIPv6 ? 0x86DD : 0x0800
        switch spec.tunnel {
        case .none:
            break
        case .gre(let outerClient, let outerServer):
            let o = ipOff - 24
            b.put16(o + 20, 0)
            b.put16(o + 22, etherType)
            writeIP(at: o, v6: false, payloadLength: end - (o + 20), nextHeader: 47, id: id ^ 0x5A5A, flagsOffset: 0,
                    ttl: 64, src: fromClient ? outerClient : outerServer, dst: fromClient ? outerServer : outerClient,
                    flowLabel: 0)
            etherType = 0x0800
        case .vxlan(let outerClient, let outerServer, let vni, let sourcePort):
            let o = ipOff - 50
            // Inner Ethernet.
            let inner = o + 36
            let innerSrc = fromClient ? spec.clientMAC : spec.serverMAC
            let innerDst = fromClient ? spec.serverMAC : spec.clientMAC
            for i in 0..<6 { b[inner + i] = innerDst[i]; b[inner + 6 + i] = innerSrc[i] }
            b.put16(inner + 12, etherType)
            // VXLAN: I flag, VNI.
            b.put32(o + 28, 0x0800_0000)
            b.put32(o + 32, vni << 8)
            // Outer UDP.
            let outerSrc = fromClient ? outerClient : outerServer
            let outerDst = fromClient ? outerServer : outerClient
            let udpLen = end - (o + 20)
            b.put16(o + 20, sourcePort)
            b.put16(o + 22, 4789)
            b.put16(o + 24, UInt16(udpLen))
            b.put16(o + 26, 0)
            var sum = InternetChecksum()
            outerSrc.withUnsafeBytes { sum.add($0) }
            outerDst.withUnsafeBytes { sum.add($0) }
            sum.add32(UInt32(udpLen)); sum.add16(17)
            sum.add(UnsafeRawBufferPointer(rebasing: b[o + 20..<end]))
            let c = sum.value
            b.put16(o + 26, c == 0 ? 0xFFFF : c)
            writeIP(at: o, v6: false, payloadLength: udpLen, nextHeader: 17, id: id ^ 0x5A5A, flagsOffset: 0,
                    ttl: 64, src: outerSrc, dst: outerDst, flowLabel: 0)
            etherType = 0x0800
        }
        // Link layer.
        let srcMAC = fromClient ? spec.clientMAC : spec.serverMAC
        let dstMAC = fromClient ? spec.serverMAC : spec.clientMAC
        for i in 0..<6 { b[i] = dstMAC[i]; b[6 + i] = srcMAC[i] }
        var o = 12
        for tag in spec.vlanTags {
            b.put16(o, tag.tpid)
            b.put16(o + 2, tag.vid)
            o += 4
        }
        b.put16(o, etherType)
        var length = end
        if length < FrameAssembler.minimumFrame {
            for i in length..<FrameAssembler.minimumFrame { b[i] = 0 }
            length = FrameAssembler.minimumFrame
        }
        let ts = max(nominal, lastNs &+ 1)
        lastNs = ts
        try writer.write(frame: UnsafeRawBufferPointer(rebasing: b[0..<length]), timestampNs: ts)
        packets += 1
        bytes += length
        if fromClient { flow.aPackets += 1; flow.aBytes += length } else { flow.bPackets += 1; flow.bBytes += length }
        flow.ipBytes += innerIPLength
        if flow.firstNs == 0 { flow.firstNs = ts }
        flow.lastNs = ts
    }

    /// Writes an IPv4 header (with checksum) or a fixed IPv6 header at `off`.
    private func writeIP(at off: Int, v6: Bool, payloadLength: Int, nextHeader: UInt8, id: UInt16,
                         flagsOffset: UInt16, ttl: UInt8, src: [UInt8], dst: [UInt8], flowLabel: UInt32) {
        let b = buffer
        if v6 {
            b.put32(off, 0x6000_0000 | (flowLabel & 0xFFFFF))
            b.put16(off + 4, UInt16(payloadLength))
            b[off + 6] = nextHeader
            b[off + 7] = ttl
            for i in 0..<16 { b[off + 8 + i] = src[i]; b[off + 24 + i] = dst[i] }
        } else {
            b[off] = 0x45
            b[off + 1] = 0
            b.put16(off + 2, UInt16(20 + payloadLength))
            b.put16(off + 4, id)
            b.put16(off + 6, flagsOffset)
            b[off + 8] = ttl
            b[off + 9] = nextHeader
            b.put16(off + 10, 0)
            for i in 0..<4 { b[off + 12 + i] = src[i]; b[off + 16 + i] = dst[i] }
            var sum = InternetChecksum()
            sum.add(UnsafeRawBufferPointer(rebasing: b[off..<off + 20]))
            b.put16(off + 10, sum.value)
        }
    }

    private func fillPayload(_ payload: PayloadSource, at off: Int, flow: SynthFlow) {
        let b = buffer
        switch payload {
        case .none:
            break
        case .bytes(let bytes):
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: b[off..<off + $0.count]).copyMemory(from: $0) }
        case .slice(let bytes):
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: b[off..<off + $0.count]).copyMemory(from: $0) }
        case .random(let n):
            flow.random.fill(UnsafeMutableRawBufferPointer(rebasing: b[off..<off + n]))
        case .opaque(let n):
            flow.random.fill(UnsafeMutableRawBufferPointer(rebasing: b[off..<off + n]))
            if n > 0 { b[off] = 0x3F }
        case .tlsRecord(let n):
            b[off] = 0x17; b[off + 1] = 3; b[off + 2] = 3
            b.put16(off + 3, UInt16(n - 5))
            flow.random.fill(UnsafeMutableRawBufferPointer(rebasing: b[off + 5..<off + n]))
        case .quicShort(let dcid, let n):
            b[off] = 0x40 | UInt8(truncatingIfNeeded: flow.random.next() & 0x3F)
            for i in 0..<dcid.count { b[off + 1 + i] = dcid[i] }
            let start = off + 1 + dcid.count
            flow.random.fill(UnsafeMutableRawBufferPointer(rebasing: b[start..<off + n]))
        }
    }
}
