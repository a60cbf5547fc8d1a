import CPrefilter
import Foundation
import Glibc

/// Two network namespaces made for one test, joined by a veth pair with `queues` RX/TX queues:
/// frames are injected on the generator end (`gen` in `genNS`) and arrive at the receiver end
/// (`rx` in `rxNS`). Nothing is routed and nothing leaves the pair. Both namespaces are deleted
/// in `deinit`, also when the test fails.
///
/// One lab exists at a time in the test process: tests that flood a veth, attach XDP programs
/// and count frames exactly disturb each other when run side by side (frames stop reaching a
/// lab's receiver), so `init` waits for the previous lab to be gone. A test must not hold two.
public final class NamespaceLab: Sendable {
    private static let gate = DispatchSemaphore(value: 1)

    public let genNS: String
    public let rxNS: String
    public let gen: String
    public let rx: String

    public init(queues: Int = 1, prefix: String = "tl") throws {
        Self.gate.wait()
        let tag = String(getpid() % 100_000, radix: 36) + String(UInt32.random(in: 0..<UInt32.max) % 1_000_000, radix: 36)
        genNS = "\(prefix)-g-\(tag)"
        rxNS = "\(prefix)-r-\(tag)"
        gen = "\(prefix)g\(tag)"
        rx = "\(prefix)r\(tag)"
        do {
            try Self.ip(["netns", "add", genNS])
            try Self.ip(["netns", "add", rxNS])
            try Self.ip(["link", "add", gen, "netns", genNS, "numrxqueues", "\(queues)", "numtxqueues", "\(queues)",
                         "type", "veth", "peer", "name", rx, "netns", rxNS,
                         "numrxqueues", "\(queues)", "numtxqueues", "\(queues)"])
            // No IPv6 link-local address: no router solicitations or DAD to spoil exact counts.
            try Self.ip(["-n", genNS, "link", "set", gen, "addrgenmode", "none"])
            try Self.ip(["-n", rxNS, "link", "set", rx, "addrgenmode", "none"])
            try Self.ip(["-n", genNS, "link", "set", gen, "up"])
            try Self.ip(["-n", rxNS, "link", "set", rx, "up"])
        } catch {
            _ = try? Self.ip(["netns", "del", genNS])
            _ = try? Self.ip(["netns", "del", rxNS])
            Self.gate.signal()
            throw error
        }
    }

    deinit {
        _ = try? Self.ip(["netns", "del", genNS])
        _ = try? Self.ip(["netns", "del", rxNS])
        Self.gate.signal()
    }

    public var rxPath: String { "/run/netns/\(rxNS)" }
    public var genPath: String { "/run/netns/\(genNS)" }

    public struct CommandFailed: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    @discardableResult
    public static func ip(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FileManager.default.fileExists(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip")
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else { throw CommandFailed(description: "ip \(args.joined(separator: " ")): \(text)") }
        return text
    }

    /// Runs `body` on a new thread inside the receiver's namespace; threads it starts stay there.
    public func inReceiverNamespace(_ body: @escaping () -> Void) throws {
        try Self.inNamespace(rxPath, body)
    }

    /// Runs `body` on a new thread inside namespace `path` (threads it starts are there too).
    public static func inNamespace(_ path: String, _ body: @escaping () -> Void) throws {
        final class Box { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }
        let box = Box(body)
        let rc = tapline_run_in_netns(path, { ctx in
            Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue().body()
        }, Unmanaged.passUnretained(box).toOpaque())
        withExtendedLifetime(box) {}
        if rc != 0 { throw CommandFailed(description: "setns into \(path): errno \(rc)") }
    }

    /// Sends frames out of the generator end (AF_PACKET, on a thread inside its namespace).
    /// With `queue`, they leave on that TX queue and so arrive on the receiver's RX queue of the
    /// same number (the sending thread is pinned to a CPU with that remainder; qdisc bypassed).
    public func send(_ frames: [[UInt8]], queue: Int? = nil) throws {
        guard !frames.isEmpty else { return }
        let flat = frames.flatMap { $0 }
        let lengths = frames.map { UInt32($0.count) }
        var cpu: Int32 = -1
        if let queue {
            let cpus = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            guard let c = (0..<max(cpus, 1)).first(where: { $0 % max(cpus, 1) == queue && $0 < cpus }) else {
                throw CommandFailed(description: "no CPU to send on queue \(queue) (\(cpus) CPUs)")
            }
            cpu = Int32(c)
        }
        let n = tapline_netns_send_frames_on_cpu(genPath, gen, flat, lengths, UInt32(frames.count), cpu)
        if n != Int32(frames.count) { throw CommandFailed(description: "sent \(n) of \(frames.count) frames") }
    }
}
