import CPrefilter
import CXDP
import Foundation
import Glibc
@testable import Prefilter
import Export
import Replay
import ReplayXDP
import Testing

/// The veth-lab benchmark: an in-kernel generator (bpf_prog_test_run in live-frames mode running
/// a program that redirects every frame into the generator's veth end) drives the receiver end,
/// where a bare XDP_DROP program, one that reads the EtherType first, the prefilter without rules
/// (default drop) and the prefilter with 256 rules (the last matching, drop) take turns. Same
/// generator, same run: the ratio of drop rates. Frames: TAPLINE_VETH_BENCH_FRAMES (default
/// 2,000,000 per measurement); rounds: TAPLINE_VETH_BENCH_ROUNDS (default 5).
@Suite(.serialized) struct VethBenchTests {
    static func redirectProgram(to ifindex: UInt32) -> Int32 {
        var insns = [bpf_insn](repeating: bpf_insn(), count: 4)
        insns[0].code = 0xb7; insns[0].dst_reg = 1; insns[0].imm = Int32(ifindex) // r1 = ifindex
        insns[1].code = 0xb7; insns[1].dst_reg = 2; insns[1].imm = 0              // r2 = 0
        insns[2].code = 0x85; insns[2].imm = 23                                   // call bpf_redirect
        insns[3].code = 0x95                                                       // exit
        return bpf_prog_load(BPF_PROG_TYPE_XDP, "tl_gen_redirect", "GPL", insns, 4, nil)
    }

    static func bareDrop() -> Int32 {
        var insns = [bpf_insn](repeating: bpf_insn(), count: 2)
        insns[0].code = 0xb7; insns[0].imm = 1
        insns[1].code = 0x95
        return bpf_prog_load(BPF_PROG_TYPE_XDP, "tl_bare_drop", "GPL", insns, 2, nil)
    }

    /// XDP_DROP after reading one byte of the frame (the EtherType): what touching the frame costs.
    static func readingDrop() -> Int32 {
        var i = [bpf_insn](repeating: bpf_insn(), count: 11)
        func set(_ n: Int, _ code: UInt8, dst: UInt8 = 0, src: UInt8 = 0, off: Int16 = 0, imm: Int32 = 0) {
            i[n].code = code; i[n].dst_reg = dst; i[n].src_reg = src; i[n].off = off; i[n].imm = imm
        }
        set(0, 0xb7, dst: 5)                        // r5 = 0
        set(1, 0x61, dst: 2, src: 1, off: 0)        // r2 = ctx->data
        set(2, 0x61, dst: 3, src: 1, off: 4)        // r3 = ctx->data_end
        set(3, 0xbf, dst: 4, src: 2)                // r4 = r2
        set(4, 0x07, dst: 4, imm: 14)               // r4 += 14
        set(5, 0x2d, dst: 4, src: 3, off: 1)        // if r4 > r3 goto +1
        set(6, 0x71, dst: 5, src: 2, off: 12)       // r5 = *(u8 *)(r2 + 12)
        set(7, 0xb7, dst: 0, imm: 1)                // r0 = XDP_DROP
        set(8, 0x55, dst: 5, off: 1, imm: 0x99)     // if r5 != 0x99 goto +1
        set(9, 0xb7, dst: 0, imm: 2)                // r0 = XDP_PASS
        set(10, 0x95)                               // exit
        return bpf_prog_load(BPF_PROG_TYPE_XDP, "tl_read_drop", "GPL", i, 11, nil)
    }

    /// Sends `count` copies of `frame` from the generator end; returns seconds taken.
    static func generate(_ lab: VethLab, _ frame: [UInt8], count: UInt32) -> (seconds: Double, rc: Int32) {
        final class Job: @unchecked Sendable { var seconds = 0.0; var rc: Int32 = 0; var frame: [UInt8] = []; var count: UInt32 = 0; var gen = "" }
        let job = Job()
        job.frame = frame; job.count = count; job.gen = lab.gen
        final class Box { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }
        let box = Box {
            let ifindex = if_nametoindex(job.gen)
            let prog = redirectProgram(to: ifindex)
            guard prog >= 0 else { job.rc = -errno; return }
            defer { close(prog) }
            var ctx = xdp_md()
            ctx.data_end = UInt32(job.frame.count)
            ctx.ingress_ifindex = ifindex
            var opts = bpf_test_run_opts()
            opts.sz = MemoryLayout<bpf_test_run_opts>.size
            opts.data_size_in = UInt32(job.frame.count)
            opts.ctx_size_in = UInt32(MemoryLayout<xdp_md>.size)
            opts.repeat = Int32(job.count)
            opts.flags = UInt32(BPF_F_TEST_XDP_LIVE_FRAMES)
            let start = PrefilterProgram.monotonicNanoseconds()
            job.rc = job.frame.withUnsafeBytes { d in
                withUnsafePointer(to: &ctx) { c in
                    opts.data_in = d.baseAddress
                    opts.ctx_in = UnsafeRawPointer(c)
                    return bpf_prog_test_run_opts(prog, &opts)
                }
            }
            job.seconds = Double(PrefilterProgram.monotonicNanoseconds() - start) / 1e9
        }
        let rc = tapline_run_in_netns(lab.genPath, { Unmanaged<Box>.fromOpaque($0!).takeUnretainedValue().body() },
                                      Unmanaged.passUnretained(box).toOpaque())
        withExtendedLifetime(box) {}
        return (job.seconds, rc != 0 ? -rc : job.rc)
    }

    /// Attaches `prog` natively to the receiver end through a link; returns the link fd.
    static func link(_ lab: VethLab, _ prog: Int32) throws -> Int32 {
        nonisolated(unsafe) var fd: Int32 = -1
        try lab.inReceiverNamespace {
            var o = bpf_link_create_opts()
            o.sz = MemoryLayout<bpf_link_create_opts>.size
            o.flags = UInt32(XDP_FLAGS_DRV_MODE)
            fd = bpf_link_create(prog, Int32(if_nametoindex(lab.rx)), BPF_XDP, &o)
        }
        return fd
    }

    /// Seconds to send `count` frames while `prog` is the receiver's program.
    static func timed(_ lab: VethLab, _ prog: Int32, _ frame: [UInt8], count: UInt32) throws -> Double {
        let l = try link(lab, prog)
        try #require(l >= 0, "attaching program \(prog): \(errno)")
        defer { close(l) }
        let run = generate(lab, frame, count: count)
        try #require(run.rc == 0, "generator: \(run.rc)")
        return run.seconds
    }

    /// The four receiver programs — a bare XDP_DROP, one that reads the EtherType first, the
    /// prefilter without rules (default drop) and the prefilter with 256 rules (the last matching,
    /// drop) — take turns, round after round, so that load from other work on the machine falls on
    /// all of them alike; each one's best round is its rate (interference only slows a round down).
    /// `measure(program)` sends `frames` frames while that program is the receiver's and returns
    /// the seconds; every frame must reach the program and be dropped by it. Prints the rates under
    /// `label`.
    static func rounds(_ label: String, frames: UInt64, rounds: Int, measure: (Int32) throws -> Double) throws {
        var text = ""
        for i in 0..<255 { text += "pass src 198.51.100.\(i) dport \(1000 + i)\n" }
        text += "drop proto udp dport 9\n"
        let bare = Self.bareDrop()
        try #require(bare >= 0)
        defer { close(bare) }
        let reading = Self.readingDrop()
        try #require(reading >= 0)
        defer { close(reading) }
        let p = try program(text)
        let empty = try program("default drop") // the same program without rules: parsing and counting alone

        var best = [Double](repeating: .infinity, count: 4) // bare, reading, no rules, 256 rules
        var ratios: [Double] = []
        for _ in 0..<rounds {
            let before = p.counters().activeRule(255).packets
            let emptyBefore = empty.counters().dropped.packets
            let t = [try measure(bare), try measure(reading), try measure(empty.programFD), try measure(p.programFD)]
            #expect(p.counters().activeRule(255).packets - before == frames)
            #expect(empty.counters().dropped.packets - emptyBefore == frames)
            for i in 0..<4 { best[i] = min(best[i], t[i]) }
            ratios.append(t[0] / t[3])
        }
        let rate = best.map { Double(frames) / $0 / 1e6 }
        print(String(format: "veth drop rate%@: XDP_DROP after reading the EtherType %.2f Mpps, ratio %.2f", label, rate[1], rate[1] / rate[0]))
        print(String(format: "veth drop rate%@: prefilter without rules (default drop) %.2f Mpps, ratio %.2f", label, rate[2], rate[2] / rate[0]))
        print(String(format: "veth drop rate%@: bare XDP_DROP %.2f Mpps, prefilter 256 rules (last matches) %.2f Mpps, ratio %.2f (best of %d rounds of %llu frames; per-round ratios ",
                     label, rate[0], rate[3], rate[3] / rate[0], rounds, frames)
              + ratios.map { String(format: "%.2f", $0) }.joined(separator: " ") + ")")
    }

    /// Frames and rounds: TAPLINE_VETH_BENCH_FRAMES and TAPLINE_VETH_BENCH_ROUNDS (default 5).
    /// Without TAPLINE_VETH_BENCH_FRAMES it is a short smoke run of ~20,000 frames, one round: a
    /// flood of millions of frames starves the other kernel tests running beside it (their veth
    /// rings overflow). Benchmarks/prefilter-bench.sh sets the full size.
    static func size() -> (frames: Int, rounds: Int) {
        let env = ProcessInfo.processInfo.environment
        let frames = Int(env["TAPLINE_VETH_BENCH_FRAMES"] ?? "") ?? 20_000
        let rounds = Int(env["TAPLINE_VETH_BENCH_ROUNDS"] ?? "") ?? (env["TAPLINE_VETH_BENCH_FRAMES"] == nil ? 1 : 5)
        return (frames, rounds)
    }

    /// Under the bare generator: one fixed 64-byte frame redirected by a live-frames test run.
    @Test func dropRateWith256RulesAgainstBareDrop() throws {
        guard requireRoot() else { return }
        let (frames, rounds) = Self.size()
        let lab = try VethLab()
        var f = Frame(); f.l4 = .udp(7, 9); f.payload = 22
        try Self.rounds("", frames: UInt64(frames), rounds: rounds) { try Self.timed(lab, $0, f.bytes, count: UInt32(frames)) }
    }

    /// A pcap of `count` distinct 64-byte UDP frames to port 9 (sources 10.0.x.y, source ports
    /// 1024 + i): every one matches only the last of the 256 rules.
    static func floodFile(count: Int) throws -> String {
        let path = NSTemporaryDirectory() + "tapline-pfbench-\(getpid())-\(UInt32.random(in: 0..<UInt32.max)).pcap"
        let writer = try CaptureFileWriter(path: path, format: .pcap)
        for i in 0..<count {
            var f = Frame(); f.src = "10.0.\(i / 256).\(i % 256)"; f.l4 = .udp(UInt16(1024 + i), 9); f.payload = 22
            try writer.write(frame: f.bytes, timestampNs: UInt64(i) * 1_000)
        }
        try writer.close()
        return path
    }

    /// The project's two generators: `tapline replay --engine xdp` (in-kernel) and `tapline replay`
    /// (AF_XDP, copy mode on a veth).
    enum Generator { case kernel, xsk }

    /// Seconds `engine` takes to send `loops` passes over `file` while `prog` is the receiver's
    /// program; every frame must leave and none be dropped by the device.
    static func replayed(_ lab: VethLab, _ prog: Int32, file: String, loops: Int, engine: Generator) throws -> Double {
        let l = try link(lab, prog)
        try #require(l >= 0, "attaching program \(prog): \(errno)")
        defer { close(l) }
        nonisolated(unsafe) var result: Result<ReplayReport, any Error>?
        try VethLab.inNamespace(lab.genPath) {
            result = Result {
                switch engine {
                case .kernel:
                    var c = KernelReplayConfig(interface: lab.gen, path: file)
                    c.loops = loops
                    let r = try KernelReplayer(config: c)
                    try r.start()
                    return r.wait()
                case .xsk:
                    var c = ReplayConfig(interface: lab.gen, path: file)
                    c.loops = loops
                    let r = try Replayer(config: c)
                    try r.start()
                    return r.wait()
                }
            }
        }
        let r = try result!.get()
        try #require(r.failures.isEmpty, "\(r.failures)")
        try #require(r.completed == r.offered && (r.deviceDropped ?? 0) == 0,
                     "the device took \(r.completed) of \(r.offered), dropped \(r.deviceDropped ?? 0)")
        return r.seconds
    }

    /// The four receivers in rounds under `engine` replaying 1,024 distinct frames.
    static func replayerRounds(_ label: String, engine: Generator) throws {
        let (frames, rounds) = Self.size()
        let distinct = 1024
        let loops = max(1, frames / distinct)
        let file = try Self.floodFile(count: distinct)
        defer { unlink(file) }
        let lab = try VethLab()
        try Self.rounds(label, frames: UInt64(loops * distinct), rounds: rounds) {
            try Self.replayed(lab, $0, file: file, loops: loops, engine: engine)
        }
    }

    /// Under the project's own generator, `tapline replay --engine xdp`, replaying 1,024 distinct
    /// frames: unlike the bare generator it writes every frame, as a NIC would before the XDP
    /// program runs.
    @Test func dropRateWith256RulesUnderTheProjectReplayer() throws {
        guard requireRoot() else { return }
        try Self.replayerRounds(" under tapline replay --engine xdp", engine: .kernel)
    }

    /// Under the project's AF_XDP generator, `tapline replay` (the engine `capture`'s lab uses),
    /// replaying the same 1,024 frames: each frame goes through the kernel's socket-buffer path to
    /// the veth, as frames of a socket-based sender would.
    @Test func dropRateWith256RulesUnderTheAFXDPReplayer() throws {
        guard requireRoot() else { return }
        try Self.replayerRounds(" under tapline replay (AF_XDP)", engine: .xsk)
    }
}
