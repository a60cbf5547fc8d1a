import Export
import Foundation
import PacketCore
import Testing

/// IPFIX to real collectors on loopback: nfcapd/nfdump and tshark's cflow dissector.
@Suite(.serialized) struct CollectorInteropTests {
    static let protoNames: [String: Int] = ["TCP": 6, "UDP": 17, "ICMP": 1, "ICMP6": 58, "SCTP": 132]

    /// An address in canonical text (so nfdump's and Tapline's spellings compare).
    static func canonical(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.contains(":") {
            var a = in6_addr()
            guard inet_pton(AF_INET6, t, &a) == 1 else { return t }
            var buf = [CChar](repeating: 0, count: 64)
            inet_ntop(AF_INET6, &a, &buf, 64)
            return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return t
    }

    @Test(.enabled(if: Support.has("nfcapd") && Support.has("nfdump")))
    func nfcapdReceivesOverUDPAndNfdumpShowsTheNDJSONFlows() throws {
        let dir = try Support.tempDir("nfcapd")
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = try Support.synth(in: dir, flows: 300, packets: 6000)
        let flowDir = dir.appendingPathComponent("nf")
        try FileManager.default.createDirectory(at: flowDir, withIntermediateDirectories: true)
        let port = Support.freePort(udp: true)
        let nfcapd = try Support.spawn("/usr/bin/nfcapd", ["-w", flowDir.path, "-p", "\(port)", "-b", "127.0.0.1"])
        defer { nfcapd.stop() }
        Thread.sleep(forTimeInterval: 1.0)  // nfcapd binds after start-up

        let ndjson = dir.appendingPathComponent("flows.ndjson").path
        let (st, _, err) = try Support.run(Support.tapline, ["analyze", capture, "-o", ndjson, "--quiet",
                                                             "--ipfix", "udp://127.0.0.1:\(port)"])
        #expect(st == 0, "\(err)")
        Thread.sleep(forTimeInterval: 0.5)
        nfcapd.stop()  // SIGTERM: nfcapd writes and closes its file

        let (dst, dump, derr) = try Support.run("/usr/bin/nfdump", ["-R", flowDir.path, "-q", "-6", "-N",
                                                                   "-o", "fmt:%sa|%da|%sp|%dp|%pr|%ipkt|%ibyt|%opkt|%obyt"])
        #expect(dst == 0, "\(derr)")
        func key(_ f: [String]) -> String { f.joined(separator: "|") }
        var fromNfdump: [String] = []
        for line in dump.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count == 9 else { continue }
            let proto = Self.protoNames[f[4]].map(String.init) ?? f[4]
            let icmp = proto == "1" || proto == "58"
            fromNfdump.append(key([Self.canonical(f[0]), Self.canonical(f[1]), icmp ? "-" : f[2], icmp ? "-" : f[3], proto,
                                   f[5], f[6], f[7], f[8]]))
        }
        var fromNDJSON: [String] = []
        for r in try Support.ndjson(ndjson) {
            let proto = "\(r["proto"]!)"
            let icmp = proto == "1" || proto == "58"
            fromNDJSON.append(key([Self.canonical(r["src"] as! String), Self.canonical(r["dst"] as! String),
                                   icmp ? "-" : "\(r["sport"]!)", icmp ? "-" : "\(r["dport"]!)", proto,
                                   "\(r["a_pkts"]!)", "\(r["a_ip_bytes"]!)", "\(r["b_pkts"]!)", "\(r["b_ip_bytes"]!)"]))
        }
        #expect(fromNDJSON.count == 300)
        #expect(fromNfdump.sorted() == fromNDJSON.sorted())
    }

    @Test(.enabled(if: Support.has("tshark")))
    func tsharkDecodesTheExportedMessagesWithoutMalformedFields() throws {
        let dir = try Support.tempDir("cflow")
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = try Support.synth(in: dir, flows: 250, packets: 4000)
        let receiver = UDPReceiver()
        let port = receiver.port
        let (st, _, err) = try Support.run(Support.tapline, ["analyze", capture, "-o", "none", "--quiet",
                                                             "--ipfix", "udp://127.0.0.1:\(port)",
                                                             "--ipfix-template-messages", "5"])
        #expect(st == 0, "\(err)")
        let datagrams = receiver.collect(idleMs: 1000)
        #expect(datagrams.count > 5)

        // Each datagram in an IPv4/UDP header, written with the raw-IPv4 link type.
        let pcap = dir.appendingPathComponent("ipfix.pcap").path
        let w = try CaptureFileWriter(path: pcap, format: .pcap, linkType: .ipv4)
        for (i, d) in datagrams.enumerated() {
            try w.write(frame: ipv4UDP(d, dport: port, id: UInt16(i)), timestampNs: 1_767_225_600_000_000_000 + UInt64(i) * 1000,
                        linkType: .ipv4)
        }
        try w.close()
        let (tst, text, terr) = try Support.run("/usr/bin/tshark", ["-r", pcap, "-d", "udp.port==\(port),cflow", "-V"])
        #expect(tst == 0, "\(terr)")
        #expect(!text.contains("Malformed"))
        #expect(!text.contains("Expert Info"))
        let flows = text.split(separator: "\n").filter {
            let t = $0.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("Flow ") && Int(t.dropFirst(5)) != nil
        }
        #expect(flows.count == 250)
        #expect(text.contains("Reverse Type 1 BYTES"))
        #expect(text.contains("Flow End Reason"))
    }

    private func ipv4UDP(_ payload: [UInt8], dport: UInt16, id: UInt16) -> [UInt8] {
        let total = 28 + payload.count
        var h: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), UInt8(id >> 8), UInt8(id & 0xFF), 0, 0, 64, 17, 0, 0,
                          127, 0, 0, 1, 127, 0, 0, 1]
        var sum: UInt32 = 0
        for i in stride(from: 0, to: 20, by: 2) { sum += UInt32(h[i]) << 8 | UInt32(h[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let c = ~UInt16(sum)
        h[10] = UInt8(c >> 8); h[11] = UInt8(c & 0xFF)
        let ulen = 8 + payload.count
        h += [0x9C, 0x40, UInt8(dport >> 8), UInt8(dport & 0xFF), UInt8(ulen >> 8), UInt8(ulen & 0xFF), 0, 0]
        return h + payload
    }
}

/// A UDP socket on a free loopback port that keeps what arrives.
final class UDPReceiver: @unchecked Sendable {
    let fd: Int32
    let port: UInt16

    init() {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var a = sockaddr_in(); a.sin_family = sa_family_t(AF_INET); a.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        var size: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, 4)
        self.fd = fd
        port = UInt16(bigEndian: a.sin_port)
    }

    deinit { close(fd) }

    /// Datagrams until none came for `idleMs`.
    func collect(idleMs: Int) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, Int32(idleMs)) <= 0 { return out }
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, 65536, 0) }
            if n > 0 { out.append(Array(buf[0..<n])) }
        }
    }
}
