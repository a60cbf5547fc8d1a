import CPrefilter
import Foundation
import Glibc
import Testing

/// Two network namespaces made for one test, joined by a veth pair: frames are injected on the
/// generator end (`gen` in `genNS`) and arrive at the receiver end (`rx` in `rxNS`), where the
/// prefilter is attached. Nothing is routed and nothing leaves the pair. Deleted in `deinit`,
/// also when the test fails.
final class VethLab: Sendable {
    let genNS: String
    let rxNS: String
    let gen: String
    let rx: String

    init() throws {
        let tag = String(getpid() % 100_000, radix: 36) + String(UInt32.random(in: 0..<UInt32.max) % 1_000_000, radix: 36)
        genNS = "tlpf-g-\(tag)"
        rxNS = "tlpf-r-\(tag)"
        gen = "tg\(tag)"
        rx = "tr\(tag)"
        try Self.ip(["netns", "add", genNS])
        do {
            try Self.ip(["netns", "add", rxNS])
            try Self.ip(["link", "add", gen, "netns", genNS, "type", "veth", "peer", "name", rx, "netns", rxNS])
            // No IPv6 link-local address: no router solicitations or DAD to spoil exact counts.
            try Self.ip(["-n", genNS, "link", "set", gen, "addrgenmode", "none"])
            try Self.ip(["-n", rxNS, "link", "set", rx, "addrgenmode", "none"])
            try Self.ip(["-n", genNS, "link", "set", gen, "up"])
            try Self.ip(["-n", rxNS, "link", "set", rx, "up"])
        } catch {
            _ = try? Self.ip(["netns", "del", genNS])
            _ = try? Self.ip(["netns", "del", rxNS])
            throw error
        }
    }

    deinit {
        _ = try? Self.ip(["netns", "del", genNS])
        _ = try? Self.ip(["netns", "del", rxNS])
    }

    var rxPath: String { "/run/netns/\(rxNS)" }
    var genPath: String { "/run/netns/\(genNS)" }

    struct CommandFailed: Error, CustomStringConvertible {
        var description: String
    }

    @discardableResult
    static func ip(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip").resolvingSymlinksInPath()
        if !FileManager.default.fileExists(atPath: p.executableURL!.path) { p.executableURL = URL(fileURLWithPath: "/sbin/ip") }
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

    /// Runs `body` on a new thread inside the receiver's namespace (attach, query, detach there).
    func inReceiverNamespace(_ body: @escaping () -> Void) throws {
        final class Box { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }
        let box = Box(body)
        let rc = tapline_run_in_netns(rxPath, { ctx in
            Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue().body()
        }, Unmanaged.passUnretained(box).toOpaque())
        withExtendedLifetime(box) {}
        if rc != 0 { throw CommandFailed(description: "setns into \(rxNS): errno \(rc)") }
    }

    /// Sends frames out of the generator end (AF_PACKET, on a thread inside its namespace).
    func send(_ frames: [[UInt8]]) throws {
        let flat = frames.flatMap { $0 }
        let lengths = frames.map { UInt32($0.count) }
        let n = tapline_netns_send_frames(genPath, gen, flat, lengths, UInt32(frames.count))
        if n != Int32(frames.count) { throw CommandFailed(description: "sent \(n) of \(frames.count) frames") }
    }
}
