import Glibc

/// Why loading, configuring or attaching the prefilter failed. Each case says what to do.
public enum PrefilterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The compiled BPF object is not where the build put it.
    case objectMissing(String)
    /// A libbpf or bpf(2) call failed.
    case system(operation: String, errno: Int32)
    /// Loading BPF programs or attaching XDP needs CAP_BPF and CAP_NET_ADMIN (or root).
    case permissionDenied(operation: String)
    case noSuchInterface(String)
    /// Another XDP program is on the interface; `--force` replaces it.
    case otherProgramAttached(interface: String, program: String, id: UInt32)
    /// No prefilter's maps are pinned for this interface.
    case notAttached(interface: String, directory: String)
    /// The BPF filesystem is not mounted at /sys/fs/bpf.
    case bpffsMissing(String)

    public var description: String {
        switch self {
        case .objectMissing(let why):
            return "the compiled prefilter (prefilter.bpfobj) is missing: \(why); rebuild with swift build"
        case .system(let op, let e):
            return "\(op) failed: \(String(cString: strerror(e))) (errno \(e))"
        case .permissionDenied(let op):
            return "\(op): permission denied; loading XDP programs needs root or CAP_BPF and CAP_NET_ADMIN"
        case .noSuchInterface(let name):
            return "no network interface named '\(name)' (see ip link)"
        case .otherProgramAttached(let i, let p, let id):
            return "interface \(i) already has an XDP program ('\(p)', id \(id)); refusing to replace it. "
                + "Use --force to replace it, or 'tapline detach -i \(i)' if it is a left-over tapline prefilter"
        case .notAttached(let i, let d):
            return "no tapline prefilter is attached to \(i) (nothing pinned in \(d))"
        case .bpffsMissing(let path):
            return "the BPF filesystem is not mounted at \(path): mount -t bpf bpf /sys/fs/bpf"
        }
    }

    /// The error for a failed call that set errno (or returned a negative errno).
    static func from(_ operation: String, _ code: Int32) -> PrefilterError {
        let e = code < 0 ? -code : code
        if e == EPERM || e == EACCES { return .permissionDenied(operation: operation) }
        return .system(operation: operation, errno: e)
    }
}
