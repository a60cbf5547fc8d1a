import Testing
import FlowTrack
import PacketCore
import AppProtocols

/// A TLS record with a ClientHello carrying `sni`, padded to about `size` bytes with a padding
/// extension (RFC 7685) so it spans several segments.
func clientHelloRecord(sni: String, size: Int = 1500) -> [UInt8] {
    func u16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    let name = Array(sni.utf8)
    var exts: [UInt8] = [0, 0] + u16(name.count + 5) + u16(name.count + 3) + [0] + u16(name.count) + name
    exts += [0, 0x10] + u16(5) + u16(3) + [2] + Array("h2".utf8)
    let fixed = 4 + 2 + 32 + 1 + 4 + 2 + 2 + exts.count + 4
    let pad = max(0, size - 5 - fixed)
    exts += [0, 0x15] + u16(pad) + [UInt8](repeating: 0, count: pad)
    var body: [UInt8] = [3, 3] + [UInt8](repeating: 9, count: 32) + [0] + u16(2) + [0x13, 0x01] + [1, 0]
    body += u16(exts.count) + exts
    let hs: [UInt8] = [1, 0] + u16(body.count) + body
    return [0x16, 3, 1] + u16(hs.count) + hs
}

/// A TCP segment of the flow hostA:40000 → hostB:443 (or back), with `payload` as the whole frame.
func segment(_ fromA: Bool, seq: UInt32, flags: UInt8 = 0x18, payloadLength: Int, at ts: UInt64) -> PacketInfo {
    var p = fromA ? packet(hostA, 40000, hostB, 443, flags: flags, at: ts) : packet(hostB, 443, hostA, 40000, flags: flags, at: ts)
    p.tcpSeq = seq
    p.payloadOffset = 0
    p.payloadLength = UInt32(payloadLength)
    return p
}

@Suite struct L7ReassemblyTests {
    func run(_ segments: [(Bool, UInt32, [UInt8])], config: FlowTableConfig = FlowTableConfig(capacity: 64)) -> FlowRecord {
        let table = FlowTable(config: config)
        var sink = CollectingSink()
        var t: UInt64 = 1
        table.process(segment(true, seq: 999, flags: 0x02, payloadLength: 0, at: t), into: &sink)
        table.process(segment(false, seq: 4999, flags: 0x12, payloadLength: 0, at: t + 1), into: &sink)
        for (fromA, seq, bytes) in segments {
            t += 1
            bytes.withUnsafeBytes {
                table.process(segment(fromA, seq: seq, payloadLength: bytes.count, at: t), frame: $0, into: &sink)
            }
        }
        table.flush(into: &sink)
        #expect(sink.records.count == 1)
        return sink.records[0]
    }

    static let hello = clientHelloRecord(sni: "split.example.org")

    func thirds() -> [(UInt32, [UInt8])] {
        let h = Self.hello, a = h.count / 3, b = 2 * h.count / 3
        return [(1000, Array(h[0..<a])), (1000 + UInt32(a), Array(h[a..<b])), (1000 + UInt32(b), Array(h[b...]))]
    }

    @Test func clientHelloInThreeSegments() {
        let r = run(thirds().map { (true, $0.0, $0.1) })
        #expect(r.meta.app == .tls && r.meta.appBy == .payload)
        #expect(r.meta.string(.tlsSNI) == "split.example.org" && r.meta.string(.tlsALPN) == "h2")
        #expect(r.meta.string(.tlsJA4)?.hasPrefix("t12d0103h2_") == true)
        #expect(!r.meta.flags.contains(.outOfOrder) && !r.meta.flags.contains(.reassemblyOverflow))
    }

    @Test func outOfOrderAndRetransmittedSegments() {
        let s = thirds()
        let r = run([(true, s[2].0, s[2].1), (true, s[0].0, s[0].1), (true, s[0].0, s[0].1), (true, s[1].0, s[1].1)])
        #expect(r.meta.string(.tlsSNI) == "split.example.org")
        #expect(r.meta.flags.contains(.outOfOrder))
        // A retransmission overlapping what was held already.
        let h = Self.hello
        let r2 = run([(true, 1000, Array(h[0..<600])), (true, 1300, Array(h[300..<900])), (true, 1900, Array(h[900...]))])
        #expect(r2.meta.string(.tlsSNI) == "split.example.org")
    }

    @Test func overTheBudgetIsAFlagNotACrash() {
        let big = clientHelloRecord(sni: "big.example", size: 6000)
        var segs: [(Bool, UInt32, [UInt8])] = []
        var off = 0
        while off < big.count {
            let n = min(1400, big.count - off)
            segs.append((true, 1000 + UInt32(off), Array(big[off..<off + n])))
            off += n
        }
        let r = run(segs)
        #expect(r.meta.app == .tls)
        #expect(r.meta.flags.contains(.reassemblyOverflow))
        #expect(!r.meta.has(.tlsSNI))
    }

    @Test func noFreeBufferIsAFlag() {
        var c = FlowTableConfig(capacity: 64)
        c.reassemblyBuffers = 0
        let r = run(thirds().map { (true, $0.0, $0.1) }, config: c)
        #expect(r.meta.app == .tls && r.meta.flags.contains(.reassemblyOverflow))
    }

    @Test func httpHeadersSplitAndTheResponse() {
        let req = Array("GET /a HTTP/1.1\r\nHost: h.example\r\nUser-Agent: t/1\r\n\r\n".utf8)
        let resp = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
        let r = run([(true, 1000, Array(req[0..<20])), (true, 1020, Array(req[20...])), (false, 5000, resp)])
        #expect(r.meta.app == .http && r.meta.string(.httpHost) == "h.example" && r.meta.string(.httpUserAgent) == "t/1")
        #expect(r.meta.httpStatus == 200 && r.meta.string(.httpMethod) == "GET")
    }

    /// TLS through an HTTP CONNECT tunnel: the request and the 2xx response, then the hellos, in
    /// the same TCP flow (the ClientHello in two segments). The flow stays HTTP and gains its TLS.
    @Test func tlsInsideAConnectTunnel() {
        let req = Array("CONNECT apache.org:443 HTTP/1.1\r\nHost: apache.org:443\r\nUser-Agent: curl/8\r\n\r\n".utf8)
        let resp = Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8)
        let hello = clientHelloRecord(sni: "apache.org", size: 700)
        let sh: [UInt8] = [0x16, 3, 3, 0, 42, 2, 0, 0, 38, 3, 3] + [UInt8](repeating: 7, count: 32) + [0, 0x13, 0x01, 0]
        let a = UInt32(req.count), half = hello.count / 2
        let r = run([(true, 1000, req), (false, 5000, resp),
                     (true, 1000 + a, Array(hello[0..<half])), (true, 1000 + a + UInt32(half), Array(hello[half...])),
                     (false, 5000 + UInt32(resp.count), sh)])
        #expect(r.meta.app == .http && r.meta.string(.httpMethod) == "CONNECT" && r.meta.httpStatus == 200)
        #expect(r.meta.string(.httpHost) == "apache.org:443")
        #expect(r.meta.string(.tlsSNI) == "apache.org" && r.meta.string(.tlsALPN) == "h2")
        #expect(r.meta.tlsVersion == 0x0303 && r.meta.tlsCipher == 0x1301)
        #expect(!r.meta.flags.contains(.budgetExhausted))
        // Refused (407): no tunnel, nothing parsed as TLS after it.
        let denied = Array("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n".utf8)
        let r2 = run([(true, 1000, req), (false, 5000, denied), (true, 1000 + a, hello)])
        #expect(r2.meta.httpStatus == 407 && !r2.meta.has(.tlsSNI))
        // A GET is no tunnel: bytes after its head are not TLS to us.
        let get = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let r3 = run([(true, 1000, get + hello)])
        #expect(r3.meta.string(.httpMethod) == "GET" && !r3.meta.has(.tlsSNI))
    }

    @Test func portFallbackAndL7Off() {
        // No payload at all: decided by port.
        let r = run([])
        #expect(r.meta.app == .tls && r.meta.appBy == .port)
        var c = FlowTableConfig(capacity: 64)
        c.l7Enabled = false
        let off = run(thirds().map { (true, $0.0, $0.1) }, config: c)
        #expect(off.meta.appBy == .port && !off.meta.has(.tlsSNI))
    }

    @Test func aDecidedFlowStopsAfterTheBudget() {
        var segs: [(Bool, UInt32, [UInt8])] = []
        var seq: UInt32 = 1000
        for _ in 0..<40 {
            let junk = [UInt8](repeating: 0x41, count: 100)
            segs.append((true, seq, junk)); seq += 100
        }
        let r = run(segs)
        #expect(r.meta.appBy == .port)  // payload never matched; port says tls
    }
}

@Suite struct L7MemoryTests {
    /// Memory per flow slot is a benchmarked property: the metadata and L7 state arrays are
    /// indexed like the slab, so each slot costs their strides (see docs/ARCHITECTURE.md).
    @Test func perFlowL7MemoryStaysBounded() {
        let meta = MemoryLayout<FlowMetadata>.stride
        let record = MemoryLayout<FlowRecord>.stride
        print("L7 sizes: FlowMetadata \(meta) B, FlowRecord \(record) B, ByteRanges \(MemoryLayout<ByteRanges>.stride) B")
        #expect(meta <= 544)
        #expect(record <= 544 + 160)
        #expect(_isPOD(FlowRecord.self))
    }
}

@Suite struct L7FuzzTests {
    /// Random segments and datagrams (mutated handshakes, random sequence numbers, both
    /// directions, many flows, a tiny reassembly pool) through the whole L7 path: never traps,
    /// every buffer is given back when the flows end.
    @Test func randomTrafficNeverTraps() {
        var c = FlowTableConfig(capacity: 32)
        c.reassemblyBuffers = 4
        c.reassemblyBudget = 512
        let table = FlowTable(config: c)
        var sink = CollectingSink()
        var state: UInt64 = 0x1234_5678
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }
        let seeds: [[UInt8]] = [clientHelloRecord(sni: "f.example", size: 700),
                                Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), Array("SSH-2.0-x\r\n".utf8),
                                [0, 28, 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1]]
        for n in 0..<30_000 {
            var b = seeds[Int(next() % UInt64(seeds.count))]
            let cut = Int(next() % UInt64(b.count + 1))
            let start = Int(next() % UInt64(cut + 1))
            b = Array(b[start..<cut])
            for _ in 0..<Int(next() % 4) where !b.isEmpty { b[Int(next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: next()) }
            let fromA = next() & 1 == 0
            let port: UInt16 = [443, 80, 22, 53, 5353, 9999][Int(next() % 6)]
            let client = UInt16(40000 + next() % 8)
            var p = fromA ? packet(hostA, client, hostB, port, proto: next() % 3 == 0 ? 17 : 6, flags: next() % 10 == 0 ? 0x02 : 0x18, at: UInt64(n))
                          : packet(hostB, port, hostA, client, proto: next() % 3 == 0 ? 17 : 6, flags: 0x18, at: UInt64(n))
            p.tcpSeq = UInt32(truncatingIfNeeded: next() % 3 == 0 ? next() : 1000 + next() % 2000)
            p.payloadOffset = 0
            p.payloadLength = UInt32(b.count + Int(next() % 3))  // sometimes claims more than present
            b.withUnsafeBytes { table.process(p, frame: $0, into: &sink) }
        }
        table.flush(into: &sink)
        #expect(table.l7Stats.reassemblyPeakBuffers <= 4)
        #expect(table.l7Stats.reassemblyPeakBuffers > 0 && table.l7Stats.reassemblyInUse == 0)
        #expect(!sink.records.isEmpty)
    }
}
