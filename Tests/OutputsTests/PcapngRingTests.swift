import Anonymize
import Export
import Foundation
import Outputs
import PacketCore
import Testing

/// An Ethernet/IPv4/UDP frame of `size` bytes between two addresses.
func udpFrame(src: UInt32, dst: UInt32, sport: UInt16, dport: UInt16, size: Int = 100) -> [UInt8] {
    var f = [UInt8](repeating: 0, count: max(size, 42))
    f[12] = 0x08; f[13] = 0x00
    let ipLen = f.count - 14
    let ip: [UInt8] = [0x45, 0, UInt8(ipLen >> 8), UInt8(ipLen & 0xFF), 0, 0, 0x40, 0, 64, 17, 0, 0]
    f.replaceSubrange(14..<26, with: ip)
    for i in 0..<4 { f[26 + i] = UInt8(truncatingIfNeeded: src >> (24 - 8 * i)); f[30 + i] = UInt8(truncatingIfNeeded: dst >> (24 - 8 * i)) }
    var sum: UInt32 = 0
    for i in stride(from: 14, to: 34, by: 2) { sum += UInt32(f[i]) << 8 | UInt32(f[i + 1]) }
    while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    let c = ~UInt16(sum); f[24] = UInt8(c >> 8); f[25] = UInt8(c & 0xFF)
    let udpLen = ipLen - 20
    f.replaceSubrange(34..<42, with: [UInt8(sport >> 8), UInt8(sport & 0xFF), UInt8(dport >> 8), UInt8(dport & 0xFF),
                                      UInt8(udpLen >> 8), UInt8(udpLen & 0xFF), 0, 0])
    return f
}

/// Packets in a capture file by tshark, or nil when tshark reports an error.
func tsharkCount(_ path: String) throws -> Int? {
    let (st, out, err) = try Support.run("/usr/bin/tshark", ["-r", path, "-T", "fields", "-e", "frame.number"])
    guard st == 0, !err.contains("cut short"), !err.contains("isn't a capture file") else { return nil }
    return out.split(separator: "\n").count
}

@Suite(.serialized) struct PcapngRingTests {
    func offer(_ w: PcapngRingWriter, _ frame: [UInt8], ts: UInt64, hash: UInt64) {
        _ = frame.withUnsafeBytes { w.queue.offer($0, timestampNs: ts, originalLength: UInt32(frame.count), linkType: .ethernet, flowHash: hash) }
    }

    @Test(.enabled(if: Support.has("tshark")))
    func analyzeWritesARingOfThreeRotatedFilesUnderLoadThatTsharkReads() throws {
        let dir = try Support.tempDir("ring")
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = try Support.synth(in: dir, flows: 500, packets: 20000)
        let pcapDir = dir.appendingPathComponent("pcap")
        let (st, _, err) = try Support.run(Support.tapline, ["analyze", capture, "-o", "none", "--pcap", pcapDir.path,
                                                             "--pcap-rotate-bytes", "1000000", "--pcap-ring", "3"])
        #expect(st == 0, "\(err)")
        #expect(err.contains("packets written 20000"), "\(err)")
        #expect(err.contains("lost (queue full) 0  lost (write error) 0"))
        let files = try FileManager.default.contentsOfDirectory(atPath: pcapDir.path).sorted()
        #expect(files.count == 3)
        let opened = Int(err.split(separator: "files ").last!.prefix { $0.isNumber })!
        #expect(opened > 3)
        #expect(files.last == "tapline-\(String(format: "%06d", opened - 1)).pcapng")
        for f in files {
            let n = try tsharkCount(pcapDir.appendingPathComponent(f).path)
            #expect(n != nil && n! > 0, "\(f)")
        }
    }

    @Test(.enabled(if: Support.has("tshark")))
    func rotationByPacketTimeAndSnapLength() throws {
        let dir = try Support.tempDir("time")
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = PcapngRingConfig(directory: dir.path)
        c.maxFileBytes = 0
        c.maxFileSeconds = 2
        c.snapLength = 64
        let w = try PcapngRingWriter(config: c)
        for i in 0..<100 {  // 10 s of packet time, 100 ms apart
            offer(w, udpFrame(src: 0x0A00_0001, dst: 0x0A00_0002, sport: 1000, dport: 2000, size: 300),
                  ts: 1_767_225_600_000_000_000 + UInt64(i) * 100_000_000, hash: 7)
        }
        w.close()
        #expect(w.stats.packetsWritten == 100 && w.stats.filesOpened == 5)
        for f in w.files { #expect(try tsharkCount(f) == 20) }
        let (_, lens, _) = try Support.run("/usr/bin/tshark", ["-r", w.files[0], "-T", "fields", "-e", "frame.cap_len", "-e", "frame.len"])
        #expect(lens.split(separator: "\n").allSatisfy { $0 == "64\t300" })
    }

    @Test func perFlowCutOffByPacketsAndByBytes() throws {
        for (cutoff, expected) in [(FlowCutoff.packets(2), 20), (FlowCutoff.bytes(250), 30)] {
            let dir = try Support.tempDir("cutoff")
            defer { try? FileManager.default.removeItem(at: dir) }
            var c = PcapngRingConfig(directory: dir.path)
            c.cutoff = cutoff
            let w = try PcapngRingWriter(config: c)
            for p in 0..<5 {
                for flow in 0..<10 {
                    offer(w, udpFrame(src: 0x0A00_0000 + UInt32(flow), dst: 0x0A01_0000, sport: 1000, dport: 53, size: 100),
                          ts: 1_767_225_600_000_000_000 + UInt64(p * 10 + flow), hash: UInt64(flow + 1) * 0x9E37_79B9)
                }
            }
            w.close()
            #expect(w.stats.packetsWritten == UInt64(expected), "\(cutoff)")
            #expect(w.stats.packetsCutOff == UInt64(50 - expected))
        }
    }

    @Test(.enabled(if: Support.has("tshark")))
    func anonymizedPacketsCarryTheCryptoPAnAddressesWithValidChecksums() throws {
        let dir = try Support.tempDir("anon")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pan = try CryptoPAn(key: CryptoPAnTests.referenceKey)
        let w = try PcapngRingWriter(config: PcapngRingConfig(directory: dir.path), anonymizer: pan)
        let (raw, sanitized) = CryptoPAnTests.referenceVectors[0]
        let (raw2, sanitized2) = CryptoPAnTests.referenceVectors[1]
        offer(w, udpFrame(src: CryptoPAnTests.v4(raw), dst: CryptoPAnTests.v4(raw2), sport: 5000, dport: 53), ts: 1, hash: 1)
        w.close()
        let (_, out, _) = try Support.run("/usr/bin/tshark", ["-r", w.files[0], "-o", "ip.check_checksum:TRUE",
                                                              "-T", "fields", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.checksum.status"])
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "\(sanitized)\t\(sanitized2)\t2" ||
                out.trimmingCharacters(in: .whitespacesAndNewlines) == "\(sanitized)\t\(sanitized2)\t1")
    }

    /// A 1 MiB tmpfs fills up: the error says "disk full", capture goes on, the loss is counted,
    /// and the file on it stays a valid pcapng that tshark reads.
    @Test(.enabled(if: getuid() == 0 && Support.has("mount") && Support.has("tshark")))
    func aFullFilesystemIsReportedCountedAndLeavesValidFiles() throws {
        let dir = try Support.tempDir("full")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (mst, _, merr) = try Support.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.path])
        try #require(mst == 0, "\(merr)")
        defer { _ = try? Support.run("/usr/bin/umount", [dir.path]) }
        var c = PcapngRingConfig(directory: dir.path)
        c.maxFileBytes = 0
        let w = try PcapngRingWriter(config: c)
        let n = 4000  // ~4 MB of 1000-byte frames into 1 MiB
        for i in 0..<n {
            offer(w, udpFrame(src: 0x0A00_0001, dst: 0x0A00_0002, sport: UInt16(1000 + i % 50), dport: 80, size: 1000),
                  ts: 1_767_225_600_000_000_000 + UInt64(i) * 1000, hash: 0)
        }
        w.close()
        let s = w.stats
        #expect(w.lastError?.contains("disk full") == true, "\(w.lastError ?? "no error")")
        #expect(s.packetsLostWriteError > 0 && s.packetsWritten > 0)
        #expect(s.packetsWritten + s.packetsLostWriteError + s.packetsLostQueueFull == UInt64(n))
        #expect(try tsharkCount(w.files[0]) == Int(s.packetsWritten))
    }
}
