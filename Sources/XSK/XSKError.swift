#if canImport(Glibc)
import Glibc
#endif

/// Why an AF_XDP socket or its memory could not be set up.
public enum XSKError: Error, CustomStringConvertible, Sendable {
    case system(String, Int32)
    case noSuchInterface(String)
    case noSuchQueue(interface: String, queue: Int, queues: Int)
    case modeUnavailable(String)

    public var description: String {
        switch self {
        case .system(let what, let e):
            var text = "\(what): \(String(cString: strerror(e))) (errno \(e))"
            if e == ENOBUFS || e == ENOMEM {
                text += "; without CAP_IPC_LOCK the UMEM counts against 'ulimit -l' (run as root or raise it)"
            } else if e == EPERM {
                text += "; AF_XDP needs CAP_NET_ADMIN and CAP_BPF (run as root)"
            } else if e == EBUSY {
                text += "; another AF_XDP socket is bound to this queue"
            }
            return text
        case .noSuchInterface(let i): return "no network interface '\(i)' in this network namespace"
        case .noSuchQueue(let i, let q, let n): return "\(i) has \(n) RX queue\(n == 1 ? "" : "s"); queue \(q) does not exist"
        case .modeUnavailable(let s): return s
        }
    }
}
