#if canImport(Glibc)
import Glibc
#endif

/// A numeric host and port (no name resolution: collectors are given by address).
public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) { self.host = host; self.port = port }

    /// Parses `HOST:PORT` or `[V6]:PORT`.
    public init?(_ text: Substring) {
        guard let colon = text.lastIndex(of: ":"), let p = UInt16(text[text.index(after: colon)...]) else { return nil }
        var h = text[..<colon]
        if h.hasPrefix("[") && h.hasSuffix("]") { h = h.dropFirst().dropLast() }
        guard !h.isEmpty else { return nil }
        host = String(h); port = p
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// A connected socket (UDP or TCP) to this endpoint; throws the errno of the failing call.
    func connectedSocket(tcp: Bool, sendTimeoutMs: Int = 1000) throws(SocketError) -> Int32 {
        var v4 = sockaddr_in(), v6 = sockaddr_in6()
        let isV6 = host.contains(":")
        let ok = host.withCString { s in
            isV6 ? inet_pton(AF_INET6, s, &v6.sin6_addr) : inet_pton(AF_INET, s, &v4.sin_addr)
        }
        guard ok == 1 else { throw SocketError(operation: "address \(host)", errno: EINVAL) }
        let type = Int32(tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(isV6 ? AF_INET6 : AF_INET, type, 0)
        if fd < 0 { throw SocketError(operation: "socket", errno: errno) }
        var tv = timeval(tv_sec: sendTimeoutMs / 1000, tv_usec: (sendTimeoutMs % 1000) * 1000)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc: Int32
        if isV6 {
            v6.sin6_family = sa_family_t(AF_INET6); v6.sin6_port = port.bigEndian
            rc = withUnsafePointer(to: &v6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            v4.sin_family = sa_family_t(AF_INET); v4.sin_port = port.bigEndian
            rc = withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        if rc != 0 {
            let e = errno
            Glibc.close(fd)
            throw SocketError(operation: "connect \(description)", errno: e)
        }
        return fd
    }
}

/// A socket call that failed.
public struct SocketError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var errno: Int32
    public var description: String { "\(operation): \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// Sends all bytes (a TCP stream may take them in parts); MSG_NOSIGNAL so a closed peer is an error, not SIGPIPE.
func sendAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SocketError) {
    var done = 0
    while done < bytes.count {
        let n = send(fd, bytes.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL))
        if n < 0 {
            if errno == EINTR { continue }
            throw SocketError(operation: "send", errno: errno)
        }
        done += n
    }
}

/// Wall-clock and monotonic time for control code.
enum Now {
    static func epochSeconds() -> UInt32 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt32(truncatingIfNeeded: ts.tv_sec)
    }
    static func monotonicNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
