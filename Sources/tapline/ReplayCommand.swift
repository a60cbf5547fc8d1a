import ArgumentParser
import CShims
import Replay
import ReplayXDP
import XSK
#if canImport(Glibc)
import Glibc
#endif

/// `tapline replay`: a capture file out of an interface through AF_XDP TX rings.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Transmit a pcap/pcapng file out of an interface through AF_XDP (one socket per TX queue).",
        discussion: """
            Pacing: --topspeed (as fast as the rings go), --rate PPS (token bucket over all queues), or the \
            file's own timing sped up by --speed X (the default, 1.0 = as captured). A file whose share fits \
            each queue's UMEM (--umem-mb) is preloaded; a larger one is streamed through the same frames. \
            Frames over --frame-size bytes, under 14 bytes, or not Ethernet are skipped and counted. \
            SIGINT or SIGTERM stops and prints the report. Needs root (CAP_NET_ADMIN, CAP_BPF). On a veth, \
            frames reach the peer only if the peer runs a native XDP program.

            --engine xdp replays from inside the kernel: the file's frames (up to --umem-mb) are loaded into \
            BPF maps, and bpf_prog_test_run in live-frames mode (Linux 5.18+) runs a program that writes each \
            next frame and redirects it to the interface, which sends it with its ndo_xdp_xmit: no skb and no \
            system call per frame, several times AF_XDP copy mode's rate into a veth. One thread (--cores \
            picks its CPU; the device picks the queue), file order, --topspeed only.
            """)

    @Option(name: .shortAndLong, help: "The interface to transmit on.")
    var interface: String

    @Argument(help: "A pcap or pcapng file of Ethernet frames.")
    var file: String

    @Option(help: "Packets per second over all queues.")
    var rate: UInt64?

    @Flag(help: "As fast as possible.")
    var topspeed = false

    @Option(help: "File timing, sped up by this factor (1.0 = as captured).")
    var speed: Double?

    @Option(help: "Passes over the file (0: until interrupted).")
    var loop: Int = 1

    @Option(help: "TX queues: N, N-M or a comma list.")
    var queues: String = "0"

    @Option(help: "Enter the network namespace /run/netns/NAME first.")
    var netns: String?

    @Option(help: "CPUs for the queue threads (comma list, round robin); default unpinned.")
    var cores: String?

    @Option(help: "UMEM frame size: 2048 or 4096 (longer frames are skipped).")
    var frameSize: Int = 2048

    @Option(help: "UMEM MiB per queue: files whose share fits are preloaded, larger ones streamed.")
    var umemMb: Int = 64

    @Option(help: "Descriptors put on the TX ring at once.")
    var batch: Int = 64

    @Option(help: "Frames the kernel sends per wake-up in copy mode (XDP_MAX_TX_SKB_BUDGET, Linux 6.17+); 0 keeps its default (32).")
    var txBudget: Int32 = 256

    @Option(help: "AF_XDP bind mode: auto, zerocopy or copy.")
    var mode: String = "auto"

    @Option(help: "xsk: AF_XDP TX rings; xdp: the in-kernel generator (see below).")
    var engine: String = "xsk"

    @Flag(inversion: .prefixedNo, help: "A progress line every second (default: when standard error is a terminal).")
    var progress: Bool?

    func validate() throws {
        let pacings = (rate != nil ? 1 : 0) + (topspeed ? 1 : 0) + (speed != nil ? 1 : 0)
        guard pacings <= 1 else { throw ValidationError("choose one of --rate, --topspeed and --speed") }
        if let rate { guard rate >= 1 && rate <= 1_000_000_000 else { throw ValidationError("--rate must be 1…1000000000 packets/s") } }
        if let speed { guard speed > 0 && speed.isFinite else { throw ValidationError("--speed must be a positive factor") } }
        guard loop >= 0 else { throw ValidationError("--loop must be 0 (forever) or more") }
        guard frameSize == 2048 || frameSize == 4096 else { throw ValidationError("--frame-size must be 2048 or 4096") }
        guard umemMb >= 1 && umemMb <= 65536 else { throw ValidationError("--umem-mb must be 1…65536") }
        guard batch >= 1 && batch <= 1024 else { throw ValidationError("--batch must be 1…1024") }
        guard ["auto", "zerocopy", "copy"].contains(mode) else { throw ValidationError("--mode must be auto, zerocopy or copy") }
        _ = try parseList(queues, what: "--queues")
        if let cores { _ = try parseList(cores, what: "--cores") }
        guard ["xsk", "xdp"].contains(engine) else { throw ValidationError("--engine must be xsk or xdp") }
        if engine == "xdp" {
            guard topspeed else {
                throw ValidationError("--engine xdp sends as fast as it can (--topspeed): each kernel call sends a burst "
                                      + "of frames, too coarse to pace; --rate and --speed need --engine xsk")
            }
            guard queues == "0" else {
                throw ValidationError("--engine xdp sends from one CPU and the device picks the queue (a veth: the CPU number "
                                      + "modulo its queues): choose the CPU with --cores instead of --queues")
            }
            if let cores, try parseList(cores, what: "--cores").count != 1 {
                throw ValidationError("--engine xdp runs one sending thread: give --cores one CPU")
            }
        }
    }

    func parseList(_ text: String, what: String) throws -> [Int] {
        var out: [Int] = []
        for part in text.split(separator: ",") {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false)
            if ends.count == 1, let n = Int(ends[0]), n >= 0 {
                out.append(n)
            } else if ends.count == 2, let a = Int(ends[0]), let b = Int(ends[1]), a >= 0, a <= b {
                out += Array(a...b)
            } else {
                throw ValidationError("\(what): '\(part)' is not a number or a range N-M")
            }
        }
        guard !out.isEmpty, Set(out).count == out.count else { throw ValidationError("\(what): give each number once") }
        return out
    }

    func run() throws {
        if let netns {
            let path = netns.contains("/") ? netns : "/run/netns/\(netns)"
            let rc = tapline_enter_netns(path)
            if rc != 0 { throw ToolError("replay: cannot enter network namespace \(path): \(String(cString: strerror(rc)))") }
        }
        var config = ReplayConfig(interface: interface, path: file)
        config.pacing = topspeed ? .topSpeed : rate.map { .rate($0) } ?? .speed(speed ?? 1.0)
        config.loops = loop
        config.queues = try parseList(queues, what: "--queues")
        config.cores = try cores.map { try parseList($0, what: "--cores") }
        config.frameSize = frameSize
        config.umemBytesPerQueue = umemMb << 20
        config.batch = batch
        config.transmitBudget = txBudget > 0 ? txBudget : nil
        config.mode = XSKMode(rawValue: mode) ?? .auto

        // Signals are taken with sigtimedwait on this thread; the queue threads inherit the mask.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        if engine == "xdp" { return try runInKernel(signals: &signals) }

        let replayer: Replayer
        do {
            replayer = try Replayer(config: config)
        } catch {
            throw ToolError("replay: \(error)")
        }
        let s = replayer.sockets[0]
        writeStandardError("replay: \(file): \(replayer.framesPerPass) frames (\(replayer.bytesPerPass) bytes) a pass, "
                           + (replayer.preloaded ? "preloaded" : "streamed (larger than --umem-mb \(umemMb) per queue)")
                           + "; \(interface) queue\(config.queues.count == 1 ? "" : "s") "
                           + config.queues.map(String.init).joined(separator: ",") + ", \(s.modeNote)"
                           + (replayer.budgetNotes[0].map { ", \($0)" } ?? ""))
        if replayer.overMTU > 0 {
            let mtu = tapline_interface_mtu(interface)
            writeStandardError("replay: notice: \(replayer.overMTU) frames a pass are longer than \(interface) forwards "
                               + "(MTU \(mtu) + 18 bytes); they are sent, and the device may drop them (counted as device_dropped)")
        }
        do {
            try replayer.start()
        } catch {
            throw ToolError("replay: \(error)")
        }
        let r = supervise(replayer, signals: &signals)
        printReport(r, cutShort: replayer.cutShort, longest: "over \(frameSize) bytes")
        if let dropped = r.deviceDropped, dropped > 0 {
            print("replay: \(interface) dropped \(dropped) of the frames it took (its tx_dropped and tx_errors; "
                  + "on a veth: no room in the peer's queue), so \(r.completed &- min(r.completed, dropped)) went out")
        }
        if !r.failures.isEmpty { throw ExitCode(1) }
    }

    /// `--engine xdp`: the in-kernel generator.
    func runInKernel(signals: inout sigset_t) throws {
        var config = KernelReplayConfig(interface: interface, path: file)
        config.loops = loop
        config.cpu = try cores.map { try parseList($0, what: "--cores")[0] }
        config.maximumBytes = umemMb << 20
        let replayer: KernelReplayer
        do {
            replayer = try KernelReplayer(config: config)
        } catch {
            throw ToolError("replay: \(error)")
        }
        writeStandardError("replay: \(file): \(replayer.framesPerPass) frames (\(replayer.bytesPerPass) bytes) a pass, "
                           + "in the kernel (\(replayer.chunks) chunks, \(fixed(Double(replayer.kernelBytes) / 1048576, 1)) MiB); "
                           + "\(interface): in-kernel generator (live-frames test runs, the device's ndo_xdp_xmit)"
                           + (config.cpu.map { ", CPU \($0)" } ?? ""))
        do {
            try replayer.start()
        } catch {
            throw ToolError("replay: \(error)")
        }
        let r = supervise(replayer, signals: &signals)
        printReport(r, cutShort: replayer.cutShort, longest: "over \(replayer.longestAllowed) bytes, the MTU + 18")
        if let refused = r.deviceRefused {
            let missing = r.offered &- r.completed
            print("replay: \(interface) transmitted \(r.completed) of \(r.offered) frames, refused \(refused)"
                  + (missing > 0 && r.completed == 0
                     ? " (a veth takes XDP frames only while its peer runs an XDP program)" : ""))
        } else {
            print("replay: \(interface) does not report ndo_xdp_xmit counts: frames handed to it \(r.offered)")
        }
        if r.buildFailures > 0 { print("replay: error: the generator could not build \(r.buildFailures) frames") }
        if !r.failures.isEmpty || r.buildFailures > 0 { throw ExitCode(1) }
    }

    /// Waits for a replay to end, a progress line every second when asked; the first SIGINT or
    /// SIGTERM stops it, a second one stops waiting.
    func supervise<D: ReplayDriver>(_ replayer: D, signals: inout sigset_t) -> ReplayReport {
        let showProgress = progress ?? (isatty(2) == 1)
        var timeout = timespec(tv_sec: 0, tv_nsec: 100_000_000)
        var nextLine = ReplayClock.now() + 1_000_000_000
        var previous = (packets: UInt64(0), at: ReplayClock.now())
        var interrupted = false
        while !replayer.isFinished {
            let sig = sigtimedwait(&signals, nil, &timeout)
            if sig == SIGINT || sig == SIGTERM {
                if interrupted { break }
                interrupted = true
                writeStandardError("replay: signal \(sig): stopping")
                replayer.stop()
            }
            let now = ReplayClock.now()
            if showProgress && now >= nextLine {
                let r = replayer.report()
                let pps = Double(r.offered - previous.packets) / (Double(now - previous.at) / 1e9)
                writeStandardError("replay: \(fixed(r.seconds, 1)) s  \(r.offered) frames  "
                                   + "\(fixed(pps, 0)) pps now  \(fixed(r.packetsPerSecond, 0)) pps overall"
                                   + (r.kickErrors > 0 || r.txInvalid > 0 ? "  errors: tx_invalid \(r.txInvalid), wake-ups \(r.kickErrors)" : ""))
                previous = (r.offered, now)
                nextLine += 1_000_000_000
            }
        }
        return replayer.wait()
    }

    func printReport(_ r: ReplayReport, cutShort: Int, longest: String) {
        let sk = r.skips
        print("replay: \(r.offered) frames (\(r.offeredBytes) bytes) offered in \(fixed(r.seconds, 3)) s: "
              + "\(fixed(r.packetsPerSecond, 0)) pps, \(fixed(r.bitsPerSecond / 1e6, 1)) Mbit/s; "
              + "\(r.completed) completed by the kernel")
        print("replay: errors: tx_invalid \(r.txInvalid), wake-ups failed \(r.kickErrors)"
              + (r.kickErrors > 0 ? " (last: \(String(cString: strerror(r.lastKickErrno))))" : "")
              + ", retried \(r.kickRetries) (ring or device busy), never completed \(r.abandoned)")
        print("replay: skipped per pass: \(sk.total) (\(sk.tooLong) \(longest), "
              + "\(sk.tooShort) under 14 bytes, \(sk.notEthernet) not Ethernet)"
              + (cutShort > 0 ? "; \(cutShort) frames sent as captured, shorter than on the wire" : ""))
        for f in r.failures { print("replay: error: \(f)") }
        print("replay-summary offered=\(r.offered) bytes=\(r.offeredBytes) completed=\(r.completed) "
              + "seconds=\(fixed(r.seconds, 6)) pps=\(fixed(r.packetsPerSecond, 0)) "
              + "tx_invalid=\(r.txInvalid) kick_errors=\(r.kickErrors) skipped=\(sk.total) abandoned=\(r.abandoned)"
              + (r.deviceDropped.map { " device_dropped=\($0)" } ?? "") + (r.deviceRefused.map { " device_refused=\($0)" } ?? ""))
    }

}

/// What `tapline replay` waits on: the AF_XDP replayer or the in-kernel generator.
protocol ReplayDriver: AnyObject {
    var isFinished: Bool { get }
    func stop()
    func report() -> ReplayReport
    func wait() -> ReplayReport
}

extension Replayer: ReplayDriver {}
extension KernelReplayer: ReplayDriver {}

/// `x` with `decimals` digits after the point (no Foundation here).
func fixed(_ x: Double, _ decimals: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let n = (abs(x) * scale).rounded()
    let whole = Int(n / scale)
    let frac = Int(n - Double(whole) * scale)
    var text = (x < 0 && n > 0 ? "-" : "") + String(whole)
    if decimals > 0 {
        let f = String(frac)
        text += "." + String(repeating: "0", count: decimals - f.count) + f
    }
    return text
}
