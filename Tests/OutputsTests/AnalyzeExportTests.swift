import Anonymize
import Foundation
import Outputs
import PacketCore
import Testing

/// `tapline analyze` with several outputs at once.
@Suite struct AnalyzeExportTests {
    @Test func anonymizationAppliesToNDJSONAndIPFIXAlike() throws {
        let dir = try Support.tempDir("anon-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = try Support.synth(in: dir, flows: 100, packets: 2000)
        let key = dir.appendingPathComponent("key").path
        try Data(CryptoPAnTests.referenceKey).write(to: URL(fileURLWithPath: key))
        let plain = dir.appendingPathComponent("plain.ndjson").path
        let anon = dir.appendingPathComponent("anon.ndjson").path
        let ipfix = dir.appendingPathComponent("anon.ipfix").path
        var (st, _, err) = try Support.run(Support.tapline, ["analyze", capture, "-o", plain, "--quiet"])
        #expect(st == 0, "\(err)")
        (st, _, err) = try Support.run(Support.tapline, ["analyze", capture, "-o", anon, "--quiet", "--anonymize", key,
                                                         "--ipfix", "file:\(ipfix)"])
        #expect(st == 0, "\(err)")
        let pan = try CryptoPAn(key: CryptoPAnTests.referenceKey)
        let p = try Support.ndjson(plain), a = try Support.ndjson(anon)
        #expect(p.count == 100 && a.count == 100)
        func text(_ s: String) -> String {
            let addr = parse(s)
            var out: [UInt8] = []
            pan.anonymize(addr).appendText(to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        let expected = Set(p.map { "\(text($0["src"] as! String)) \(text($0["dst"] as! String)) \($0["sport"]!)" })
        let got = Set(a.map { "\($0["src"]!) \($0["dst"]!) \($0["sport"]!)" })
        #expect(expected == got)
        var reader = IPFIXReader()
        try reader.read(Array(try Data(contentsOf: URL(fileURLWithPath: ipfix))))
        let v4 = Set(a.compactMap { ($0["src"] as! String).contains(":") ? nil : $0["src"] as? String })
        let fromIPFIX = Set(reader.records.filter { $0.templateID == 256 }.map { r -> String in
            let v = UInt32(r.uint(8)); return "\(v >> 24).\(v >> 16 & 255).\(v >> 8 & 255).\(v & 255)"
        })
        #expect(v4 == fromIPFIX)
    }

    @Test func ndjsonRotatesBySizeIntoWholeLineFiles() throws {
        let dir = try Support.tempDir("rotate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = try Support.synth(in: dir, flows: 400, packets: 4000)
        let out = dir.appendingPathComponent("flows.ndjson").path
        let (st, _, err) = try Support.run(Support.tapline, ["analyze", capture, "-o", out, "--quiet", "--ndjson-rotate-bytes", "20000"])
        #expect(st == 0, "\(err)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("flows.ndjson.") }.sorted()
        #expect(files.count >= 4)
        #expect(files.first == "flows.ndjson.000000")
        var total = 0
        for f in files {
            let records = try Support.ndjson(dir.appendingPathComponent(f).path)
            total += records.count
            let size = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(f).path)[.size] as! Int
            #expect(size < 20000 + 1024)
        }
        #expect(total == 400)
    }

    @Test func metricsAreServedDuringAnalyze() throws {
        let dir = try Support.tempDir("metrics-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = try Support.synth(in: dir, flows: 50, packets: 500)
        let port = Support.freePort()
        let log = dir.appendingPathComponent("log").path
        let child = try Support.spawn(Support.tapline, ["analyze", capture, "-o", "none", "--quiet",
                                                        "--metrics", "127.0.0.1:\(port)", "--metrics-hold", "5",
                                                        "--ipfix", "file:\(dir.path)/x.ipfix"], log: log)
        defer { child.stop(SIGKILL) }
        var text = ""
        let end = Date().addingTimeInterval(10)
        while Date() < end {
            let (_, out, _) = try Support.run("/usr/bin/python3", ["-c", """
                import urllib.request,sys
                try: print(urllib.request.urlopen("http://127.0.0.1:\(port)/metrics", timeout=2).read().decode())
                except Exception as e: pass
                """])
            if out.contains("tapline_packets_total 500") { text = out; break }
            usleep(100_000)
        }
        #expect(text.contains("tapline_packets_total 500"))
        #expect(text.contains("tapline_flow_records_total 50"))
        #expect(text.contains("tapline_ipfix_records_sent_total{destination=\"file:\(dir.path)/x.ipfix\"} 50"))
        #expect(text.contains("tapline_flow_table_capacity"))
        #expect(text.contains("tapline_decode_errors_total{reason=\"truncated\"} 0"))
    }
}

/// Text to address via the project's own text form (IPv4 dotted or IPv6).
func parse(_ s: String) -> IPAddress {
    if s.contains(":") {
        var a = in6_addr()
        inet_pton(AF_INET6, s, &a)
        let b = withUnsafeBytes(of: &a) { Array($0) }
        let hi = b[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let lo = b[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return IPAddress(high: hi, low: lo, isIPv6: true)
    }
    return IPAddress(ipv4: CryptoPAnTests.v4(s))
}
