#if canImport(Glibc)
import Glibc
#endif

/// A system call that failed: the operation, the path, and errno.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var path: String
    public var errno: Int32

    public init(_ operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// An append-only file written through a fixed buffer with `write(2)`, retrying EINTR and short writes.
/// `close()` flushes; a file that could not be flushed reports it instead of staying silently short.
public final class FileSink {
    public let path: String
    private var fd: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    /// Bytes handed to the kernel so far.
    public private(set) var bytesWritten: UInt64 = 0

    /// Opens (creates or truncates) `path`; "-" is standard output.
    public init(path: String, bufferSize: Int = 1 << 20) throws(SystemError) {
        self.path = path
        if path == "-" {
            fd = 1
        } else {
            let f = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if f < 0 { throw SystemError("open", path: path, errno: errno) }
            fd = f
        }
        buffer = .allocate(byteCount: bufferSize, alignment: 64)
    }

    deinit {
        if fd >= 0 { _ = try? close() }
        buffer.deallocate()
    }

    /// Appends bytes, flushing when the buffer fills.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        if bytes.count > buffer.count - used {
            try flush()
            if bytes.count > buffer.count {
                try writeAll(bytes)
                return
            }
        }
        if bytes.isEmpty { return }
        (buffer.baseAddress! + used).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        used += bytes.count
    }

    /// Appends the bytes of an array.
    public func write(_ bytes: [UInt8]) throws(SystemError) {
        var result: Result<Void, SystemError> = .success(())
        bytes.withUnsafeBytes { raw in
            do throws(SystemError) { try self.write(raw) } catch { result = .failure(error) }
        }
        try result.get()
    }

    /// Lets `body` write up to `room` bytes straight into the buffer; `body` returns how many it wrote.
    public func withRoom(_ room: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) throws(SystemError) {
        precondition(room <= buffer.count, "FileSink buffer smaller than one write")
        if buffer.count - used < room { try flush() }
        let n = body((buffer.baseAddress! + used).assumingMemoryBound(to: UInt8.self))
        precondition(n <= room)
        used += n
    }

    /// Hands buffered bytes to the kernel.
    public func flush() throws(SystemError) {
        if used == 0 { return }
        let pending = UnsafeRawBufferPointer(rebasing: buffer[0..<used])
        used = 0
        try writeAll(pending)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write", path: path, errno: errno)
            }
            done += n
            bytesWritten += UInt64(n)
        }
    }

    /// Flushes and closes. Safe to call twice.
    public func close() throws(SystemError) {
        guard fd >= 0 else { return }
        defer {
            if fd > 2 { _ = Glibc.close(fd) }
            fd = -1
        }
        try flush()
    }
}
