import AppProtocols
import Capture
import Dissect
import CShims
import Engine
import Export
import Foundation
import FlowTrack
import Glibc
import Ingest
import PacketCore
import Outputs
import Prefilter
import Synth
import TestLab
import Testing
import XSK

/// Flow records as comparable lines: every field but times and the worker that made them.
struct RecordLines: FlowRecordSink {
    var lines: [String] = []
    mutating func emit(_ record: FlowRecord) {
        var bytes: [UInt8] = []
        NDJSONEncoder().encode(record, to: &bytes)
        let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
        var kept = object
        for k in ["start_ns", "end_ns", "worker"] { kept[k] = nil }
        let data = (try? JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys])) ?? Data()
        lines.append(String(decoding: data, as: UTF8.self))
    }
}

/// A synthesized capture file, its frames in memory, and what `analyze` makes of it.
struct Traffic {
    let path: String
    let frames: [[UInt8]]
    let records: [String]

    init(profile: SynthProfile, flows: Int, packets: Int, seed: UInt64 = 7) throws {
        path = NSTemporaryDirectory() + "tapline-live-\(getpid())-\(UInt32.random(in: 0..<UInt32.max)).pcap"
        _ = try Synthesizer.run(SynthConfig(profile: profile, flows: flows, packets: packets, seed: seed),
                                output: path, manifest: nil)
        let reader = try CaptureFileReader(path: path)
        var frames: [[UInt8]] = []
        while let p = try reader.next() { frames.append(Array(p.bytes)) }
        self.frames = frames
        var sink = RecordLines()
        var options = AnalysisOptions()
        options.flowTable.capacity = 65536
        let report = try FileAnalysis.run(paths: [path], options: options, output: &sink)
        #expect(report.fileErrors.isEmpty)
        records = sink.lines.sorted()
    }

    func remove() { unlink(path) }
}

/// Runs a capture session in the lab's receiver namespace, injects `frames` from the generator
/// end in paced chunks (a debug build dissects slowly; the sockets' rings must not overflow), and
/// returns the final account and records.
/// Which RX queue a frame should arrive on when the NIC's RSS is symmetric: the flow hash of
/// its addresses and protocol (both directions and all fragments of a flow agree).
func symmetricQueue(_ frame: [UInt8], of queues: Int) -> Int {
    var info = PacketInfo()
    let decoder = PacketDecoder()
    let ok: Bool = frame.withUnsafeBytes { b in
        do { try decoder.decode(b, linkType: .ethernet, into: &info); return true } catch { return false }
    }
    guard ok, info.ipVersion != 0 else { return 0 }
    return Int(FlowHash.symmetric(info.src, info.dst, proto: info.ipProto) % UInt64(queues))
}

func capture(_ lab: NamespaceLab, _ options: CaptureOptions, rules: RuleSet, frames: [[UInt8]],
             chunk: Int = 64) throws -> (account: CaptureAccount, records: [String], notes: [String]) {
    final class Result: @unchecked Sendable {
        var account = CaptureAccount()
        var records = RecordLines()
        var notes: [String] = []
        var error: String?
    }
    let result = Result()
    try lab.inReceiverNamespace {
        let session: CaptureSession
        do {
            session = try CaptureSession(options: options, rules: rules)
        } catch {
            result.error = "\(error)"
            return
        }
        result.notes = session.notes
        var sent = 0
        while sent < frames.count {
            let end = min(sent + chunk, frames.count)
            do {
                if options.queues.count == 1 {
                    try lab.send(Array(frames[sent..<end]))
                } else {
                    // Each flow on one queue, in order, as symmetric RSS would spread them.
                    var byQueue = [[[UInt8]]](repeating: [], count: options.queues.count)
                    for f in frames[sent..<end] { byQueue[symmetricQueue(f, of: options.queues.count)].append(f) }
                    for (q, group) in byQueue.enumerated() { try lab.send(group, queue: q) }
                }
            } catch { result.error = "\(error)"; break }
            sent = end
            // Wait until the prefilter's verdicts and the received count have caught up.
            let deadline = monotonicNs() + 10_000_000_000
            while monotonicNs() < deadline {
                session.drainRecords(into: &result.records)
                let a = session.account()
                let dropped = a.prefilter.dropped.packets + a.prefilter.passed.packets
                if a.prefilter.seen.packets >= UInt64(sent) && a.received + a.socketLosses + dropped >= UInt64(sent) { break }
                usleep(1000)
            }
        }
        result.account = session.stop(into: &result.records)
    }
    if let e = result.error { throw NamespaceLab.CommandFailed(description: e) }
    return (result.account, result.records.lines.sorted(), result.notes)
}

/// Every stage's counts in one line, for failure messages.
func describe(_ a: CaptureAccount) -> String {
    let p = a.prefilter
    return "seen \(p.seen.packets) dropped \(p.dropped.packets) passed \(p.passed.packets) captured \(p.captured.packets) "
        + "no-socket \(p.redirectFailures.packets) parse \(p.parseErrors.packets) received \(a.ingest.map(\.received)) "
        + "sockets \(a.sockets) nic-dropped \(a.interfaceDropped)+\(a.interfaceMissed)"
}

func captureAll() -> RuleSet {
    var r = RuleSet()
    r.defaultAction = .capture
    return r
}

@Suite(.serialized) struct LiveCaptureTests {
    static var isRoot: Bool { geteuid() == 0 }

    func options(_ lab: NamespaceLab, queues: [Int], pipeline: Bool, workers: Int = 2) -> CaptureOptions {
        var o = CaptureOptions(interface: lab.rx)
        o.queues = queues
        o.runToCompletion = !pipeline
        o.workers = workers
        o.socket.frameCount = 4096
        o.socket.fillSize = 2048
        o.socket.rxSize = 2048
        o.socket.completionSize = 64
        o.socket.hugePages = false
        o.flowTable.capacity = 65536
        return o
    }

    /// N injected frames = N accounted at every stage, and the same records as `analyze`.
    @Test(.enabled(if: isRoot), arguments: [(1, false), (1, true), (2, false), (2, true)])
    func framesAndRecordsMatchAnalyze(queues: Int, pipeline: Bool) throws {
        let lab = try NamespaceLab(queues: queues, prefix: "tlc")
        let traffic = try Traffic(profile: .mix, flows: 120, packets: 2400)
        defer { traffic.remove() }
        let o = options(lab, queues: Array(0..<queues), pipeline: pipeline)
        let (a, records, notes) = try capture(lab, o, rules: captureAll(), frames: traffic.frames)
        let n = UInt64(traffic.frames.count)
        #expect(a.mismatches.isEmpty, "\(a.mismatches)")
        #expect(a.prefilter.seen.packets == n, "\(describe(a))")
        #expect(a.prefilter.captured.packets == n, "\(describe(a))")
        #expect(a.received == n, "socket losses \(a.socketLosses), notes \(notes)")
        #expect(a.dissecting.decode.packets == n)
        #expect(a.sockets.count == queues)
        if queues == 2 {
            // Both queues are in use.
            #expect(a.ingest.allSatisfy { $0.received > 0 }, "per queue: \(a.ingest.map(\.received))")
        }
        if pipeline { #expect(a.workers.count == 2 && a.workers.allSatisfy { $0.decode.packets > 0 }) }
        #expect(records.count == traffic.records.count)
        let missing = Set(traffic.records).subtracting(records)
        let extra = Set(records).subtracting(traffic.records)
        #expect(missing.isEmpty && extra.isEmpty, "missing \(missing.prefix(3)) extra \(extra.prefix(3))")
    }

    /// `--pcap`: every frame capture receives is written, byte for byte, into valid pcapng files
    /// (one writer queue per dissecting thread).
    @Test(.enabled(if: isRoot), arguments: [(1, false), (2, true)])
    func pcapHoldsEveryReceivedFrame(queues: Int, pipeline: Bool) throws {
        let lab = try NamespaceLab(queues: queues, prefix: "tlc")
        let traffic = try Traffic(profile: .mix, flows: 60, packets: 1200)
        defer { traffic.remove() }
        let dir = NSTemporaryDirectory() + "tapline-capture-pcap-\(getpid())-\(UInt32.random(in: 0..<UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = PcapngRingConfig(directory: dir)
        config.maxFileBytes = 64 << 10   // several files, so rotation is in the path too
        var o = options(lab, queues: Array(0..<queues), pipeline: pipeline)
        let writer = try PcapngRingWriter(config: config, producers: pipeline ? o.workers : queues)
        o.packetQueues = writer.queues
        let (a, _, _) = try capture(lab, o, rules: captureAll(), frames: traffic.frames)
        writer.close()
        let st = writer.stats
        #expect(a.received == UInt64(traffic.frames.count), "\(describe(a))")
        #expect(st.packetsWritten == a.received && st.packetsLostQueueFull == 0 && st.writeErrors == 0)
        #expect(st.filesOpened > 1)
        var written: [[UInt8]] = []
        for f in writer.files {
            let reader = try CaptureFileReader(path: f)
            while let p = try reader.next() {
                #expect(p.linkType == .ethernet && p.capturedLength == p.wireLength)
                written.append(Array(p.bytes))
            }
        }
        #expect(written.count == traffic.frames.count)
        func key(_ f: [UInt8]) -> String { f.map { String($0, radix: 16) }.joined(separator: ",") }
        if queues == 1 && !pipeline {
            #expect(written == traffic.frames, "one queue, one thread: the file order is the arrival order")
        }
        #expect(written.map(key).sorted() == traffic.frames.map(key).sorted())
    }

    /// Frames the prefilter drops are accounted as dropped; the rest are received and dissected.
    @Test(.enabled(if: isRoot))
    func prefilterDropsAreAccounted() throws {
        let lab = try NamespaceLab(prefix: "tlc")
        let traffic = try Traffic(profile: .mix, flows: 80, packets: 1600)
        defer { traffic.remove() }
        guard case .success(var rules) = RuleParser.parse("drop proto udp\ndefault capture\n") else {
            Issue.record("rules did not parse"); return
        }
        rules.defaultAction = .capture
        let (a, _, _) = try capture(lab, options(lab, queues: [0], pipeline: false), rules: rules, frames: traffic.frames)
        let n = UInt64(traffic.frames.count)
        #expect(a.mismatches.isEmpty, "\(a.mismatches)")
        #expect(a.prefilter.seen.packets == n, "\(describe(a))")
        #expect(a.prefilter.dropped.packets > 0)
        #expect(a.prefilter.dropped.packets + a.received == n)
        // Only UDP inside tunnels (GRE, IP-in-IP) gets past a rule on the outer header.
        #expect(a.dissecting.decode.udp <= a.dissecting.decode.tunnels.total)
    }

    /// Shunted flows: the prefilter counts and drops their later frames, and the counts come back
    /// into the records, by direction: packets and bytes per flow equal `analyze`'s.
    @Test(.enabled(if: isRoot), arguments: [false, true])
    func shuntedFlowsKeepExactCounts(pipeline: Bool) throws {
        let lab = try NamespaceLab(prefix: "tlc")
        let traffic = try Traffic(profile: .mix, flows: 120, packets: 3000)
        defer { traffic.remove() }
        var o = options(lab, queues: [0], pipeline: pipeline)
        for app in [AppProtocol.tls, .quic, .ssh] { o.flowTable.shuntApps |= 1 << UInt64(app.rawValue) }
        let (a, records, _) = try capture(lab, o, rules: captureAll(), frames: traffic.frames)
        let n = UInt64(traffic.frames.count)
        #expect(a.mismatches.isEmpty, "\(a.mismatches)")
        #expect(a.prefilter.seen.packets == n, "\(describe(a))")
        #expect(a.shuntsAdded > 0)
        #expect(a.prefilter.shunted.packets > 0)
        #expect(a.shuntedPacketsRestored == a.prefilter.shunted.packets)
        #expect(a.shuntsLost == 0 && a.shuntsActive == 0)
        #expect(a.received + a.prefilter.shunted.packets == n)
        // Per flow: the same packets and bytes both ways. (A shunted TCP flow's FIN is counted in
        // the kernel, so its end reason and TCP flags may differ: those are left out here.)
        func counts(_ lines: [String]) -> [String] {
            lines.map { line in
                let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
                return ["src", "sport", "dst", "dport", "proto", "a_pkts", "a_bytes", "b_pkts", "b_bytes",
                        "a_ip_bytes", "b_ip_bytes", "app"].map { "\(o[$0] ?? "-")" }.joined(separator: " ")
            }.sorted()
        }
        let live = counts(records), offline = counts(traffic.records)
        #expect(live.count == offline.count)
        let missing = Set(offline).subtracting(live)
        #expect(missing.isEmpty, "missing \(missing.sorted().prefix(4)) extra \(Set(live).subtracting(offline).sorted().prefix(4))")
    }

    /// rxdrop: frames counted and returned undissected still balance.
    @Test(.enabled(if: isRoot))
    func rxdropBalances() throws {
        let lab = try NamespaceLab(prefix: "tlc")
        let traffic = try Traffic(profile: .small, flows: 50, packets: 1000)
        defer { traffic.remove() }
        var o = options(lab, queues: [0], pipeline: false)
        o.dissect = false
        let (a, records, _) = try capture(lab, o, rules: captureAll(), frames: traffic.frames)
        #expect(a.mismatches.isEmpty, "\(a.mismatches)")
        #expect(a.received == UInt64(traffic.frames.count))
        #expect(a.dissecting.rxdropped == UInt64(traffic.frames.count))
        #expect(records.isEmpty)
    }

    /// A missing interface or queue: a clear error, and no XDP program left on the interface.
    @Test(.enabled(if: isRoot))
    func badInterfaceOrQueueLeavesNothing() throws {
        let lab = try NamespaceLab(prefix: "tlc")
        final class Out: @unchecked Sendable { var errors: [String] = []; var attached: [String] = [] }
        let out = Out()
        try lab.inReceiverNamespace {
            var o = self.options(lab, queues: [0], pipeline: false)
            o.interface = "tl-nonexistent0"
            do { _ = try CaptureSession(options: o, rules: captureAll()) } catch { out.errors.append("\(error)") }
            var q = self.options(lab, queues: [3], pipeline: false)
            q.interface = lab.rx
            do { _ = try CaptureSession(options: q, rules: captureAll()) } catch { out.errors.append("\(error)") }
            out.attached.append((try? NamespaceLab.ip(["link", "show", lab.rx])) ?? "")
        }
        #expect(out.errors.count == 2)
        #expect(out.errors.first?.contains("tl-nonexistent0") == true, "\(out.errors)")
        #expect(out.errors.last?.contains("queue 3") == true, "\(out.errors)")
        #expect(out.attached.allSatisfy { !$0.contains("xdp") }, "\(out.attached)")
        #expect(!FileManager.default.fileExists(atPath: "\(PrefilterProgram.pinRoot)/\(lab.rx)"))
    }
}
