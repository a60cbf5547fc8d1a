import Testing
@testable import AppProtocols

@Suite struct HTTPMessageTests {
    static let request = Array("GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.5\r\nAccept: */*\r\n\r\n".utf8)

    func parse(_ b: [UInt8]) -> (ParseStatus, HTTPHead, [String: String]) {
        var h = HTTPHead()
        let st = b.withUnsafeBytes { HTTPMessage.parse($0, into: &h) }
        func s(_ r: Range<Int>) -> String { String(decoding: b[r], as: UTF8.self) }
        return (st, h, ["method": s(h.method), "host": s(h.host), "ua": s(h.userAgent), "ct": s(h.contentType)])
    }

    @Test func goldenRequest() {
        let (st, h, f) = parse(Self.request)
        #expect(st == .done && h.isRequest && h.requests == 1 && h.headEnd == Self.request.count)
        #expect(f["method"] == "GET" && f["host"] == "www.example.com" && f["ua"] == "curl/8.5")
    }

    @Test func headerNamesAreCaseInsensitiveAndValuesTrimmed() {
        let b = Array("POST /x HTTP/1.0\r\nhOsT:   a.example  \r\ncontent-type: text/plain\r\n\r\n".utf8)
        let (_, _, f) = parse(b)
        #expect(f["host"] == "a.example" && f["ct"] == "text/plain" && f["method"] == "POST")
    }

    @Test func responseStatus() {
        let (st, h, f) = parse(Array("HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n".utf8))
        #expect(st == .done && !h.isRequest && h.status == 404 && f["ct"] == "text/html")
        #expect(parse(Array("HTTP/1.1 4x4 Bad\r\n\r\n".utf8)).0 == .invalid)
    }

    @Test func pipelinedRequests() {
        let (_, h, _) = parse(Self.request + Self.request)
        #expect(h.requests == 2)
    }

    @Test func truncationAtEveryOffsetKeepsCompleteLines() {
        for n in 0..<Self.request.count {
            let (st, _, f) = parse(Array(Self.request.prefix(n)))
            #expect(st == .needMore, "prefix \(n)")
            if n >= 50 { #expect(f["host"] == "www.example.com") }
        }
        #expect(Array("GE".utf8).withUnsafeBytes { HTTPMessage.probe($0) } == .needMore)
        #expect(Array("GET / RTSP/1.0\r\n".utf8).withUnsafeBytes { HTTPMessage.probe($0) } == .noMatch)
    }

    @Test func hostileHeads() {
        // Many header lines: bounded, no trap.
        var b = Array("GET / HTTP/1.1\r\n".utf8)
        for _ in 0..<500 { b += Array("X: y\r\n".utf8) }
        b += [13, 10]
        #expect(parse(b).0 == .invalid)
        // Bare LF line ends, empty values, a colon-less line.
        let (st, _, f) = parse(Array("GET / HTTP/1.1\nHost:\nbogus\n\n".utf8))
        #expect(st == .done && f["host"] == "")
    }

    @Test func fuzzNeverTraps() {
        var r = FuzzRandom(seed: 3)
        for _ in 0..<20_000 {
            let b = r.mutate(Self.request)
            let (_, h, _) = parse(b)
            #expect(h.host.upperBound <= b.count && h.userAgent.upperBound <= b.count)
        }
    }
}

@Suite struct SSHBannerTests {
    func parse(_ s: String) -> (ParseStatus, String) {
        let b = Array(s.utf8)
        let (st, r) = b.withUnsafeBytes { SSHBanner.parse($0) }
        return (st, String(decoding: b[r], as: UTF8.self))
    }

    @Test func goldenBothLineEnds() {
        #expect(parse("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3\r\n") == (.done, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3"))
        #expect(parse("SSH-2.0-dropbear\n") == (.done, "SSH-2.0-dropbear"))
    }

    @Test func truncationAndLimits() {
        let line = "SSH-2.0-OpenSSH_9.6\r\n"
        for n in 0..<line.utf8.count - 2 { #expect(parse(String(line.prefix(n))).0 == .needMore) }
        #expect(parse("HTTP/1.1").0 == .invalid)
        // Longer than 255 bytes: the first 253 are kept.
        let long = "SSH-2.0-" + String(repeating: "x", count: 400)
        let (st, text) = parse(long)
        #expect(st == .done && text.utf8.count == SSHBanner.maxLength - 2)
        #expect(parse("SSH-\r\n") == (.done, "SSH-"))
    }

    @Test func fuzzNeverTraps() {
        var r = FuzzRandom(seed: 9)
        for _ in 0..<10_000 {
            let b = r.mutate(Array("SSH-2.0-x\r\n".utf8))
            let (_, range) = b.withUnsafeBytes { SSHBanner.parse($0) }
            #expect(range.upperBound <= b.count)
        }
    }
}

@Suite struct ClassifierTests {
    func classify(_ b: [UInt8], proto: UInt8 = 6, sport: UInt16 = 40000, dport: UInt16) -> Classifier.Result {
        b.withUnsafeBytes {
            Classifier.classify($0, ProbeContext(ipProto: proto, srcPort: sport, dstPort: dport, fromInitiator: true, packetIndex: 0))
        }
    }

    @Test func payloadDecidesRegardlessOfPort() {
        #expect(classify(HelloSpec().record(), dport: 8443).app == .tls)
        #expect(classify(HTTPMessageTests.request, dport: 443).app == .http)
        #expect(classify(Array("SSH-2.0-x\r\n".utf8), dport: 2222).app == .ssh)
        #expect(classify(DNSMessageTests.query, proto: 17, dport: 5353).app == .mdns)
        #expect(classify(DNSMessageTests.query, proto: 17, dport: 5355).app == .llmnr)
        #expect(classify(DNSMessageTests.query, proto: 17, dport: 9999).app == .dns)
        var tcpDNS: [UInt8] = []; tcpDNS.u16(DNSMessageTests.query.count); tcpDNS += DNSMessageTests.query
        #expect(classify(tcpDNS, dport: 53).app == .dns)
    }

    @Test func tlsPickedUpMidConnection() {
        // Application data (17 0301 len) and an alert (15 0303 len) in TLS records.
        #expect(classify(hex("17 0301 0130 4b48baa5"), dport: 5223).app == .tls)
        #expect(classify(hex("15 0303 0002 0100"), dport: 5223).app == .tls)
        #expect(classify(hex("17 0304 0130"), dport: 5223).verdict == .noMatch)
        #expect(classify(hex("17 0303 0000"), dport: 5223).verdict == .noMatch)
        #expect(classify(hex("17 03"), dport: 5223).verdict == .needMore)
    }

    @Test func partialPayloadsAskForMoreAndGarbageIsUnknown() {
        #expect(classify([0x16, 0x03], dport: 443).verdict == .needMore)
        #expect(classify(Array("xyzzy plugh".utf8), dport: 80).verdict == .noMatch)
        #expect(classify([], proto: 17, dport: 53).verdict == .needMore)
    }

    @Test func portFallback() {
        #expect(Classifier.byPorts(sport: 50000, dport: 443, ipProto: 6) == .tls)
        #expect(Classifier.byPorts(sport: 50000, dport: 443, ipProto: 17) == .quic)
        #expect(Classifier.byPorts(sport: 53, dport: 50000, ipProto: 17) == .dns)
        #expect(Classifier.byPorts(sport: 1, dport: 2, ipProto: 6) == .unknown)
        #expect(Classifier.byPorts(sport: 50000, dport: 53, ipProto: 1) == .unknown)
    }

    @Test func metadataArenaCutsAndFlags() {
        var m = FlowMetadata()
        let big = [UInt8](repeating: 0x61, count: 300)
        big.withUnsafeBytes { m.set(.tlsSNI, $0) }
        big.withUnsafeBytes { m.set(.httpHost, $0) }
        #expect(m.string(.tlsSNI)?.count == 300)
        #expect(m.string(.httpHost)?.count == FlowMetadata.textCapacity - 300)
        #expect(m.flags.contains(.textTruncated))
        big.withUnsafeBytes { m.set(.sshClient, $0) }
        #expect(!m.has(.sshClient))
        #expect(MetaField.allCases.count == MetaField.count)
    }

    @Test func byteRangesMergeAndBound() {
        var r = ByteRanges()
        r.insert(10, 20); r.insert(30, 40)
        #expect(r.contiguous == 0 && r.count == 2)
        r.insert(0, 10)
        #expect(r.contiguous == 20)
        r.insert(15, 35)
        #expect(r.contiguous == 40 && r.count == 1)
        for k in 0..<ByteRanges.capacity - 1 { let ok = r.insert(100 + 10 * k, 105 + 10 * k); #expect(ok) }
        let dropped = !r.insert(1000, 1001)
        #expect(dropped)
        #expect(r.contiguous == 40)
    }

    @Test func fuzzClassifyNeverTraps() {
        var r = FuzzRandom(seed: 1)
        let seeds = [HelloSpec().record(), HTTPMessageTests.request, DNSMessageTests.response, Array("SSH-2.0-x\r\n".utf8)]
        for i in 0..<20_000 {
            let b = r.mutate(seeds[i % seeds.count])
            _ = classify(b, proto: i % 3 == 0 ? 17 : 6, dport: [53, 443, 80, 5353][i % 4])
        }
    }
}
