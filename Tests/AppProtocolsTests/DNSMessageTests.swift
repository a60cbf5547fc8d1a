import Testing
@testable import AppProtocols

@Suite struct DNSMessageTests {
    // Query for www.example.com A, id 0x1234, RD:
    // 1234 0100 0001 0000 0000 0000 | 03 www 07 example 03 com 00 | 0001 0001
    static let query = hex("""
        1234 0100 0001 0000 0000 0000
        03 777777 07 6578616d706c65 03 636f6d 00 0001 0001
        """)
    // Response: the question, then a CNAME (owner = pointer to the qname at 12) to
    // cdn.example.com (cdn + pointer to "example.com" at 16), then an A 192.0.2.7.
    static let response = hex("""
        1234 8180 0001 0002 0000 0000
        03 777777 07 6578616d706c65 03 636f6d 00 0001 0001
        c00c 0005 0001 0000003c 0006 03 63646e c010
        c02d 0001 0001 0000003c 0004 c0000207
        """)

    func parse(_ b: [UInt8]) -> (ParseStatus, DNSSummary) {
        var s = DNSSummary()
        let st = b.withUnsafeBytes { DNSMessage.parse($0, into: &s) }
        return (st, s)
    }

    @Test func goldenQuery() {
        let (st, s) = parse(Self.query)
        #expect(st == .done)
        #expect(s.qname.string == "www.example.com" && s.qtype == 1 && s.qclass == 1)
        #expect(!s.isResponse && s.id == 0x1234 && s.questions == 1 && s.answers == 0)
        #expect(s.flags.isEmpty)
        #expect(Self.query.withUnsafeBytes { DNSMessage.probe($0) } == .match)
    }

    @Test func goldenResponseFollowsPointersToTheFirstAnswer() {
        let (st, s) = parse(Self.response)
        #expect(st == .done)
        #expect(s.isResponse && s.rcode == 0 && s.answers == 2)
        #expect(s.firstAnswerType == 5 && s.firstAnswer.string == "cdn.example.com")
    }

    @Test func aAndAAAAAnswersAsText() {
        var b = Self.query
        b[2] = 0x81; b[3] = 0x80; b[7] = 1
        b += hex("c00c 001c 0001 00000001 0010 20010db8000000000000000000000001")
        let (st, s) = parse(b)
        #expect(st == .done && s.firstAnswerType == 28 && s.firstAnswer.string == "2001:db8::1")
        var c = Self.query
        c[2] = 0x81; c[7] = 1
        c += hex("c00c 0001 0001 00000001 0004 0a000001")
        #expect(parse(c).1.firstAnswer.string == "10.0.0.1")
    }

    @Test func truncationAtEveryOffsetNeverTraps() {
        for msg in [Self.query, Self.response] {
            for n in 0..<msg.count {
                let (st, s) = parse(Array(msg.prefix(n)))
                if n < 12 { #expect(st == .needMore) }
                // A cut question is invalid; a cut answer keeps the question and flags it.
                if n >= 12 && n < 33 { #expect(st == .invalid) }
                if n >= 33 { #expect(s.qname.string == "www.example.com") }
            }
        }
    }

    @Test func compressionLoopsAndBadPointersStop() {
        // Name at 12 points to itself.
        var selfLoop = Array(Self.query.prefix(12)); selfLoop += hex("c00c 0001 0001")
        #expect(parse(selfLoop).0 == .invalid)
        #expect(parse(selfLoop).1.flags.contains(.dnsNameLoop))
        // Two pointers pointing at each other (12 → 14 → 12).
        var pair = Array(Self.query.prefix(12)); pair += hex("c00e c00c 0001 0001")
        let (st, s) = parse(pair)
        #expect(st == .invalid && s.flags.contains(.dnsNameLoop))
        // A label then a pointer back to it: a loop through labels, stopped by the pointer bound.
        var labelLoop = Array(Self.query.prefix(12)); labelLoop += hex("01 61 c00c 0001 0001")
        let r = parse(labelLoop)
        #expect(r.0 == .invalid && r.1.flags.contains(.dnsNameLoop))
        // Forward pointer past the end.
        var forward = Array(Self.query.prefix(12)); forward += hex("c0ff 0001 0001")
        #expect(parse(forward).0 == .invalid)
        // Label length past the end.
        var long = Array(Self.query.prefix(12)); long += hex("3f 6161")
        #expect(parse(long).0 == .invalid)
        // Reserved label type 0x40.
        var ext = Array(Self.query.prefix(12)); ext += hex("41 00 0001 0001")
        #expect(parse(ext).0 == .invalid)
    }

    @Test func zeroLengthAndMaximalNames() {
        var root = Array(Self.query.prefix(12)); root += hex("00 0002 0001")
        let (st, s) = parse(root)
        #expect(st == .done && s.qname.count == 0 && s.qtype == 2)
        // 127 one-byte labels: 253 characters of text, the most a 255-octet name holds.
        var maxName = Array(Self.query.prefix(12))
        for _ in 0..<127 { maxName += [1, 0x61] }
        maxName += hex("00 0001 0001")
        let m = parse(maxName)
        #expect(m.0 == .done && m.1.qname.count == 253 && m.1.flags.isEmpty)
        // 128 labels exceed the label bound.
        var tooMany = Array(Self.query.prefix(12))
        for _ in 0..<128 { tooMany += [1, 0x61] }
        tooMany += hex("00 0001 0001")
        #expect(parse(tooMany).0 == .invalid)
        // Five 63-byte labels: longer than 255 characters of text, cut and flagged.
        var wide = Array(Self.query.prefix(12))
        for _ in 0..<5 { wide.u8(63); wide += [UInt8](repeating: 0x62, count: 63) }
        wide += hex("00 0001 0001")
        let w = parse(wide)
        #expect(w.0 == .done && w.1.qname.count == DNSName.capacity && w.1.flags.contains(.textTruncated))
    }

    @Test func countsPastTheEndAreNotDNS() {
        var b = Self.query
        b[4] = 0xFF  // 65281 questions: the first is still read, the rest is not walked
        let (st, s) = parse(b)
        #expect(st == .done && s.flags.contains(.malformed) && s.qname.string == "www.example.com")
        #expect(b.withUnsafeBytes { DNSMessage.probe($0) } == .noMatch)
    }

    @Test func dnsOverTCPWaitsForTheWholeMessage() {
        var stream: [UInt8] = []
        stream.u16(Self.response.count)
        stream += Self.response
        for n in 0..<stream.count {
            var s = DNSSummary()
            let st = Array(stream.prefix(n)).withUnsafeBytes { DNSMessage.parseTCP($0, into: &s) }
            #expect(st == .needMore, "prefix \(n)")
        }
        var s = DNSSummary()
        #expect(stream.withUnsafeBytes { DNSMessage.parseTCP($0, into: &s) } == .done)
        #expect(s.qname.string == "www.example.com" && s.answers == 2)
    }

    @Test func fuzzNeverTraps() {
        var r = FuzzRandom(seed: 5)
        for i in 0..<20_000 {
            let b = r.mutate(i % 2 == 0 ? Self.query : Self.response)
            var s = DNSSummary()
            let st = b.withUnsafeBytes { DNSMessage.parse($0, into: &s) }
            #expect(s.qname.count <= DNSName.capacity)
            _ = st
            _ = b.withUnsafeBytes { DNSMessage.parseTCP($0, into: &s) }
        }
    }
}
