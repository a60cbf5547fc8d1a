import AppProtocols
import Export
import FlowTrack
import Foundation
import Outputs
import PacketCore
import Testing

/// Flow records for encoder tests: IPv4 and IPv6, TCP and UDP, with VLANs and every end reason.
func sampleRecords(_ n: Int) -> [FlowRecord] {
    (0..<n).map { i in
        let v6 = i % 3 == 0
        let src = v6 ? IPAddress(high: 0x2001_0db8_0000_0000 | UInt64(i), low: 1, isIPv6: true) : IPAddress(ipv4: 0x0A00_0000 | UInt32(i))
        let dst = v6 ? IPAddress(high: 0x2001_0db8_ffff_0000, low: UInt64(i) + 2, isIPv6: true) : IPAddress(ipv4: 0xC0A8_0000 | UInt32(i))
        return FlowRecord(src: src, dst: dst, sport: UInt16(1024 + i), dport: i % 2 == 0 ? 443 : 53,
                          proto: i % 2 == 0 ? 6 : 17, vlan: UInt16(i % 5), tunnel: .none,
                          startNs: 1_767_225_600_000_000_000 + UInt64(i) * 1_000_000, endNs: 1_767_225_601_000_000_000 + UInt64(i) * 1_000_000,
                          aPackets: UInt64(i + 1), aBytes: UInt64(100 * (i + 1)), bPackets: UInt64(i), bBytes: UInt64(90 * i),
                          aIPBytes: UInt64(86 * (i + 1)), bIPBytes: UInt64(76 * i), tcpFlagsA: i % 2 == 0 ? 0x1B : 0,
                          tcpFlagsB: i % 2 == 0 ? 0x12 : 0, fragments: 0, endReason: EndReason.allCases[i % EndReason.allCases.count], worker: 0)
    }
}

@Suite struct IPFIXEncoderTests {
    @Test func messagesReadBackWithTemplatesSequenceNumbersAndEveryField() throws {
        let records = sampleRecords(500)
        let enc = IPFIXEncoder(observationDomain: 7, enterpriseNumber: 4242, maxMessageSize: 1400)
        var bytes: [UInt8] = []
        var i = 0
        var first = true
        while i < records.count {
            enc.startMessage(exportTimeSeconds: 1_767_225_700)
            if first { enc.appendTemplates(); first = false }
            while i < records.count && enc.append(records[i]) { i += 1 }
            let m = enc.finishMessage()
            #expect(m.count <= 1400)
            bytes += Array(m)
        }
        var reader = IPFIXReader()
        try reader.read(bytes)
        #expect(reader.records.count == records.count)
        // RFC 7011 §3.1: each message's sequence number counts the data records before it.
        var seen: UInt32 = 0
        for m in reader.messages {
            #expect(m.sequence == seen && m.domain == 7)
            seen += UInt32(m.dataRecords)
        }
        let t4 = try #require(reader.templates[256]), t6 = try #require(reader.templates[257])
        #expect(t4.contains { $0.0 == .init(enterprise: 29305, element: 1) })
        #expect(t6.contains { $0.0 == .init(enterprise: 4242, element: 4) })
        for (r, got) in zip(records, reader.records) {
            #expect(got.templateID == (r.src.isIPv6 ? 257 : 256))
            if r.src.isIPv6 {
                #expect(got.bytes(27) == be(r.src.high) + be(r.src.low))
            } else {
                #expect(got.uint(8) == UInt64(r.src.ipv4Value) && got.uint(12) == UInt64(r.dst.ipv4Value))
            }
            #expect(got.uint(7) == UInt64(r.sport) && got.uint(11) == UInt64(r.dport) && got.uint(4) == UInt64(r.proto))
            #expect(got.uint(58) == UInt64(r.vlan))
            #expect(got.uint(152) == r.startNs / 1_000_000 && got.uint(153) == r.endNs / 1_000_000)
            #expect(got.uint(1) == r.aIPBytes && got.uint(2) == r.aPackets)
            #expect(got.uint(1, pen: 29305) == r.bIPBytes && got.uint(2, pen: 29305) == r.bPackets)
            #expect(got.uint(6) == UInt64(r.tcpFlagsA) && got.uint(6, pen: 29305) == UInt64(r.tcpFlagsB))
            #expect(got.uint(136) == UInt64(IPFIXEncoder.endReason(r.endReason).rawValue))
            #expect(got.bytes(96) == [] && got.bytes(1, pen: 4242) == [])
        }
    }

    private func be(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) } }

    /// applicationName and the enterprise elements carry the record's metadata; a value of 255
    /// bytes or more takes the 3-byte length form (RFC 7011 §7).
    @Test func applicationElementsCarryTheRecordsMetadata() throws {
        var records = sampleRecords(3)
        func set(_ m: inout FlowMetadata, _ f: MetaField, _ text: String) {
            Array(text.utf8).withUnsafeBytes { m.set(f, $0) }
        }
        records[0].meta.app = .tls
        set(&records[0].meta, .tlsSNI, "www.example.com")
        set(&records[0].meta, .tlsJA4, "t13d1516h2_8daaf6152771_b186095e22b6")
        records[1].meta.app = .dns
        set(&records[1].meta, .dnsQName, String(repeating: "a", count: 63) + "." + String(repeating: "b", count: 63)
            + "." + String(repeating: "c", count: 63) + "." + String(repeating: "d", count: 63) + ".example")
        records[2].meta.app = .quic
        set(&records[2].meta, .quicSNI, "quic.example.org")
        let enc = IPFIXEncoder(observationDomain: 1, enterpriseNumber: 4242, maxMessageSize: 4000)
        enc.startMessage(exportTimeSeconds: 1)
        enc.appendTemplates()
        for r in records { #expect(enc.append(r)) }
        var reader = IPFIXReader()
        try reader.read(Array(enc.finishMessage()))
        #expect(reader.records.count == 3)
        let got = reader.records
        #expect(got[0].bytes(96) == Array("tls".utf8))
        #expect(got[0].bytes(1, pen: 4242) == Array("www.example.com".utf8))
        #expect(got[0].bytes(4, pen: 4242) == Array("t13d1516h2_8daaf6152771_b186095e22b6".utf8))
        #expect(got[0].bytes(2, pen: 4242) == [] && got[0].bytes(3, pen: 4242) == [])
        #expect(got[1].bytes(96) == Array("dns".utf8))
        #expect(got[1].bytes(2, pen: 4242)?.count == 263)  // 4 × 63 + 3 dots + ".example"
        #expect(got[2].bytes(1, pen: 4242) == Array("quic.example.org".utf8))
    }

    @Test func aFileExportReadsBackWithTheProjectsReader() throws {
        let dir = try Support.tempDir("ipfix-file")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("flows.ipfix").path
        let exporter = try IPFIXExporter(config: IPFIXExporterConfig(destination: .file(path)))
        let records = sampleRecords(3000)
        for r in records { while !exporter.offer(r) {} }
        exporter.close()
        let s = exporter.stats
        #expect(s.offered >= 3000 && s.sent == 3000 && s.offered == s.sent + s.dropped)
        var reader = IPFIXReader()
        try reader.read(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(reader.records.count == 3000)
        #expect(reader.messages.first?.hadTemplates == true)
        #expect(Set(reader.records.map { $0.uint(7) }) == Set(records.map { UInt64($0.sport) }))
    }
}

@Suite struct IPFIXUDPTests {
    /// RFC 7011 §8.4: over UDP the templates come again after N messages and after T seconds.
    @Test func templatesAreRefreshedByMessageCountAndByTime() throws {
        let receiver = UDPReceiver()
        var config = IPFIXExporterConfig(destination: .udp(Endpoint(host: "127.0.0.1", port: receiver.port)))
        config.templateRefreshMessages = 3
        config.templateRefreshSeconds = 1
        let exporter = try IPFIXExporter(config: config)
        let records = sampleRecords(400)
        for r in records { exporter.offer(r) }
        let burst = receiver.collect(idleMs: 500)
        Thread.sleep(forTimeInterval: 1.2)
        exporter.offer(records[0])
        exporter.close()
        let late = receiver.collect(idleMs: 500)

        var reader = IPFIXReader()
        for d in burst { try reader.readMessage(d) }
        #expect(reader.records.count == 400)
        let m = reader.messages
        #expect(m.first?.hadTemplates == true)
        // After a template message, at most 3 messages without templates follow.
        var run = 0
        for msg in m { if msg.hadTemplates { run = 0 } else { run += 1; #expect(run <= 3) } }
        #expect(m.filter(\.hadTemplates).count >= m.count / 4)
        #expect(m.allSatisfy { $0.length <= IPFIX.defaultUDPMessageSize })
        // The record sent after more than a second of quiet comes with templates.
        var lateReader = reader
        for d in late { try lateReader.readMessage(d) }
        #expect(lateReader.messages.last?.hadTemplates == true && lateReader.messages.last?.dataRecords == 1)
        #expect(exporter.stats.sent == 401 && exporter.stats.dropped == 0)
    }
}
