import Foundation

/// Paths and processes for the output tests.
enum Support {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var tapline: String { packageRoot.appendingPathComponent(".build/debug/tapline").path }

    static func tempDir(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tapline-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func has(_ tool: String) -> Bool {
        ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + tool) }
    }

    /// Runs a program to its end; returns (status, stdout, stderr).
    @discardableResult
    static func run(_ exe: String, _ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe.hasPrefix("/") ? exe : "/usr/bin/env")
        p.arguments = exe.hasPrefix("/") ? args : [exe] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// A free loopback port (bound to 0, read, released).
    static func freePort(udp: Bool = false) -> UInt16 {
        let fd = socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in(); a.sin_family = sa_family_t(AF_INET); a.sin_addr.s_addr = inet_addr("127.0.0.1"); a.sin_port = 0
        _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return UInt16(bigEndian: a.sin_port)
    }

    /// A synth capture file (mix profile) and its path.
    static func synth(in dir: URL, flows: Int = 200, packets: Int = 4000, name: String = "mix.pcap", profile: String = "mix") throws -> String {
        let path = dir.appendingPathComponent(name).path
        let (st, _, err) = try run(tapline, ["synth", "-o", path, "--flows", "\(flows)", "--packets", "\(packets)", "--profile", profile])
        guard st == 0 else { throw NSError(domain: "synth", code: Int(st), userInfo: [NSLocalizedDescriptionKey: err]) }
        return path
    }

    /// NDJSON records as dictionaries.
    static func ndjson(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// Starts a program with an empty signal mask and default handlers (the test process blocks
    /// signals in its threads, and Foundation's Process passes that mask on, so a child would
    /// never see SIGTERM). Output goes to `log` (or /dev/null).
    static func spawn(_ exe: String, _ args: [String], log: String = "/dev/null") throws -> Child {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t(); sigemptyset(&empty)
        var all = sigset_t(); sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([exe] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &actions, &attr, argv, environ)
        guard rc == 0 else { throw NSError(domain: "spawn", code: Int(rc)) }
        return Child(pid: pid)
    }
}

/// A child process started by `Support.spawn`; `stop` signals it and reaps it (also from deinit).
final class Child {
    let pid: pid_t
    private var reaped = false
    init(pid: pid_t) { self.pid = pid }

    /// Sends `signal`, waits up to `timeout` seconds, then SIGKILL. Returns the wait status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM, timeout: Double = 10) -> Int32 {
        guard !reaped else { return 0 }
        kill(pid, signal)
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { kill(pid, SIGKILL); waitpid(pid, &status, 0); break }
            usleep(20_000)
        }
        reaped = true
        return status
    }

    deinit { stop(SIGKILL, timeout: 2) }
}
