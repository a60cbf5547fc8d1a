import Foundation
import Testing
@testable import Synth
import Export

private func temporaryPath(_ name: String) -> String {
    NSTemporaryDirectory() + "synth-\(getpid())-\(name)"
}

private func hex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = s.makeIterator()
    while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
    return out
}

private func generate(_ config: SynthConfig, _ name: String) throws -> (SynthSummary, PcapFile, SynthManifest, Data, Data) {
    let out = temporaryPath(name + "." + config.format.rawValue)
    let man = temporaryPath(name + ".json")
    defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: man) }
    let summary = try Synthesizer.run(config, output: out, manifest: man)
    let fileBytes = try Data(contentsOf: URL(fileURLWithPath: out))
    let manifestBytes = try Data(contentsOf: URL(fileURLWithPath: man))
    return (summary, try PcapFile(path: out), try SynthManifest.decode(manifestBytes), fileBytes, manifestBytes)
}

@Suite struct QUICProtectionTests {
    @Test func rfc9001AppendixAKeys() {
        let keys = QUICInitialKeys(dcid: hex("8394c8f03e515708"))
        #expect(keys.key == hex("1f369613dd76d5467730efcbe3b1a22d"))
        #expect(keys.iv == hex("fa044b2f42a3fd3b46fb255c"))
        #expect(keys.headerProtection == hex("9f50449e04a0e810283a1e9933adedd2"))
        let server = QUICInitialKeys(dcid: hex("8394c8f03e515708"), isClient: false)
        #expect(server.key == hex("cf3a5331653c364c88f0f379b6067e37"))
    }

    @Test func rfc9001AppendixAHeaderProtectionMask() throws {
        let keys = QUICInitialKeys(dcid: hex("8394c8f03e515708"))
        let mask = keys.mask(sample: hex("d1b1c98dd7689fb8ec11d242b123dc9b"))
        #expect(mask == hex("437b9aec36"))
        // Applying it to the RFC's unprotected header gives the RFC's protected header.
        var header = hex("c300000001088394c8f03e5157080000449e00000002")
        header[0] ^= mask[0] & 0x0F
        for i in 0..<4 { header[18 + i] ^= mask[1 + i] }
        #expect(header == hex("c000000001088394c8f03e5157080000449e7b9aec34"))
        #expect(keys.nonce(packetNumber: 2) == hex("fa044b2f42a3fd3b46fb255e"))
    }

    @Test func protectedInitialDecryptsToClientHelloWithSNI() throws {
        var random = SynthRandom(seed: 7)
        let hello = TLSHello.clientHello(random: &random, sni: "www.example.com", alpn: ["h3"], tls13: true,
                                         grease: true, quic: true, quicSourceCID: hex("0011223344556677"))
        let packet = try QUICInitial.protect(dcid: hex("8394c8f03e515708"), scid: hex("0011223344556677"),
                                             packetNumber: 0, cryptoData: hello)
        #expect(packet.count >= 1200)
        let opened = try #require(try QUICInitial.unprotect(packet))
        #expect(opened.packetNumber == 0)
        #expect(opened.frames[0] == 0x06)  // CRYPTO
        #expect(opened.frames[1] == 0x00)  // offset 0
        let (length, width) = QUICInitial.readVarint(opened.frames, 2)
        let crypto = Array(opened.frames[(2 + width)..<(2 + width + length)])
        #expect(crypto == hello)
        #expect(crypto[0] == 1)  // ClientHello
        let text = String(decoding: crypto, as: UTF8.self)
        #expect(text.contains("www.example.com"))
        #expect(opened.frames[(2 + width + length)...].allSatisfy { $0 == 0 })  // PADDING
        // A flipped ciphertext bit fails authentication.
        var damaged = packet
        damaged[damaged.count - 20] ^= 1
        #expect(try QUICInitial.unprotect(damaged) == nil)
    }
}

/// Mean gap between frames over the middle half of a file.
private func middleGap(_ file: PcapFile) -> Double {
    let a = file.records.count / 4, b = 3 * file.records.count / 4
    return Double(file.records[b].timestampNs - file.records[a].timestampNs) / Double(b - a)
}

@Suite struct SynthOutputTests {
    @Test func sameConfigGivesIdenticalBytes() throws {
        let config = SynthConfig(profile: .mix, flows: 300, packets: 12_000, seed: 42)
        let a = try generate(config, "det-a")
        let b = try generate(config, "det-b")
        #expect(a.3 == b.3)
        #expect(a.4 == b.4)
        var other = config
        other.seed = 43
        let c = try generate(other, "det-c")
        #expect(c.3 != a.3)
        #expect(c.4 != a.4)
    }

    @Test(arguments: SynthProfile.allCases, [CaptureFileWriter.Format.pcap, .pcapng])
    func totalsMatchTheFile(profile: SynthProfile, format: CaptureFileWriter.Format) throws {
        let flows = profile == .elephant ? 4 : 200
        let config = SynthConfig(profile: profile, flows: flows, packets: 20_000, seed: 9, format: format)
        let (summary, file, manifest, _, _) = try generate(config, "totals-\(profile)-\(format)")
        #expect(manifest.flows.count == flows)
        #expect(summary.packets == 20_000)
        #expect(file.records.count == 20_000)
        #expect(manifest.packets == file.records.count)
        let bytes = file.records.reduce(0) { $0 + $1.frame.count }
        #expect(manifest.bytes == bytes)
        #expect(manifest.flows.reduce(0) { $0 + $1.a_pkts + $1.b_pkts } == file.records.count)
        #expect(manifest.flows.reduce(0) { $0 + $1.a_bytes + $1.b_bytes } == bytes)
        #expect(manifest.generator == "tapline synth")
        #expect(manifest.format == format.rawValue)
        // Timestamps strictly increase; flows stay far below a 120 s idle timeout.
        for i in 1..<file.records.count { #expect(file.records[i].timestampNs > file.records[i - 1].timestampNs) }
        for flow in manifest.flows {
            #expect(flow.end_ns >= flow.start_ns)
            #expect(flow.end_ns - flow.start_ns < 60_000_000_000)
            #expect(flow.a_pkts >= 1)
        }
        // Unique keys.
        let keys = Set(manifest.flows.map { "\($0.proto) \($0.src) \($0.sport) \($0.dst) \($0.dport) \($0.vlan)" })
        #expect(keys.count == flows)
        if profile == .small || profile == .flood64 { #expect(file.records.allSatisfy { $0.frame.count == 60 }) }
    }

    @Test func everyProfileIsDeterministic() throws {
        for profile in SynthProfile.allCases {
            let config = SynthConfig(profile: profile, flows: profile == .elephant ? 3 : 120, packets: 3_000, seed: 77)
            let a = try generate(config, "det-\(profile)-a")
            let b = try generate(config, "det-\(profile)-b")
            #expect(a.3 == b.3, "\(profile): capture differs between runs")
            #expect(a.4 == b.4, "\(profile): manifest differs between runs")
        }
    }

    @Test func flood64FillsTheLineWithMinimalFrames() throws {
        let (_, file, manifest, _, _) = try generate(SynthConfig(profile: .flood64, flows: 1_000, packets: 40_000, seed: 4), "flood")
        #expect(file.records.allSatisfy { $0.frame.count == 60 })
        #expect(manifest.flows.allSatisfy { $0.proto == 17 && $0.b_pkts == 0 })
        // 10 Gb/s: a 64-byte frame plus preamble and gap every 67.2 ns on average (measured over the
        // middle half: flows ramp up at the start and the longest ones trail at the end).
        let gap = middleGap(file)
        #expect(gap > 50 && gap < 90, "mean gap \(gap) ns")
    }

    @Test func imixHasTheSevenFourOneSizes() throws {
        let (_, file, _, _, _) = try generate(SynthConfig(profile: .imix, flows: 1_000, packets: 36_000, seed: 4), "imix")
        var counts: [Int: Int] = [:]
        for r in file.records { counts[r.frame.count, default: 0] += 1 }
        #expect(Set(counts.keys) == [60, 566, 1514])
        let n = Double(file.records.count)
        #expect(abs(Double(counts[60]!) / n - 7.0 / 12) < 0.02)
        #expect(abs(Double(counts[566]!) / n - 4.0 / 12) < 0.02)
        #expect(abs(Double(counts[1514]!) / n - 1.0 / 12) < 0.02)
        // Line rate on average: (353.8 + 24 bytes) × 0.8 ns ≈ 302 ns a frame.
        let gap = middleGap(file)
        #expect(gap > 240 && gap < 360, "mean gap \(gap) ns")
    }

    @Test func shortFlowsAreManyAndBrief() throws {
        let (_, _, manifest, _, _) = try generate(SynthConfig(profile: .short, flows: 5_000, packets: 20_000, seed: 4), "short")
        #expect(manifest.flows.count == 5_000)
        let durations = manifest.flows.map { $0.end_ns - $0.start_ns }.sorted()
        #expect(durations[durations.count / 2] < 5_000_000, "median flow lasts under 5 ms")
        let span = manifest.flows.last!.start_ns - manifest.flows.first!.start_ns
        #expect(span < 100_000_000, "5000 flows start within 0.1 s")
    }

    @Test func tlsProfileIsTLSAndQUIC() throws {
        let (_, _, manifest, _, _) = try generate(SynthConfig(profile: .tls, flows: 300, packets: 12_000, seed: 4), "tls")
        let tls = manifest.flows.filter { $0.app == "tls" }.count
        let quic = manifest.flows.filter { $0.app == "quic" }.count
        #expect(tls > 100 && quic > 60)
        #expect(tls + quic > 270, "fallback DNS flows only where the budget is short")
        #expect(manifest.flows.filter { $0.app == "tls" }.allSatisfy { $0.meta.tls_sni != nil })
    }

    /// The manifest is streamed: finished flows wait only until every earlier flow has ended, so
    /// memory follows the flows open at once, not the flow count.
    @Test func manifestStreamsWithABoundedReorderBuffer() throws {
        let dir = temporaryPath("stream")
        defer { try? FileManager.default.removeItem(atPath: dir + ".pcap"); try? FileManager.default.removeItem(atPath: dir + ".json") }
        let config = SynthConfig(profile: .short, flows: 100_000, packets: 150_000, seed: 8)
        let writer = try CaptureFileWriter(path: dir + ".pcap", format: .pcap)
        let manifest = try ManifestWriter(path: dir + ".json", generator: "tapline synth", profile: "short", seed: 8, format: "pcap")
        var engine = SynthEngine(config: config)
        let assembler = FrameAssembler(writer: writer)
        let totals = try engine.generate(into: assembler, manifest: manifest)
        try writer.close()
        try manifest.finish(packets: assembler.packets, bytes: assembler.bytes)
        #expect(totals.flows == 100_000)
        #expect(manifest.peakWaiting < 2_000, "reorder buffer peaked at \(manifest.peakWaiting)")
        let text = try String(contentsOfFile: dir + ".json", encoding: .utf8)
        #expect(text.split(separator: "\n").count == 100_000 + 2, "one flow a line")
        let decoded = try SynthManifest.decode(Data(text.utf8))
        #expect(decoded.flows.count == 100_000 && decoded.packets == 150_000)
        #expect(zip(decoded.flows, decoded.flows.dropFirst()).allSatisfy { $0.start_ns < $1.start_ns })
    }

    @Test func manifestStringsAreEscaped() throws {
        var out: [UInt8] = []
        ManifestWriter.string("a\"b\\c\u{1}/é", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"a\\\"b\\\\c\\u0001/é\"")
        struct Box: Decodable { var s: String }
        let decoded = try JSONDecoder().decode(Box.self, from: Data("{\"s\":".utf8 + out + Array("}".utf8)))
        #expect(decoded.s == "a\"b\\c\u{1}/é")
    }

    @Test func fewerPacketsThanFlowsGivesOnePacketEach() throws {
        let (summary, file, manifest, _, _) = try generate(SynthConfig(profile: .mix, flows: 50, packets: 10, seed: 3), "tiny")
        #expect(summary.packets == 50)
        #expect(file.records.count == 50)
        #expect(manifest.flows.count == 50)
    }

    @Test func checksumsAreValid() throws {
        let config = SynthConfig(profile: .mix, flows: 400, packets: 30_000, seed: 5)
        let (_, file, manifest, _, _) = try generate(config, "checksums")
        var checked = 0
        for record in file.records {
            let check = FrameCheck(record.frame)
            #expect(check.ipv4HeaderOK)
            #expect(check.l4OK)
            if check.l4Checked { checked += 1 }
        }
        #expect(checked > 25_000)
        // The mix has what it promises.
        let apps = Set(manifest.flows.map(\.app))
        for app in ["dns", "tls", "http", "quic", "ssh", "icmp"] { #expect(apps.contains(app)) }
        #expect(manifest.flows.contains { $0.tunnel == "gre" })
        #expect(manifest.flows.contains { $0.tunnel == "vxlan" })
        #expect(manifest.flows.contains { $0.vlan != 0 })
        #expect(manifest.flows.contains { $0.fragments > 0 })
        #expect(manifest.flows.contains { $0.src.contains(":") })
        #expect(manifest.flows.contains { $0.end == "fin" })
        #expect(manifest.flows.contains { $0.end == "rst" })
        #expect(manifest.flows.contains { $0.proto == 58 })
    }

    @Test func quicFlowsInTheFileDecrypt() throws {
        let config = SynthConfig(profile: .mix, flows: 200, packets: 8_000, seed: 11)
        let (_, file, manifest, _, _) = try generate(config, "quic")
        let snis = Set(manifest.flows.compactMap(\.meta.quic_sni))
        #expect(!snis.isEmpty)
        var opened = 0
        for record in file.records {
            let f = record.frame
            var o = 12
            while FrameCheck.be16(f, o) == 0x8100 || FrameCheck.be16(f, o) == 0x88A8 { o += 4 }
            let type = FrameCheck.be16(f, o)
            o += 2
            guard type == 0x0800 || type == 0x86DD else { continue }
            let l4 = type == 0x0800 ? o + 20 : o + 40
            let proto = type == 0x0800 ? f[o + 9] : f[o + 6]
            guard proto == 17, FrameCheck.be16(f, l4 + 2) == 443, f[l4 + 8] & 0xF0 == 0xC0 else { continue }
            let payload = Array(f[(l4 + 8)...])
            guard payload.count >= 1200, let result = try QUICInitial.unprotect(payload) else { continue }
            let text = String(decoding: result.frames, as: UTF8.self)
            #expect(snis.contains { text.contains($0) })
            opened += 1
        }
        #expect(opened == manifest.flows.filter { $0.app == "quic" }.count)
    }

    @Test func ipv6TextIsRFC5952() {
        #expect(AddressText.format(hex("20010db8000000010000000000001001")) == "2001:db8:0:1::1001")
        #expect(AddressText.format(hex("20010db8000000000001000000000001")) == "2001:db8::1:0:0:1")
        #expect(AddressText.format(hex("00000000000000000000000000000001")) == "::1")
        #expect(AddressText.format([192, 0, 2, 53]) == "192.0.2.53")
    }
}
