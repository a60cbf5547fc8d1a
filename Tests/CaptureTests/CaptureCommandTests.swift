import Capture
import Foundation
import Ingest
import Glibc
import Prefilter
import TestLab
import Testing

/// `tapline capture` as an operator runs it: in the lab's receiver namespace, stopped by a
/// signal or by the interface going away. Nothing may stay attached, and records and account
/// must be complete.
@Suite(.serialized) struct CaptureCommandTests {
    static var isRoot: Bool { geteuid() == 0 }

    static func taplineBinary() -> String? {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "tapline")
        return [beside.path, FileManager.default.currentDirectoryPath + "/.build/debug/tapline"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts `tapline capture` in the receiver namespace; returns the process and its stderr pipe.
    func start(_ lab: NamespaceLab, _ extra: [String], dir: String, metrics: Bool = false) throws -> (Process, Pipe) {
        guard let tapline = Self.taplineBinary() else {
            throw NamespaceLab.CommandFailed(description: "the tapline binary is not built (swift build)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tapline)
        p.arguments = ["capture", "-i", lab.rx, "--netns", lab.rxNS] + (metrics ? [] : ["--no-metrics"]) + ["--frames", "2048", "--ring-size", "1024",
                       "--no-hugepages", "--flows", dir + "/flows.ndjson",
                       "--summary-json", dir + "/summary.json", "--stats-interval", "0"] + extra
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return (p, err)
    }

    /// Waits until the prefilter's maps are pinned for the interface (capture has attached).
    func waitAttached(_ lab: NamespaceLab) -> Bool {
        for _ in 0..<1500 {
            if FileManager.default.fileExists(atPath: "\(PrefilterProgram.pinRoot)/\(lab.rx)/counters") { return true }
            usleep(10_000)
        }
        return false
    }

    func frames(_ n: Int) -> [[UInt8]] {
        (0..<n).map { i in
            // Ethernet + IPv4 + UDP, 4 flows (ports 1000…1003 → 9).
            var f: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]
            f += [0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]
            let sport = UInt16(1000 + i % 4)
            f += [UInt8(sport >> 8), UInt8(sport & 0xff), 0, 9, 0, 8, 0, 0]
            return f
        }
    }

    @Test(.enabled(if: isRoot), arguments: [SIGINT, SIGTERM])
    func signalStopsFlushesAndDetaches(signal: Int32) throws {
        let lab = try NamespaceLab(prefix: "tlk")
        let dir = NSTemporaryDirectory() + "tapline-cap-\(getpid())-\(signal)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (p, err) = try start(lab, ["--pcap", dir + "/pcap"], dir: dir)
        #expect(waitAttached(lab))
        try lab.send(frames(400))
        usleep(300_000)
        kill(p.processIdentifier, signal)
        p.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("balanced"), "\(text)")
        let summary = try String(contentsOfFile: dir + "/summary.json", encoding: .utf8)
        #expect(summary.contains("\"offered\":400"), "\(summary)")
        #expect(summary.contains("\"balanced\":true"), "\(summary)")
        let records = try String(contentsOfFile: dir + "/flows.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(records.count == 4, "\(text)")
        #expect(records.allSatisfy { $0.contains("\"end_reason\":\"shutdown\"") && $0.contains("\"a_pkts\":100") })
        // --pcap: every frame in a valid pcapng file, closed on the signal.
        var written = 0
        for f in try FileManager.default.contentsOfDirectory(atPath: dir + "/pcap") {
            let reader = try CaptureFileReader(path: dir + "/pcap/" + f)
            while try reader.next() != nil { written += 1 }
        }
        #expect(written == 400, "\(text)")
        #expect(text.contains("pcapng   packets written 400"), "\(text)")
        // Nothing left behind: no XDP program on the interface, no pins.
        let link = try NamespaceLab.ip(["-n", lab.rxNS, "link", "show", lab.rx])
        #expect(!link.contains("xdp"), "\(link)")
        #expect(!FileManager.default.fileExists(atPath: "\(PrefilterProgram.pinRoot)/\(lab.rx)"))
    }

    @Test(.enabled(if: isRoot))
    func vanishedInterfaceEndsWithFlush() throws {
        let lab = try NamespaceLab(prefix: "tlk")
        let dir = NSTemporaryDirectory() + "tapline-cap-\(getpid())-gone"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (p, err) = try start(lab, [], dir: dir)
        #expect(waitAttached(lab))
        try lab.send(frames(200))
        usleep(300_000)
        try NamespaceLab.ip(["-n", lab.genNS, "link", "del", lab.gen])
        p.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 1, "\(text)")
        #expect(text.contains("vanished"), "\(text)")
        let summary = try String(contentsOfFile: dir + "/summary.json", encoding: .utf8)
        #expect(summary.contains("\"offered\":200") && summary.contains("\"balanced\":true"), "\(summary)")
        let records = try String(contentsOfFile: dir + "/flows.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(records.count == 4, "\(text)")
        #expect(!FileManager.default.fileExists(atPath: "\(PrefilterProgram.pinRoot)/\(lab.rx)"))
    }

    /// The metrics endpoint serves the prefilter's hits per rule and the per-queue counts while
    /// capturing (it listens in the namespace the command was started in).
    @Test(.enabled(if: isRoot))
    func metricsShowRuleHitsAndQueues() throws {
        let lab = try NamespaceLab(prefix: "tlk")
        let dir = NSTemporaryDirectory() + "tapline-cap-\(getpid())-metrics"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "capture sport 1000-1001\ndefault drop\n".write(toFile: dir + "/r.rules", atomically: true, encoding: .utf8)
        let port = 20_000 + Int(getpid() % 20_000)
        let (p, err) = try start(lab, ["--rules", dir + "/r.rules", "--metrics", "127.0.0.1:\(port)"], dir: dir, metrics: true)
        defer { if p.isRunning { kill(p.processIdentifier, SIGTERM); p.waitUntilExit() } }
        #expect(waitAttached(lab))
        try lab.send(frames(400))
        var text = ""
        for _ in 0..<50 {
            usleep(200_000)
            text = (try? httpGet(port: port)) ?? ""
            if text.contains("tapline_received_frames_total{queue=\"0\"} 200") { break }
        }
        #expect(text.contains("tapline_prefilter_rule_frames_total{rule=\"1\"} 200"), "\(text.prefix(3000))")
        #expect(text.contains("tapline_prefilter_rule_frames_total{rule=\"default\"} 200"))
        #expect(text.contains("tapline_prefilter_frames_total{verdict=\"drop\"} 200"))
        #expect(text.contains("tapline_received_frames_total{queue=\"0\"} 200"))
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(stderr)")
    }

    @Test(.enabled(if: isRoot))
    func wrongRuleFileAttachesNothing() throws {
        let lab = try NamespaceLab(prefix: "tlk")
        let dir = NSTemporaryDirectory() + "tapline-cap-\(getpid())-rules"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "capture proto tcp\ndrop dport 99999\n".write(toFile: dir + "/bad.rules", atomically: true, encoding: .utf8)
        let (p, err) = try start(lab, ["--rules", dir + "/bad.rules"], dir: dir)
        p.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 1)
        #expect(text.contains("bad.rules:2:"), "\(text)")
        #expect(text.contains("nothing attached"), "\(text)")
        let link = try NamespaceLab.ip(["-n", lab.rxNS, "link", "show", lab.rx])
        #expect(!link.contains("xdp"))
    }
}
