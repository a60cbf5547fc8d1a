import AppProtocols
import PacketCore

/// A worker's application-layer dissection: per-flow state and metadata in arrays indexed like
/// the flow table's slab (preallocated with it), the reassembly pool, and the per-packet step.
///
/// A flow's first payloads go through the classifier's probes; once a protocol matches, only its
/// parser runs, per direction, until it has what the record wants. A flow stops costing L7 work
/// when both directions are done or after `maxPayloadPackets` payload packets.
final class L7Dissector {
    let maxPayloadPackets: Int
    let pool: ReassemblyPool
    let meta: UnsafeMutablePointer<FlowMetadata>
    private let state: UnsafeMutablePointer<L7FlowState>
    let capacity: Int
    private(set) var stats = L7Stats()
    /// QUIC Initial decryption's plaintext buffer and last keys (allocated once per worker).
    private var quicWorkspace = QUICInitialWorkspace()
    /// JA4's hashes of recent ClientHellos (`config.ja4CacheEntries`, allocated once per worker).
    private(set) var ja4Cache: JA4HashCache

    init(capacity: Int, config: FlowTableConfig) {
        self.capacity = capacity
        maxPayloadPackets = config.l7MaxPayloadPackets
        pool = ReassemblyPool(capacity: config.reassemblyBuffers, bufferSize: config.reassemblyBudget)
        ja4Cache = JA4HashCache(entries: config.ja4CacheEntries)
        // Not initialized here: a slot is initialized when its flow starts, so memory is touched
        // only for slots ever used (the slab reuses freed slots first).
        meta = .allocate(capacity: capacity)
        state = .allocate(capacity: capacity)
    }

    deinit {
        meta.deallocate()
        state.deallocate()
    }

    @inline(__always)
    func begin(_ i: Int) {
        (meta + i).initialize(to: FlowMetadata())
        (state + i).initialize(to: L7FlowState())
    }

    /// Gives back the flow's buffers (the flow ends or is decided).
    @inline(__always)
    func releaseBuffers(_ i: Int) {
        let s = state + i
        if s.pointee.bufferA >= 0 { pool.release(s.pointee.bufferA); s.pointee.bufferA = -1 }
        if s.pointee.bufferB >= 0 { pool.release(s.pointee.bufferB); s.pointee.bufferB = -1 }
    }

    /// The flow's metadata for its record, with the port fallback applied when no payload decided.
    @inline(__always)
    func recordMetadata(_ i: Int, sport: UInt16, dport: UInt16, proto: UInt8) -> FlowMetadata {
        var m = meta[i]
        if m.app == .unknown {
            let byPort = Classifier.byPorts(sport: sport, dport: dport, ipProto: proto)
            if byPort != .unknown { m.app = byPort; m.appBy = .port }
        }
        return m
    }

    /// Whether flow `i` needs no more L7 work (decided for good).
    @inline(__always)
    func isFinished(_ i: Int) -> Bool { state[i].finished }

    private func finish(_ i: Int) {
        let s = state + i
        if !(s.pointee.doneA && s.pointee.doneB) && meta[i].app != .unknown { meta[i].flags.insert(.budgetExhausted) }
        s.pointee.finished = true
        releaseBuffers(i)
    }

    // MARK: Per packet

    /// One packet of flow `i`: `fromA` says its direction; `frame` holds the captured bytes.
    @inline(__always)
    func process(_ i: Int, fromA: Bool, info: PacketInfo, frame: UnsafeRawBufferPointer, sport: UInt16, dport: UInt16) {
        if state[i].finished { return }
        let tcp = info.ipProto == 6
        guard tcp || info.ipProto == 17, info.hasL4, !info.l4Incomplete else { return }
        if tcp && info.tcpFlags & 0x02 != 0 {
            // SYN: its sequence number + 1 is the stream's byte 0.
            if fromA { state[i].baseSeqA = info.tcpSeq &+ 1; state[i].seqKnownA = true }
            else { state[i].baseSeqB = info.tcpSeq &+ 1; state[i].seqKnownB = true }
        }
        let start = Int(info.payloadOffset)
        let end = min(start + Int(info.payloadLength), frame.count)
        guard end > start else { return }
        if fromA ? state[i].doneA : state[i].doneB { return }
        let payload = UnsafeRawBufferPointer(rebasing: frame[start..<end])
        stats.payloadPackets &+= 1
        state[i].payloadPackets &+= 1
        let context = ProbeContext(ipProto: info.ipProto, srcPort: fromA ? sport : dport, dstPort: fromA ? dport : sport,
                                   fromInitiator: fromA, packetIndex: Int(state[i].payloadPackets) - 1)
        if tcp { tcpSegment(i, fromA: fromA, seq: info.tcpSeq, payload, context) }
        else { direction(i, fromA: fromA, done: analyze(i, payload, context)) }
        let s = state[i]
        if (s.doneA && s.doneB) || Int(s.payloadPackets) >= maxPayloadPackets { finish(i) }
    }

    private func direction(_ i: Int, fromA: Bool, done: Bool) {
        if done { if fromA { state[i].doneA = true } else { state[i].doneB = true } }
    }

    /// Places a TCP segment in its direction's stream and analyzes the contiguous prefix.
    private func tcpSegment(_ i: Int, fromA: Bool, seq: UInt32, _ payload: UnsafeRawBufferPointer, _ context: ProbeContext) {
        let s = state + i
        let known = fromA ? s.pointee.seqKnownA : s.pointee.seqKnownB
        if !known {
            // Mid-stream pickup (no SYN seen): this segment starts the stream.
            if fromA { s.pointee.baseSeqA = seq; s.pointee.seqKnownA = true } else { s.pointee.baseSeqB = seq; s.pointee.seqKnownB = true }
        }
        let base = fromA ? s.pointee.baseSeqA : s.pointee.baseSeqB
        let rel = Int(Int32(bitPattern: seq &- base))
        var buffer = fromA ? s.pointee.bufferA : s.pointee.bufferB
        if buffer < 0 {
            if rel == 0 {
                // In order and first: parse in place, no copy (the common case).
                let done = analyze(i, payload, context)
                if done || fromA && s.pointee.doneA || !fromA && s.pointee.doneB { direction(i, fromA: fromA, done: true); return }
            } else if rel < 0 || rel >= pool.bufferSize {
                return  // a retransmission of bytes before byte 0, or far beyond the budget
            } else {
                meta[i].flags.insert(.outOfOrder)
            }
            // Needs more: keep the bytes.
            buffer = pool.acquire()
            if buffer < 0 { meta[i].flags.insert(.reassemblyOverflow); direction(i, fromA: fromA, done: true); return }
            if fromA { s.pointee.bufferA = buffer } else { s.pointee.bufferB = buffer }
            if !pool.write(buffer, at: rel, payload) { meta[i].flags.insert(.reassemblyOverflow) }
            return
        }
        let before = pool.rangesOf(buffer).pointee.contiguous
        if rel + payload.count <= before { return }  // retransmission of bytes already held
        if rel != before { meta[i].flags.insert(.outOfOrder) }
        // Bytes past the budget are left out; that is an overflow unless what was kept is enough
        // for the parser (e.g. a large segment whose first bytes complete the message).
        let fits: Bool
        if rel < 0 {
            // Overlaps byte 0: keep the part from byte 0 on.
            let skip = -rel
            if skip >= payload.count { return }
            fits = pool.write(buffer, at: 0, UnsafeRawBufferPointer(rebasing: payload[skip...]))
        } else {
            fits = pool.write(buffer, at: rel, payload)
        }
        let now = pool.rangesOf(buffer).pointee.contiguous
        if now == before {
            if !fits { meta[i].flags.insert(.reassemblyOverflow) }
            return
        }
        let done = analyze(i, UnsafeRawBufferPointer(start: pool.bytes(buffer).baseAddress, count: now), context)
        if !fits && !done { meta[i].flags.insert(.reassemblyOverflow) }
        if done || now >= pool.bufferSize {
            if !done { meta[i].flags.insert(.reassemblyOverflow) }
            pool.release(buffer)
            if fromA { s.pointee.bufferA = -1 } else { s.pointee.bufferB = -1 }
            direction(i, fromA: fromA, done: true)
        }
    }

    // MARK: Classification and parsers

    /// Classifies (if undecided) and parses one direction's bytes; true when that direction is done.
    private func analyze(_ i: Int, _ p: UnsafeRawBufferPointer, _ c: ProbeContext) -> Bool {
        let m = meta + i
        if m.pointee.app == .unknown {
            let r = Classifier.classify(p, c)
            switch r.verdict {
            case .needMore: return false
            case .noMatch:
                // The direction's first message matched nothing: it stays unknown (a later
                // message retried against every probe would only raise false matches).
                stats.unmatchedPayloads &+= 1
                if state[i].tentative != .unknown && c.fromInitiator == state[i].tentativeFromA { state[i].tentative = .unknown }
                // Except on the DNS ports over UDP, where every datagram is a message of its own
                // and a broken one may precede good ones (the probe there is strict anyway).
                return !(c.ipProto == 17 && (c.hasPort(53) || c.hasPort(5353) || c.hasPort(5355)))
            case .match:
                // Weak signatures (a few header bits) must hold on two datagrams of one direction.
                if Classifier.needsConfirmation(r.app) && !(state[i].tentative == r.app && state[i].tentativeFromA == c.fromInitiator) {
                    state[i].tentative = r.app
                    state[i].tentativeFromA = c.fromInitiator
                    return false
                }
                m.pointee.app = r.app
                m.pointee.appBy = .payload
            }
        }
        switch m.pointee.app {
        case .dns, .mdns, .llmnr: return dns(m, p, c)
        case .http: return http(i, m, p, c)
        // SSDP is HTTP over UDP (UPnP 2.0 §1): its request heads carry the same fields.
        case .ssdp: _ = http(i, m, p, c); return true
        case .tls: return tls(m, p, c)
        case .ssh: return ssh(m, p, c)
        case .quic: return quic(i, m, p, c)
        default:
            return ProbeMetadata.parse(m.pointee.app, p, c, into: &m.pointee)
        }
    }

    private func dns(_ m: UnsafeMutablePointer<FlowMetadata>, _ p: UnsafeRawBufferPointer, _ c: ProbeContext) -> Bool {
        var s = DNSSummary()
        let status = c.ipProto == 6 ? DNSMessage.parseTCP(p, into: &s) : DNSMessage.parse(p, into: &s)
        if status == .needMore { return false }
        m.pointee.flags.formUnion(s.flags)
        if status == .invalid { m.pointee.flags.insert(.malformed); return true }
        if !m.pointee.has(.dnsQName) && s.questions > 0 {
            s.qname.withBytes { m.pointee.set(.dnsQName, $0) }
            if s.qname.count == 0 { m.pointee.set(.dnsQName, ".") }
            m.pointee.dnsQType = s.qtype
        }
        if s.isResponse && m.pointee.dnsRCode == 0xFF {
            m.pointee.dnsRCode = s.rcode
            m.pointee.dnsAnswers = s.answers
            if s.firstAnswerType != 0 { s.firstAnswer.withBytes { m.pointee.set(.dnsAnswer, $0) } }
        }
        return true
    }

    private func http(_ i: Int, _ m: UnsafeMutablePointer<FlowMetadata>, _ p: UnsafeRawBufferPointer, _ c: ProbeContext) -> Bool {
        // Past a CONNECT exchange the direction carries the tunnel: TLS from that offset on. The
        // client's side opens once the proxy's 2xx has been seen.
        let tunnel = Int(c.fromInitiator ? state[i].tunnelA : state[i].tunnelB)
        if tunnel > 0 {
            if c.fromInitiator && state[i].tunnelB == 0 { return false }
            return p.count > tunnel ? tls(m, p.slice(tunnel..<p.count), c) : false
        }
        var h = HTTPHead()
        let status = HTTPMessage.parse(p, into: &h)
        if status == .invalid { return true }
        if status == .needMore && p.count < pool.bufferSize { return false }
        var opens = false
        if h.isRequest {
            m.pointee.set(.httpMethod, p.slice(h.method))
            m.pointee.set(.httpHost, p.slice(h.host))
            m.pointee.set(.httpUserAgent, p.slice(h.userAgent))
            m.pointee.set(.httpContentType, p.slice(h.contentType))
            m.pointee.httpRequests &+= UInt16(h.requests)
            if h.requests > 1 { m.pointee.flags.insert(.httpPipelined) }
            if c.ipProto == 6 && h.requests == 1 && p.slice(h.method).elementsEqual("CONNECT".utf8) {
                state[i].connectAsked = true
                opens = true
            }
        } else if h.status != 0 && m.pointee.httpStatus == 0 {
            m.pointee.httpStatus = h.status
            if !m.pointee.has(.httpContentType) { m.pointee.set(.httpContentType, p.slice(h.contentType)) }
            opens = state[i].connectAsked && h.status >= 200 && h.status < 300
            // Refused: the client's side has no tunnel after all (its request head was all).
            if state[i].connectAsked && !opens { state[i].doneA = true }
        }
        // A tunnel opens after the CONNECT request's head (client) and a 2xx response's head
        // (server); its bytes must start inside the reassembly budget to be looked at.
        guard opens, h.headEnd > 0, h.headEnd < pool.bufferSize, h.headEnd <= Int(UInt16.max) else { return true }
        if c.fromInitiator { state[i].tunnelA = UInt16(h.headEnd) } else { state[i].tunnelB = UInt16(h.headEnd) }
        return p.count > h.headEnd ? tls(m, p.slice(h.headEnd..<p.count), c) : false
    }

    private func tls(_ m: UnsafeMutablePointer<FlowMetadata>, _ p: UnsafeRawBufferPointer, _ c: ProbeContext) -> Bool {
        guard let t = p.first else { return false }
        if t != 0x16 && t != 0x14 { return true }
        let want: UInt8 = c.fromInitiator ? 1 : 2
        let (status, range) = TLSHello.handshake(in: p, type: want)
        if status == .needMore { return false }
        if status == .invalid { return true }
        let hs = p.slice(range)
        if want == 1 {
            var ch = TLSClientHello()
            if TLSHello.parseClientHello(hs, quic: false, cache: &ja4Cache, into: &ch) == .done { store(ch, hs, m, sni: .tlsSNI, alpn: .tlsALPN) }
            else { m.pointee.flags.insert(.malformed) }
        } else {
            var sh = TLSServerHello()
            if TLSHello.parseServerHello(hs, into: &sh) == .done {
                m.pointee.tlsVersion = sh.version
                m.pointee.tlsCipher = sh.cipher
            } else { m.pointee.flags.insert(.malformed) }
        }
        return true
    }

    private func store(_ ch: TLSClientHello, _ hs: UnsafeRawBufferPointer, _ m: UnsafeMutablePointer<FlowMetadata>,
                       sni: MetaField, alpn: MetaField) {
        m.pointee.flags.formUnion(ch.flags.intersection(.malformed))
        m.pointee.tlsClientVersion = ch.highestVersion
        m.pointee.set(sni, hs.slice(ch.sni))
        // ALPN: names joined by commas.
        var q = ch.alpnList.lowerBound
        var first = true
        while q < ch.alpnList.upperBound {
            let l = Int(hs[q])
            guard q + 1 + l <= ch.alpnList.upperBound else { break }
            if l > 0 {
                if !first { m.pointee.append(alpn, UnsafeRawBufferPointer(start: comma.utf8Start, count: 1)) }
                m.pointee.append(alpn, hs.slice(q + 1..<q + 1 + l))
                first = false
            }
            q += 1 + l
        }
        if sni == .tlsSNI {
            withUnsafeBytes(of: ch.ja4) { m.pointee.set(.tlsJA4, $0) }
        }
    }

    private let comma: StaticString = ","

    private func ssh(_ m: UnsafeMutablePointer<FlowMetadata>, _ p: UnsafeRawBufferPointer, _ c: ProbeContext) -> Bool {
        let (status, range) = SSHBanner.parse(p)
        if status == .needMore { return false }
        if status == .done { m.pointee.set(c.fromInitiator ? .sshClient : .sshServer, p.slice(range)) }
        return true
    }

    private func quic(_ i: Int, _ m: UnsafeMutablePointer<FlowMetadata>, _ p: UnsafeRawBufferPointer, _ c: ProbeContext) -> Bool {
        if let v = p.u32be(1), m.pointee.quicVersion == 0, let b0 = p.first, b0 & 0x80 != 0 { m.pointee.quicVersion = v }
        guard c.fromInitiator else { return true }  // the server's Initial needs no reading
        let s = state + i
        if s.pointee.bufferA < 0 {
            s.pointee.bufferA = pool.acquire()
            if s.pointee.bufferA < 0 { m.pointee.flags.insert(.reassemblyOverflow); return true }
        }
        let b = s.pointee.bufferA
        var end = Int(s.pointee.cryptoEnd)
        let r = QUICInitial.decryptClientInitials(p, workspace: &quicWorkspace, crypto: pool.bytes(b), filled: &pool.rangesOf(b).pointee, cryptoEnd: &end)
        s.pointee.cryptoEnd = UInt16(end)
        if !r.decrypted { m.pointee.flags.insert(.quicUndecrypted); return s.pointee.payloadPackets >= 3 }
        let n = pool.rangesOf(b).pointee.contiguous
        let hs = UnsafeRawBufferPointer(start: pool.bytes(b).baseAddress, count: n)
        var ch = TLSClientHello()
        switch TLSHello.parseClientHello(hs, quic: true, cache: &ja4Cache, into: &ch) {
        case .needMore: return n >= pool.bufferSize
        case .invalid: m.pointee.flags.insert(.malformed)
        case .done:
            store(ch, hs, m, sni: .quicSNI, alpn: .quicALPN)
            withUnsafeBytes(of: ch.ja4) { m.pointee.set(.tlsJA4, $0) }
        }
        pool.release(b)
        s.pointee.bufferA = -1
        return true
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func u32be(_ i: Int) -> UInt32? {
        i >= 0 && i + 4 <= count ? UInt32(bigEndian: loadUnaligned(fromByteOffset: i, as: UInt32.self)) : nil
    }
    @inline(__always)
    func slice(_ r: Range<Int>) -> UnsafeRawBufferPointer {
        r.isEmpty ? UnsafeRawBufferPointer(start: nil, count: 0) : UnsafeRawBufferPointer(rebasing: self[r])
    }
}

/// Application-layer counters of one worker.
public struct L7Stats: Sendable {
    public var payloadPackets: UInt64 = 0
    public var unmatchedPayloads: UInt64 = 0
    /// Times a reassembly buffer was wanted and none was free; most buffers held at once.
    public var reassemblyExhausted: UInt64 = 0
    public var reassemblyPeakBuffers: Int = 0
    /// Buffers lent out now (0 once every flow has ended).
    public var reassemblyInUse: Int = 0
    /// JA4 hashes taken from the per-worker cache, computed (and stored), computed without
    /// storing (inputs too long for an entry, or the cache off).
    public var ja4CacheHits: UInt64 = 0
    public var ja4CacheMisses: UInt64 = 0
    public var ja4Uncached: UInt64 = 0
    public init() {}
}
