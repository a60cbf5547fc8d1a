import Foundation
import Glibc
@testable import Prefilter
import Testing

/// The prefilter attached to a veth in namespaces the test makes, frames injected from the peer.
@Suite(.serialized) struct VethTests {
    /// Polls until the prefilter has seen `count` frames (veth delivers asynchronously).
    func waitForSeen(_ p: PrefilterProgram, _ count: UInt64) -> PrefilterCounters {
        var c = p.counters()
        for _ in 0..<400 where c.seen.packets < count {
            usleep(5000)
            c = p.counters()
        }
        usleep(20000)
        return p.counters()
    }

    func attach(_ p: PrefilterProgram, _ lab: VethLab, mode: AttachMode = .native, force: Bool = false) throws -> PrefilterAttachment {
        nonisolated(unsafe) var result: Result<PrefilterAttachment, PrefilterError> = .failure(.noSuchInterface("?"))
        try lab.inReceiverNamespace {
            do throws(PrefilterError) { result = .success(try p.attach(interface: lab.rx, mode: mode, force: force)) } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    func attachedID(_ lab: VethLab) throws -> UInt32? {
        nonisolated(unsafe) var id: UInt32?
        try lab.inReceiverNamespace {
            id = (try? PrefilterProgram.attachedProgram(if_nametoindex(lab.rx)))??.id
        }
        return id
    }

    @Test func exactPerRuleCountsOnAVethPair() throws {
        guard requireRoot() else { return }
        let lab = try VethLab()
        let p = try program("""
            drop proto udp dport 53
            pass src 10.1.0.0/16 proto tcp
            capture vlan 7
            default drop
            """)
        let a = try attach(p, lab)
        #expect(a.mode == .native)
        #expect(FileManager.default.fileExists(atPath: "\(a.pinDirectory)/counters"))
        var frames: [[UInt8]] = []
        for i in 0..<30 { var f = Frame(); f.l4 = .udp(UInt16(2000 + i), 53); frames.append(f.bytes) }
        for _ in 0..<20 { var f = Frame(); f.src = "10.1.2.3"; frames.append(f.bytes) }
        for _ in 0..<10 { var f = Frame(); f.vlans = [7]; frames.append(f.bytes) }
        for _ in 0..<5 { var f = Frame(); f.src = "192.0.2.1"; frames.append(f.bytes) }
        try lab.send(frames)
        let c = waitForSeen(p, 65)
        #expect(c.seen.packets == 65)
        #expect(c.activeRule(0).packets == 30)
        #expect(c.activeRule(1).packets == 20)
        #expect(c.activeRule(2).packets == 10)
        #expect(c.activeRule(RuleSet.maxRules).packets == 5)
        #expect(c.dropped.packets == 35)
        #expect(c.passed.packets == 30) // 20 passed + 10 captures without a socket (fallback)
        #expect(c.redirectFailures.packets == 10)
        // Another process sees the same counters through the pins.
        #expect(try PrefilterProgram.pinnedCounters(interface: lab.rx) == c)
        p.detach()
        #expect(try attachedID(lab) == nil)
        #expect(!FileManager.default.fileExists(atPath: a.pinDirectory))
    }

    @Test func reloadUnderTrafficLosesAndDoubleCountsNothing() throws {
        guard requireRoot() else { return }
        let lab = try VethLab()
        let setA = rules("capture src 10.0.0.1 dport 9001\npass src 10.0.0.1 dport 9000\ndefault drop")
        let setB = rules("pass src 10.0.0.1 dport 9000\ncapture src 10.9.9.9 dport 9001\ndefault drop")
        let p = try PrefilterProgram()
        try p.install(setA)
        _ = try attach(p, lab)
        var f = Frame(); f.l4 = .udp(5555, 9000)
        // 100 bursts of 200 frames, 3 ms apart: traffic lasts long enough for many reloads.
        let bursts = 100, burst = 200
        let total = bursts * burst
        let frames = [[UInt8]](repeating: f.bytes, count: burst)
        final class Outcome: @unchecked Sendable { var error: (any Error)? } // written before `done` signals
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let sender = Thread {
            do {
                for _ in 0..<bursts {
                    try lab.send(frames)
                    usleep(3000)
                }
            } catch { outcome.error = error }
            done.signal()
        }
        sender.start()
        var reloads = 0
        let start = PrefilterProgram.monotonicNanoseconds()
        while done.wait(timeout: .now()) == .timedOut {
            try p.install(reloads % 2 == 0 ? setB : setA)
            reloads += 1
        }
        let perReload = Double(PrefilterProgram.monotonicNanoseconds() - start) / 1e6 / Double(max(reloads, 1))
        print("reloads under traffic: \(reloads), \(perReload) ms each")
        let c = waitForSeen(p, UInt64(total))
        #expect(outcome.error == nil)
        #expect(reloads >= 4, "reloads during traffic: \(reloads)")
        #expect(c.seen.packets == UInt64(total))
        // Every frame counted once, by the matching rule of whichever whole set it met.
        let current = c.rules[0][0...1].reduce(0) { $0 + $1.packets } + c.rules[1][0...1].reduce(0) { $0 + $1.packets }
        let retired = p.retiredRuleCounts[0...1].reduce(0) { $0 + $1.packets }
        #expect(current + retired == UInt64(total))
        #expect(c.rules[0][RuleSet.maxRules].packets + c.rules[1][RuleSet.maxRules].packets
                + p.retiredRuleCounts[RuleSet.maxRules].packets == 0)
        #expect(c.passed.packets == UInt64(total))
        #expect(c.dropped.packets == 0)
    }

    @Test func anotherProgramIsRefusedUnlessForced() throws {
        guard requireRoot() else { return }
        let lab = try VethLab()
        let first = try PrefilterProgram()
        _ = try attach(first, lab, mode: .generic)
        let firstID = try attachedID(lab)
        #expect(firstID != nil)
        let second = try PrefilterProgram()
        #expect {
            _ = try attach(second, lab)
        } throws: { error in
            guard case PrefilterError.otherProgramAttached(_, let name, _) = error else { return false }
            return name == PrefilterProgram.kernelName
                && (error as? PrefilterError)?.description.contains("--force") == true
        }
        #expect(try attachedID(lab) == firstID) // nothing changed
        // A left-over (its process never detached): `tapline detach` removes link and pins.
        var done: [String] = []
        try lab.inReceiverNamespace { done = (try? PrefilterProgram.detachLeftover(interface: lab.rx)) ?? ["failed"] }
        #expect(done.contains { $0.hasPrefix("detached XDP link") })
        #expect(done.contains { $0.hasPrefix("removed pinned maps") })
        #expect(try attachedID(lab) == nil)
        // Now free: the second one attaches.
        _ = try attach(second, lab)
        #expect(try attachedID(lab) != nil)
    }

    @Test func unknownInterfaceAttachesNothing() throws {
        guard requireRoot() else { return }
        let p = try PrefilterProgram()
        #expect(throws: PrefilterError.noSuchInterface("tl-no-such-if")) {
            _ = try p.attach(interface: "tl-no-such-if")
        }
        #expect(p.attachment == nil)
        #expect(throws: PrefilterError.self) { _ = try PrefilterProgram.pinnedCounters(interface: "tl-no-such-if") }
    }

    /// The tapline binary built beside the tests.
    func taplineBinary() -> String? {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "tapline")
        let candidates = [binary.path, FileManager.default.currentDirectoryPath + "/.build/debug/tapline"]
        guard let tapline = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("the tapline binary is not built next to the tests (swift build --build-tests builds it)")
            return nil
        }
        return tapline
    }

    /// Waits until `condition` holds (up to 10 s).
    func eventually(_ condition: () throws -> Bool) rethrows -> Bool {
        for _ in 0..<1000 {
            if try condition() { return true }
            usleep(10000)
        }
        return false
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGKILL])
    func theCommandDetachesOnSignals(signal: Int32) throws {
        guard requireRoot(), let tapline = taplineBinary() else { return }
        let lab = try VethLab()
        let rulesFile = FileManager.default.temporaryDirectory.appending(path: "tlpf-\(getpid())-\(signal).rules")
        try "# test\ndrop proto udp\ndefault pass\n".write(to: rulesFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: rulesFile) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        p.arguments = ["--net=\(lab.rxPath)", tapline, "prefilter", "run", "-i", lab.rx, "--rules", rulesFile.path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let pins = "\(PrefilterProgram.pinRoot)/\(lab.rx)"
        #expect(try eventually { try attachedID(lab) != nil && FileManager.default.fileExists(atPath: pins + "/counters") })
        var u = Frame(); u.l4 = .udp(1, 2)
        try lab.send([u.bytes, Frame().bytes])
        #expect(eventually { (try? PrefilterProgram.pinnedCounters(interface: lab.rx).seen.packets) == 2 })
        #expect(try PrefilterProgram.pinnedCounters(interface: lab.rx).activeRule(0).packets == 1)
        kill(p.processIdentifier, signal)
        p.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // Even SIGKILL leaves no program: the kernel drops the link with its last fd.
        #expect(try eventually { try attachedID(lab) == nil }, "stderr: \(text)")
        if signal == SIGKILL {
            #expect(FileManager.default.fileExists(atPath: pins)) // the pins are what a crash leaves
            var done: [String] = []
            try lab.inReceiverNamespace { done = (try? PrefilterProgram.detachLeftover(interface: lab.rx)) ?? [] }
            #expect(done == ["removed pinned maps in \(pins)"])
        } else {
            #expect(p.terminationStatus == 0, "stderr: \(text)")
            #expect(text.contains("detaching"))
        }
        #expect(!FileManager.default.fileExists(atPath: pins))
    }

    /// Runs tapline with `args`; returns (status, standard error).
    func tapline(_ binary: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    @Test func commandLineBadInputSaysWhatAndAttachesNothing() throws {
        guard requireRoot(), let binary = taplineBinary() else { return }
        let file = FileManager.default.temporaryDirectory.appending(path: "tlpf-bad-\(getpid()).rules")
        try "drop src 10.0.0.1/8\ncapture vlan 5000\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var (status, text) = try tapline(binary, ["rules", "check", file.path])
        #expect(status == 1)
        #expect(text.contains("\(file.path):1:10: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)"))
        #expect(text.contains("\(file.path):2:14: bad VLAN ID '5000' (0-4095)"))
        #expect(text.contains("2 errors; nothing loaded"))
        (status, text) = try tapline(binary, ["prefilter", "run", "-i", "tl-no-such-if"])
        #expect(status == 1)
        #expect(text.contains("no network interface named 'tl-no-such-if'"))
        (status, text) = try tapline(binary, ["prefilter", "run", "-i", "lo", "--rules", file.path])
        #expect(status == 1)
        #expect(text.contains("nothing attached"))
        (status, text) = try tapline(binary, ["prefilter", "stats", "-i", "tl-no-such-if"])
        #expect(status == 1)
        #expect(text.contains("no tapline prefilter is attached to tl-no-such-if"))
    }

    @Test func withoutPrivilegesTheCommandSaysWhy() throws {
        guard requireRoot(), let tapline = taplineBinary() else { return }
        let lab = try VethLab()
        let p = Process()
        // nsenter needs CAP_SYS_ADMIN: enter the namespace first, then drop privileges.
        p.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        p.arguments = ["--net=\(lab.rxPath)", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                       "--inh-caps=-all", "--bounding-set=-all", tapline, "prefilter", "run", "-i", lab.rx]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
        #expect(text.contains("permission denied"), "stderr: \(text)")
        #expect(try attachedID(lab) == nil)
    }
}
