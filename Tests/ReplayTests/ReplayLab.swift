import CPrefilter
import Foundation
import Glibc
import Testing

/// Two network namespaces made for one test and a veth pair between them: `tapline replay`'s
/// engine transmits on `gen` (in `genNS`); `rx` (in `rxNS`) runs a native XDP program, without
/// which frames sent by AF_XDP on a veth never reach the peer. Nothing is routed; nothing leaves
/// the pair. Both namespaces are deleted in `deinit`, also when the test fails.
final class ReplayLab: Sendable {
    let genNS: String
    let rxNS: String
    let gen: String
    let rx: String

    init() throws {
        let tag = String(getpid() % 100_000, radix: 36) + String(UInt32.random(in: 0..<UInt32.max) % 1_000_000, radix: 36)
        genNS = "tlrp-g-\(tag)"
        rxNS = "tlrp-r-\(tag)"
        gen = "rg\(tag)"
        rx = "rr\(tag)"
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

    /// Runs `body` on a new thread inside namespace `path` (threads it starts are there too).
    static func inNamespace(_ path: String, _ body: @escaping () -> Void) throws {
        final class Box { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }
        let box = Box(body)
        let rc = tapline_run_in_netns(path, { ctx in
            Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue().body()
        }, Unmanaged.passUnretained(box).toOpaque())
        withExtendedLifetime(box) {}
        if rc != 0 { throw CommandFailed(description: "setns into \(path): errno \(rc)") }
    }
}
