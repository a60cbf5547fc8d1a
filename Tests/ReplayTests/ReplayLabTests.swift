import Foundation
import Glibc
@testable import Prefilter
@testable import Replay
import Synth
import Testing

/// `tapline replay`'s engine end to end on a veth pair in namespaces of the test's own: the
/// receiver runs the prefilter natively with `default drop`, whose counters see every frame.
@Suite(.serialized) struct ReplayLabTests {
    static let frames = 400

    /// A synthesized file of `frames` small frames (Synth's `small` profile), deleted by the caller.
    static func synthesize() throws -> String { try synthesizedFile(.small, flows: 20, packets: frames, seed: 7) }


    /// Replays in the generator's namespace; returns the report.
    static func replay(_ lab: ReplayLab, _ config: ReplayConfig) throws -> ReplayReport {
        nonisolated(unsafe) var result: Result<ReplayReport, ReplayError>?
        try ReplayLab.inNamespace(lab.genPath) {
            do throws(ReplayError) {
                let r = try Replayer(config: config)
                try r.start()
                result = .success(r.wait())
            } catch {
                result = .failure(error)
            }
        }
        return try result!.get()
    }

    /// Waits until the receiver has seen `expected` frames (or 3 s), returns what it saw.
    static func seen(_ p: PrefilterProgram, expected: UInt64) -> UInt64 {
        let end = ReplayClock.now() + 3_000_000_000
        var n = p.counters().seen.packets
        while n < expected && ReplayClock.now() < end {
            usleep(10_000)
            n = p.counters().seen.packets
        }
        usleep(100_000)  // and nothing more arrives
        return p.counters().seen.packets
    }

    @Test func loopThreeTimesDeliversExactlyThreeTimesTheFile() throws {
        guard geteuid() == 0 else {
            Issue.record("this test creates network namespaces and loads XDP programs: run it as root")
            return
        }
        let path = try Self.synthesize()
        defer { unlink(path) }
        let lab = try ReplayLab()
        let p = try lab.prefilterReceiver(rules: "default drop")
        defer { p.detach() }
        var config = ReplayConfig(interface: lab.gen, path: path)
        config.pacing = .topSpeed
        config.loops = 3
        let r = try Self.replay(lab, config)
        #expect(r.failures.isEmpty, "\(r.failures)")
        #expect(r.offered == UInt64(3 * Self.frames))
        #expect(r.completed == r.offered)
        #expect(r.txInvalid == 0)
        #expect(r.skips.total == 0)
        #expect(Self.seen(p, expected: UInt64(3 * Self.frames)) == UInt64(3 * Self.frames))
        #expect(r.deviceDropped == 0, "every frame arrived, so the veth dropped none")
    }

    @Test func rateLimitedReplayTakesAboutNOverR() throws {
        guard geteuid() == 0 else {
            Issue.record("this test creates network namespaces and loads XDP programs: run it as root")
            return
        }
        let path = try Self.synthesize()
        defer { unlink(path) }
        let lab = try ReplayLab()
        let p = try lab.prefilterReceiver(rules: "default drop")
        defer { p.detach() }
        var config = ReplayConfig(interface: lab.gen, path: path)
        let rate: UInt64 = 800
        config.pacing = .rate(rate)
        let start = ReplayClock.now()
        let r = try Self.replay(lab, config)
        let seconds = Double(ReplayClock.now() - start) / 1e9
        let expected = Double(Self.frames) / Double(rate)   // 0.5 s
        #expect(r.offered == UInt64(Self.frames))
        // Loose bounds: the machine is shared and noisy.
        #expect(r.seconds > expected * 0.8 && r.seconds < expected * 2.5, "took \(r.seconds) s, expected ≈ \(expected)")
        #expect(seconds > expected * 0.8)
        #expect(Self.seen(p, expected: UInt64(Self.frames)) == UInt64(Self.frames))
    }

    @Test func aFileLargerThanTheUMEMIsStreamed() throws {
        guard geteuid() == 0 else {
            Issue.record("this test creates network namespaces and loads XDP programs: run it as root")
            return
        }
        let path = try Self.synthesize()
        defer { unlink(path) }
        let lab = try ReplayLab()
        let p = try lab.prefilterReceiver(rules: "default drop")
        defer { p.detach() }
        var config = ReplayConfig(interface: lab.gen, path: path)
        config.pacing = .topSpeed
        config.loops = 2
        config.umemBytesPerQueue = 64 * 2048   // 64 frames for 400: streamed through them
        config.batch = 16
        config.txRingSize = 32
        nonisolated(unsafe) var preloaded = true
        nonisolated(unsafe) var result: Result<ReplayReport, ReplayError>?
        try ReplayLab.inNamespace(lab.genPath) {
            do throws(ReplayError) {
                let r = try Replayer(config: config)
                preloaded = r.preloaded
                try r.start()
                result = .success(r.wait())
            } catch {
                result = .failure(error)
            }
        }
        let r = try result!.get()
        #expect(!preloaded)
        #expect(r.offered == UInt64(2 * Self.frames))
        #expect(Self.seen(p, expected: UInt64(2 * Self.frames)) == UInt64(2 * Self.frames))
    }

    @Test func noSuchInterfaceIsAClearError() throws {
        guard geteuid() == 0 else { return }
        let path = try Self.synthesize()
        defer { unlink(path) }
        let config = ReplayConfig(interface: "tl-nonexistent0", path: path)
        #expect {
            _ = try Replayer(config: config)
        } throws: { error in
            "\(error)".contains("no network interface 'tl-nonexistent0'")
        }
    }

    @Test func aBadFileIsAClearError() throws {
        let path = NSTemporaryDirectory() + "tapline-replay-bad-\(getpid()).pcap"
        _ = FileManager.default.createFile(atPath: path, contents: Data("not a capture".utf8))
        defer { unlink(path) }
        // The file is checked before any socket is made: no interface is touched.
        let config = ReplayConfig(interface: "tl-nonexistent0", path: path)
        #expect {
            _ = try Replayer(config: config)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("unknown file magic")
        }
    }
}
