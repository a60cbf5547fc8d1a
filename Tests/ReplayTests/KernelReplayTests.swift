import Foundation
import Glibc
import CPrefilter
import Ingest
@testable import Prefilter
import Replay
import ReplayXDP
import Synth
import Testing

/// `tapline replay --engine xdp` end to end on a veth pair in namespaces of the test's own: the
/// in-kernel generator's frames must arrive byte for byte, in file order, as often as asked.
@Suite(.serialized) struct KernelReplayTests {
    static let frames = 300

    static func synthesize() throws -> String { try synthesizedFile(.mix, flows: 30, packets: frames, seed: 11) }

    /// The file's frames that fit `limit` bytes, in order, as a packet socket on the receiver sees
    /// them: the receiving stack's VLAN acceleration takes the outer 802.1Q/802.1ad tag out of
    /// the frame before packet sockets get it.
    static func fileFrames(_ path: String, limit: Int) throws -> (frames: [[UInt8]], skipped: Int, bytes: UInt64) {
        let reader = try CaptureFileReader(path: path)
        var out: [[UInt8]] = []
        var skipped = 0
        var bytes: UInt64 = 0
        while let p = try reader.next() {
            var f = [UInt8](UnsafeRawBufferPointer(p.bytes))
            if f.count > limit { skipped += 1; continue }
            bytes += UInt64(f.count)
            if f.count >= 18, (f[12] == 0x81 && f[13] == 0x00) || (f[12] == 0x88 && f[13] == 0xa8) { f.removeSubrange(12..<16) }
            out.append(f)
        }
        return (out, skipped, bytes)
    }


    static func replay(_ lab: ReplayLab, _ config: KernelReplayConfig) throws -> ReplayReport {
        nonisolated(unsafe) var result: Result<ReplayReport, KernelReplayError>?
        try ReplayLab.inNamespace(lab.genPath) {
            do throws(KernelReplayError) {
                let r = try KernelReplayer(config: config)
                try r.start()
                result = .success(r.wait())
            } catch {
                result = .failure(error)
            }
        }
        return try result!.get()
    }

    /// An AF_PACKET socket on the receiver end, opened inside its namespace.
    static func packetSocket(_ lab: ReplayLab) throws -> Int32 {
        nonisolated(unsafe) var fd: Int32 = -1
        try ReplayLab.inNamespace(lab.rxPath) { fd = tapline_packet_socket(lab.rx) }
        try #require(fd >= 0, "AF_PACKET socket: errno \(-fd)")
        return fd
    }

    /// Incoming frames until the socket stays quiet for 300 ms.
    static func drain(_ fd: Int32) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBufferPointer { tapline_packet_receive(fd, $0.baseAddress, UInt32($0.count)) }
            if n <= 0 { break }
            out.append(Array(buffer[0..<Int(n)]))
        }
        return out
    }

    @Test func twoPassesArriveByteForByteInFileOrder() throws {
        guard geteuid() == 0 else {
            Issue.record("this test creates network namespaces and loads XDP programs: run it as root")
            return
        }
        let path = try Self.synthesize()
        defer { unlink(path) }
        // The lab's veth has MTU 1500: frames over 1518 bytes are not sent (and said so).
        let (expected, tooLong, bytes) = try Self.fileFrames(path, limit: 1518)
        let lab = try ReplayLab()
        let p = try lab.prefilterReceiver(rules: "default pass")
        defer { p.detach() }
        let fd = try Self.packetSocket(lab)
        defer { close(fd) }
        var config = KernelReplayConfig(interface: lab.gen, path: path)
        config.loops = 2
        config.firstCallFrames = 64  // several calls, so the frame index carries across them
        let r = try Self.replay(lab, config)
        #expect(r.failures.isEmpty, "\(r.failures)")
        #expect(r.buildFailures == 0)
        #expect(r.skips.tooLong == tooLong)
        #expect(r.offered == UInt64(2 * expected.count))
        #expect(r.offeredBytes == 2 * bytes)
        #expect(r.completed == r.offered, "the veth's xdp_xmit count")
        #expect(r.deviceRefused == 0)
        let got = Self.drain(fd)
        #expect(got.count == 2 * expected.count)
        let same = got == expected + expected
        #expect(same, Comment(rawValue: "frames differ or arrive out of order: \(got.count) received, lengths of the first 8: "
                + "\(got.prefix(8).map(\.count)) against \(expected.prefix(8).map(\.count)); "
                + "longest expected \(expected.map(\.count).max() ?? 0)"))
        #expect(p.counters().seen.packets == UInt64(2 * expected.count))
    }

    @Test func withoutAnXDPProgramOnThePeerNothingIsDeliveredAndTheReportSaysSo() throws {
        guard geteuid() == 0 else {
            Issue.record("this test creates network namespaces and loads XDP programs: run it as root")
            return
        }
        let path = try Self.synthesize()
        defer { unlink(path) }
        let lab = try ReplayLab()
        let sent = try Self.fileFrames(path, limit: 1518).frames.count
        let r = try Self.replay(lab, KernelReplayConfig(interface: lab.gen, path: path))
        #expect(r.offered == UInt64(sent))
        #expect(r.completed == 0)
        #expect(r.deviceRefused != nil)
    }

    @Test func aFileOverTheMemoryLimitIsAClearError() throws {
        guard geteuid() == 0 else { return }
        let path = try Self.synthesize()
        defer { unlink(path) }
        var config = KernelReplayConfig(interface: "lo", path: path)
        config.maximumBytes = 4096
        #expect {
            _ = try KernelReplayer(config: config)
        } throws: { error in
            "\(error)".contains("MiB of kernel memory") && "\(error)".contains("--engine xsk")
        }
    }

    @Test func noSuchInterfaceIsAClearError() throws {
        let path = try Self.synthesize()
        defer { unlink(path) }
        #expect {
            _ = try KernelReplayer(config: KernelReplayConfig(interface: "tl-nonexistent0", path: path))
        } throws: { error in
            "\(error)".contains("no network interface 'tl-nonexistent0'")
        }
    }

    @Test func aBadFileIsAClearError() throws {
        let path = NSTemporaryDirectory() + "tapline-kreplay-bad-\(getpid()).pcap"
        _ = FileManager.default.createFile(atPath: path, contents: Data("not a capture".utf8))
        defer { unlink(path) }
        #expect {
            _ = try KernelReplayer(config: KernelReplayConfig(interface: "lo", path: path))
        } throws: { error in
            "\(error)".contains(path)
        }
    }
}
