#if canImport(Glibc)
import Glibc
#endif
import CShims

/// A dedicated OS thread, optionally pinned to one CPU: the packet path never runs on the Swift
/// concurrency pool. `join()` waits for it; a thread is joined exactly once.
public final class PinnedThread: @unchecked Sendable {
    // @unchecked Sendable: `handle` is written once before `start` returns and read by `join`.
    private var handle = pthread_t()
    private var joined = false
    /// The CPU asked for, and the pinning result (0 or errno) as seen by the thread itself.
    public let cpu: Int?

    private final class Context {
        let body: () -> Void
        let cpu: Int?
        let name: String
        init(body: @escaping () -> Void, cpu: Int?, name: String) {
            self.body = body; self.cpu = cpu; self.name = name
        }
    }

    /// Starts `body` on a new thread named `name` (at most 15 bytes are kept), pinned to `cpu` if given.
    public init(name: String, cpu: Int?, body: @escaping @Sendable () -> Void) throws(SystemCallError) {
        self.cpu = cpu
        let context = Unmanaged.passRetained(Context(body: body, cpu: cpu, name: name)).toOpaque()
        let rc = pthread_create(&handle, nil, { raw in
            let ctx = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
            _ = ctx.name.withCString { tapline_set_thread_name($0) }
            if let cpu = ctx.cpu { _ = tapline_pin_current_thread(Int32(cpu)) }
            ctx.body()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<Context>.fromOpaque(context).release()
            throw SystemCallError(operation: "pthread_create", errno: rc)
        }
    }

    /// Waits for the thread to finish.
    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(handle, nil)
    }

    deinit { join() }
}

/// A failed system call with its errno.
public struct SystemCallError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var errno: Int32
    public init(operation: String, errno: Int32) { self.operation = operation; self.errno = errno }
    public var description: String { "\(operation): \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// CPUs this process may use, and a default pinning plan for workers.
public enum CPUPlan {
    /// Number of CPUs in this process's affinity mask (at least 1).
    public static var allowedCount: Int { max(1, Int(tapline_allowed_cpu_count())) }

    /// Allowed CPU ids, in order.
    public static var allowed: [Int] {
        let n = Int(sysconf(Int32(_SC_NPROCESSORS_CONF)))
        return (0..<max(n, 1)).filter { tapline_cpu_allowed(Int32($0)) == 1 }
    }

    /// CPU for worker `i` of `count`: round robin over the allowed CPUs, starting after the first
    /// (left to the reader thread) when there are more CPUs than workers.
    public static func defaultCPU(worker i: Int, of count: Int) -> Int {
        let cpus = allowed
        guard !cpus.isEmpty else { return 0 }
        let start = cpus.count > 1 ? 1 : 0
        return cpus[(start + i) % cpus.count]
    }
}
