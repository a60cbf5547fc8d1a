/// Writes the packet script of each application, aiming at exactly `target` frames
/// (a script may exceed it when the application's minimum is larger; the planner then retries).
enum FlowApps {
    static func build(_ app: SynthApp, spec: inout FlowSpec, script s: inout FlowScript, target: Int) throws {
        spec.app = app.name
        switch app {
        case .dnsUDP: dnsUDP(&spec, &s, target: target, fragmentable: spec.tunnel.name == "none")
        case .dnsTCP: dnsTCP(&spec, &s, target: target)
        case .tls12, .tls13: tls(&spec, &s, target: target, tls13: app == .tls13)
        case .http: http(&spec, &s, target: target)
        case .quic: try quic(&spec, &s, target: target)
        case .ssh: ssh(&spec, &s, target: target)
        case .icmp: icmp(&spec, &s, target: target)
        case .udp, .smallUDP: udp(&spec, &s, target: target, fragmented: false, small: app == .smallUDP)
        case .udpFragmented: udp(&spec, &s, target: target, fragmented: true, small: false)
        case .smallTCP: smallTCP(&spec, &s, target: target)
        case .flood: lineRate(&spec, &s, target: target, imix: false)
        case .imix: lineRate(&spec, &s, target: target, imix: true)
        }
    }

    // MARK: Teardown choice shared by TCP scripts

    private enum Teardown { case clientFin, serverFin, clientReset, serverReset
        var frames: Int { (self == .clientFin || self == .serverFin) ? 3 : 1 }
    }

    private static func teardown(_ r: inout SynthRandom) -> Teardown {
        let u = r.unit()
        return u < 0.6 ? .clientFin : u < 0.8 ? .serverFin : u < 0.92 ? .clientReset : .serverReset
    }

    private static func close(_ t: Teardown, _ spec: inout FlowSpec, _ s: inout FlowScript) {
        switch t {
        case .clientFin: s.finish(fromClient: true); spec.end = "fin"
        case .serverFin: s.finish(fromClient: false); spec.end = "fin"
        case .clientReset: s.reset(fromClient: true); spec.end = "rst"
        case .serverReset: s.reset(fromClient: false); spec.end = "rst"
        }
    }

    // MARK: DNS

    private static func dnsAnswers(_ r: inout SynthRandom, name: String, qtype: UInt16, v6: Bool) -> [DNSMessage.Answer] {
        var answers: [DNSMessage.Answer] = []
        if r.chance(0.3) {
            answers.append(.cname("\(r.pick(["edge", "cdn", "lb", "a1"]))\(r.int(1...9)).\(r.pick(SynthNames.middles))-cdn.\(r.pick(SynthNames.suffixes))"))
        }
        for _ in 0..<r.int(1...4) {
            if qtype == 28 {
                var a: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0xfe, UInt8(r.int(0...255))]
                a.append(contentsOf: r.bytes(10))
                answers.append(.aaaa(a))
            } else {
                answers.append(.a([r.pick([192, 198, 203]), r.pick([0, 51, 0]), r.pick([2, 100, 113]), UInt8(r.int(1...254))]))
            }
        }
        return answers
    }

    private static func dnsUDP(_ spec: inout FlowSpec, _ s: inout FlowScript, target: Int, fragmentable: Bool) {
        let name = SynthNames.host(&s.random)
        let large = fragmentable && target >= 3 && s.random.chance(0.04)
        let qtype: UInt16 = large ? 16 : (s.random.chance(0.35) ? 28 : 1)
        let nx = !large && s.random.chance(0.05)
        let edns = large || s.random.chance(0.7)
        spec.meta.dns_qname = name
        spec.meta.dns_qtype = Int(qtype)
        var first = true
        while s.frames < target {
            let id = UInt16(truncatingIfNeeded: s.random.next())
            s.datagram(fromClient: true, .bytes(DNSMessage.query(id: id, name: name, qtype: qtype, edns: edns)))
            if s.frames >= target { break }
            s.fullRTT()
            s.wait(UInt64(s.random.int(50_000...3_000_000)))  // resolver time
            var answers = nx ? [] : dnsAnswers(&s.random, name: name, qtype: qtype, v6: spec.isIPv6)
            var fragments: UInt8 = 0
            if large {
                // A TXT answer big enough for 2 or 3 fragments, if the budget allows them.
                let pieces = min(target - s.frames, s.random.chance(0.5) ? 3 : 2)
                if pieces >= 2 {
                    let size = pieces == 2 ? s.random.int(1_600...2_700) : s.random.int(3_000...4_000)
                    var text: [UInt8] = []
                    for _ in 0..<size { text.append(UInt8(s.random.int(0x61...0x7A))) }
                    answers = [.txt(text)]
                    fragments = UInt8(pieces)
                } else {
                    answers = [.txt(Array("v=spf1 include:_spf.example.com ~all".utf8))]
                }
            }
            let response = DNSMessage.response(id: id, name: name, qtype: qtype, rcode: nx ? 3 : 0, answers: answers,
                                               ttl: UInt32(s.random.int(30...86_400)), edns: edns)
            s.datagram(fromClient: false, .bytes(response), fragments: fragments)
            if first {
                spec.meta.dns_rcode = nx ? 3 : 0
                spec.meta.dns_answers = answers.count
                first = false
            }
            s.wait(UInt64(s.random.int(200_000_000...2_000_000_000)))  // next lookup of the same name
        }
        spec.end = "none"
    }

    private static func dnsTCP(_ spec: inout FlowSpec, _ s: inout FlowScript, target: Int) {
        let name = SynthNames.host(&s.random)
        let qtype: UInt16 = s.random.chance(0.5) ? 28 : 1
        spec.meta.dns_qname = name
        spec.meta.dns_qtype = Int(qtype)
        let t = teardown(&s.random)
        s.handshake()
        // Each exchange is query, response, and a client ACK unless the budget is short.
        let budget = max(2, target - 3 - t.frames)
        let exchanges = (budget + 2) / 3
        var twoPacket = 3 * exchanges - budget
        for e in 0..<exchanges {
            let id = UInt16(truncatingIfNeeded: s.random.next())
            var q: [UInt8] = []
            q.lengthPrefixed(2, DNSMessage.query(id: id, name: name, qtype: qtype, edns: true))
            s.turnaround()
            s.segment(fromClient: true, flags: TCPFlag.ack | TCPFlag.psh, .bytes(q))
            s.fullRTT()
            let answers = dnsAnswers(&s.random, name: name, qtype: qtype, v6: spec.isIPv6)
            var r: [UInt8] = []
            r.lengthPrefixed(2, DNSMessage.response(id: id, name: name, qtype: qtype, rcode: 0, answers: answers,
                                                    ttl: 300, edns: true))
            s.segment(fromClient: false, flags: TCPFlag.ack | TCPFlag.psh, .bytes(r))
            if e == 0 { spec.meta.dns_rcode = 0; spec.meta.dns_answers = answers.count }
            if twoPacket > 0 { twoPacket -= 1 } else { s.turnaround(); s.segment(fromClient: true, flags: TCPFlag.ack) }
        }
        close(t, &spec, &s)
    }

    // MARK: TLS

    private static func tls(_ spec: inout FlowSpec, _ s: inout FlowScript, target: Int, tls13: Bool) {
        let sni = SynthNames.host(&s.random)
        let alpn = s.random.chance(0.7) ? ["h2", "http/1.1"] : ["http/1.1"]
        let grease = s.random.chance(0.5)
        spec.meta.tls_sni = sni
        spec.meta.tls_alpn = alpn.joined(separator: ",")
        spec.meta.tls_version = tls13 ? "1.3" : "1.2"
        let t = teardown(&s.random)
        s.handshake()
        s.turnaround()
        let hello = TLSHello.clientHello(random: &s.random, sni: sni, alpn: alpn, tls13: tls13, grease: grease)
        s.message(fromClient: true, TLSHello.record(0x16, version: 0x0301, hello), ackEach: false)
        s.fullRTT()
        let sessionID = TLSHello.sessionID(ofClientHello: hello)
        var flight: [UInt8] = []
        let certificate = s.random.bytes(s.random.int(1_800...4_200))
        if tls13 {
            let sh = TLSHello.serverHello(random: &s.random, tls13: true, sessionID: sessionID, suite: 0x1301, alpn: nil)
            flight += TLSHello.record(0x16, sh)
            flight += TLSHello.record(0x14, [1])
            flight += TLSHello.record(0x17, certificate)
        } else {
            let sh = TLSHello.serverHello(random: &s.random, tls13: false, sessionID: sessionID, suite: 0xC02F,
                                          alpn: alpn[0])
            var hs = sh
            // Certificate: a list holding one (opaque) certificate; ServerKeyExchange: x25519 + signature.
            var entry: [UInt8] = []
            entry.lengthPrefixed(3, certificate)
            var list: [UInt8] = []
            list.lengthPrefixed(3, entry)
            hs += TLSHello.opaqueHandshake(11, list)
            var ske: [UInt8] = [3, 0x00, 0x1D]
            ske.lengthPrefixed(1, s.random.bytes(32))
            ske.u16(0x0804)
            ske.lengthPrefixed(2, s.random.bytes(256))
            hs += TLSHello.opaqueHandshake(12, ske)
            hs += TLSHello.opaqueHandshake(14, [])
            flight += TLSHello.record(0x16, hs)
        }
        s.message(fromClient: false, flight)
        s.turnaround()
        var finished: [UInt8] = []
        if tls13 {
            finished += TLSHello.record(0x14, [1])
            finished += TLSHello.record(0x17, s.random.bytes(53))
        } else {
            var cke: [UInt8] = []
            cke.lengthPrefixed(1, s.random.bytes(32))
            finished += TLSHello.record(0x16, TLSHello.opaqueHandshake(16, cke))
            finished += TLSHello.record(0x14, [1])
            finished += TLSHello.record(0x16, s.random.bytes(40))
        }
        s.segment(fromClient: true, flags: TCPFlag.ack | TCPFlag.psh, .bytes(finished))
        if !tls13 {
            s.fullRTT()
            var reply = TLSHello.record(0x14, [1])
            reply += TLSHello.record(0x16, s.random.bytes(40))
            s.segment(fromClient: false, flags: TCPFlag.ack | TCPFlag.psh, .bytes(reply))
        }
        s.turnaround()
        s.segment(fromClient: true, flags: TCPFlag.ack | TCPFlag.psh, .tlsRecord(s.random.int(120...900)))
        s.fullRTT()
        let upload = s.random.chance(0.15)
        let mss = s.mss
        let packets = max(0, target - s.frames - t.frames)
        let last = s.random.int(100...mss)
        let dataSegments = FlowScript.bulkDataSegments(packets)
        s.bulk(fromClient: upload, packets: packets) { i in .tlsRecord(i == dataSegments - 1 ? last : mss) }
        close(t, &spec, &s)
    }

    // MARK: HTTP

    private static func http(_ spec: inout FlowSpec, _ s: inout FlowScript, target: Int) {
        let host = SynthNames.host(&s.random)
        let method = s.random.chance(0.85) ? "GET" : "POST"
        let agent = s.random.pick(HTTPMessage.userAgents)
        let u = s.random.unit()
        let status = u < 0.86 ? 200 : u < 0.93 ? 404 : 301
        let contentType = s.random.pick(["text/html; charset=utf-8", "application/json", "image/png",
                                          "application/octet-stream", "text/css", "application/javascript"])
        spec.meta.http_host = host
        spec.meta.http_method = method
        spec.meta.http_user_agent = agent
        spec.meta.http_status = status
        let t = teardown(&s.random)
        s.handshake()
        s.turnaround()
        let request = HTTPMessage.request(method: method, path: s.random.pick(HTTPMessage.paths), host: host,
                                          userAgent: agent, bodyLength: method == "POST" ? s.random.int(48...400) : 0)
        s.segment(fromClient: true, flags: TCPFlag.ack | TCPFlag.psh, .bytes(request))
        s.fullRTT()
        let packets = max(0, target - s.frames - 1 - t.frames)
        let dataSegments = FlowScript.bulkDataSegments(packets)
        let mss = s.mss
        let last = s.random.int(1...mss)
        let length = dataSegments == 0 ? 0 : (dataSegments - 1) * mss + last
        s.segment(fromClient: false, flags: TCPFlag.ack | TCPFlag.psh,
                  .bytes(HTTPMessage.responseHead(status: status, contentType: contentType, contentLength: length)))
        s.now += s.serialization
        s.bulk(fromClient: false, packets: packets) { i in .random(i == dataSegments - 1 ? last : mss) }
        close(t, &spec, &s)
    }

    // MARK: QUIC

    private static func quic(_ spec: inout FlowSpec, _ s: inout FlowScript, target: Int) throws {
        let sni = SynthNames.host(&s.random)
        spec.meta.quic_sni = sni
        spec.meta.quic_alpn = "h3"
        spec.meta.quic_version = 1
        spec.end = "none"
        let dcid = s.random.bytes(8)
        let clientCID = s.random.bytes(8)
        let serverCID = s.random.bytes(8)
        let hello = TLSHello.clientHello(random: &s.random, sni: sni, alpn: ["h3"], tls13: true,
                                         grease: s.random.chance(0.5), quic: true, quicSourceCID: clientCID)
        let initial = try QUICInitial.protect(dcid: dcid, scid: clientCID, packetNumber: 0, cryptoData: hello)
        s.datagram(fromClient: true, .bytes(initial))
        if s.frames >= target { return }
        s.fullRTT()
        // Server Initial + Handshake, coalesced; opaque after the long headers.
        func longHeader(_ type: UInt8, dcid: [UInt8], scid: [UInt8], length: Int) -> [UInt8] {
            var h: [UInt8] = [0xC0 | type << 4 | UInt8(s.random.int(0...15))]
            h.u32(1)
            h.lengthPrefixed(1, dcid)
            h.lengthPrefixed(1, scid)
            if type == 0 { h.quicVarint(0) }
            h.u16(UInt16(0x4000 | length))
            h.append(contentsOf: s.random.bytes(length))
            return h
        }
        var serverFirst = longHeader(0, dcid: clientCID, scid: serverCID, length: s.random.int(120...160))
        serverFirst += longHeader(2, dcid: clientCID, scid: serverCID, length: 1_200 - serverFirst.count - 30)
        s.datagram(fromClient: false, .bytes(serverFirst))
        if s.frames >= target { return }
        s.now += s.serialization
        s.datagram(fromClient: false, .bytes(longHeader(2, dcid: clientCID, scid: serverCID, length: s.random.int(600...1_150))))
        if s.frames >= target { return }
        s.turnaround()
        var clientSecond = longHeader(0, dcid: serverCID, scid: clientCID, length: 40)
        clientSecond += longHeader(2, dcid: serverCID, scid: clientCID, length: 1_200 - clientSecond.count - 30)
        s.datagram(fromClient: true, .bytes(clientSecond))
        // 1-RTT: request, then the response in bursts with client ACK packets.
        let packets = target - s.frames
        guard packets > 0 else { return }
        s.turnaround()
        s.datagram(fromClient: true, .quicShort(dcid: serverCID, count: s.random.int(60...300)))
        s.fullRTT()
        var window = 10, inBurst = 0
        for i in 0..<(packets - 1) {
            if i % 3 == 2 {
                s.datagram(fromClient: true, .quicShort(dcid: serverCID, count: s.random.int(30...50)))
                s.now += UInt64(s.random.int(500...3_000))
            } else {
                s.datagram(fromClient: false, .quicShort(dcid: clientCID, count: s.random.int(1_200...1_350)))
                s.now += s.serialization
                inBurst += 1
                if inBurst >= window { inBurst = 0; window = min(2 * window, 256); s.wait(s.rtt) }
            }
        }
    }

    // MARK: SSH

    private static func ssh(_ spec: inout FlowSpec, _ s: inout FlowScript, target: Int) {
        let client = s.random.pick(SSHMessage.clientBanners)
        let server = s.random.pick(SSHMessage.serverBanners)
        spec.meta.ssh_client = client
        spec.meta.ssh_server = server
        let t = teardown(&s.random)
        s.handshake()
        s.turnaround()
        s.segment(fromClient: false, flags: TCPFlag.ack | TCPFlag.psh, .bytes(Array((server + "\r\n").utf8)))
        s.turnaround()
        s.segment(fromClient: true, flags: TCPFlag.ack | TCPFlag.psh, .bytes(Array((client + "\r\n").utf8)))
        s.turnaround()
        s.message(fromClient: true, SSHMessage.kexinit(random: &s.random, server: false), ackEach: false)
        s.halfRTT()
        s.message(fromClient: false, SSHMessage.kexinit(random: &s.random, server: true), ackEach: false)
        s.turnaround()
        s.segment(fromClient: true, flags: TCPFlag.ack | TCPFlag.psh, .bytes(SSHMessage.ecdh(random: &s.random, server: false)))
        s.fullRTT()
        s.segment(fromClient: false, flags: TCPFlag.ack | TCPFlag.psh,
                  .bytes(SSHMessage.ecdh(random: &s.random, server: true) + SSHMessage.newKeys(random: &s.random)))
        s.turnaround()
        s.segment(fromClient: true, flags: TCPFlag.ack | TCPFlag.psh, .bytes(SSHMessage.newKeys(random: &s.random)))
        let interactive = s.random.chance(0.5)
        let packets = max(0, target - s.frames - t.frames)
        let mss = s.mss
        s.fullRTT()
        if interactive {
            // Keystrokes and echoes: small encrypted packets, people-paced.
            let saved = s.serialization
            s.serialization = 80_000_000
            s.bulk(fromClient: true, packets: packets) { _ in .random(36) }
            s.serialization = saved
        } else {
            s.bulk(fromClient: false, packets: packets) { _ in .random(mss) }
        }
        close(t, &spec, &s)
    }

    // MARK: ICMP

    private static func icmp(_ spec: inout FlowSpec, _ s: inout FlowScript, target: Int) {
        spec.end = "none"
        var payload: [UInt8] = s.random.bytes(8)
        for b in UInt8(0x10)...UInt8(0x37) { payload.append(b) }
        var seq: UInt32 = 1
        let interval = UInt64(s.random.int(200_000_000...1_000_000_000))
        while s.frames < target {
            s.datagram(fromClient: true, .bytes(payload), icmpSeq: seq)
            if s.frames >= target { break }
            s.fullRTT()
            s.datagram(fromClient: false, .bytes(payload), icmpSeq: seq)
            seq += 1
            s.wait(interval)
        }
    }

    // MARK: Generic UDP

    private static func udp(_ spec: inout FlowSpec, _ s: inout FlowScript, target: Int, fragmented: Bool, small: Bool) {
        spec.end = "none"
        let replies = s.random.chance(0.5)
        let gap = UInt64(s.random.int(small ? 1_000...50_000 : 100_000...20_000_000))
        var i = 0
        while s.frames < target {
            let fromClient = !replies || i % 2 == 0
            if small {
                // 60-byte frames on IPv4 (14 + 20 + 8 + 18).
                s.datagram(fromClient: fromClient, .random(spec.isIPv6 ? 12 : 18))
            } else if fragmented && target - s.frames >= 2 {
                let pieces = min(target - s.frames, s.random.chance(0.6) ? 2 : 3)
                let size = pieces == 2 ? s.random.int(1_600...2_800) : s.random.int(3_000...4_100)
                s.datagram(fromClient: fromClient, .random(size), fragments: UInt8(pieces))
            } else {
                s.datagram(fromClient: fromClient, .random(s.random.int(40...1_200)))
            }
            s.wait(gap)
            i += 1
        }
    }

    // MARK: Line-rate UDP

    /// Frames `s.serialization` apart (the engine sets it so the profile's flows together fill the
    /// line): minimal frames one way (flood), or IMIX sizes drawn 7:4:1 both ways.
    private static func lineRate(_ spec: inout FlowSpec, _ s: inout FlowScript, target: Int, imix: Bool) {
        spec.end = "none"
        let headers = 14 + (spec.isIPv6 ? 40 : 20) + 8
        let frames = SynthProfilePlan.imixFrames
        let totalWeight = frames.reduce(0) { $0 + $1.weight }
        while s.frames < target {
            var bytes = FrameAssembler.minimumFrame
            var fromClient = true
            if imix {
                var u = s.random.int(0..<totalWeight)
                for f in frames {
                    if u < f.weight { bytes = f.bytes; break }
                    u -= f.weight
                }
                fromClient = s.frames == 0 || s.random.chance(0.5)  // the client opens the flow
            }
            s.datagram(fromClient: fromClient, .opaque(max(0, bytes - headers)))
            s.now += s.serialization
        }
    }

    // MARK: Small TCP

    private static func smallTCP(_ spec: inout FlowSpec, _ s: inout FlowScript, target: Int) {
        let reset = s.random.chance(0.6)
        s.handshake()
        let packets = max(0, target - s.frames - (reset ? 1 : 3))
        for i in 0..<packets {
            s.now += UInt64(s.random.int(2_000...40_000))
            s.segment(fromClient: i % 2 == 0, flags: TCPFlag.ack | TCPFlag.psh, .random(6))
        }
        if reset { s.reset(fromClient: true); spec.end = "rst" } else { s.finish(fromClient: true); spec.end = "fin" }
    }
}
