import CNUMA
#if canImport(Glibc)
import Glibc
#endif

/// The memory behind a UMEM: page-aligned, placed on one NUMA node when the node is known and
/// libnuma works, in 2 MiB hugepages when the system has them free, else in normal pages.
/// Every page is touched once at creation so it is resident (and on its node) before traffic.
public final class FrameArea: @unchecked Sendable {
    // @unchecked Sendable: the memory is shared by design (the kernel and the threads that own
    // its frames); the class itself is immutable after init.
    public let base: UnsafeMutableRawPointer
    public let byteCount: Int
    /// Whether the area is in hugepages.
    public let hugePages: Bool
    /// The node the pages were bound to, nil when not bound (node unknown or no NUMA support).
    public let node: Int?
    /// One line for the log: what memory this is and why.
    public let description: String

    static let hugePageSize = 2 << 20

    /// Allocates `byteCount` bytes (rounded up to whole pages) near `node`.
    public init(byteCount requested: Int, node wanted: Int?, allowHugePages: Bool = true) throws(XSKError) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var size = (requested + page - 1) / page * page
        var p: UnsafeMutableRawPointer?
        var huge = false
        var why: String
        if allowHugePages {
            let hugeSize = (requested + Self.hugePageSize - 1) / Self.hugePageSize * Self.hugePageSize
            let m = mmap(nil, hugeSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0)
            if let m, m != MAP_FAILED {
                p = m; size = hugeSize; huge = true
                why = "2 MiB hugepages"
            } else {
                why = "normal pages (no free 2 MiB hugepages: \(String(cString: strerror(errno))); "
                    + "reserve some with sysctl vm.nr_hugepages)"
            }
        } else {
            why = "normal pages (hugepages not asked for)"
        }
        if p == nil {
            let m = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let m, m != MAP_FAILED else { throw .system("mmap of \(size) bytes for the UMEM", errno) }
            p = m
        }
        base = p!
        byteCount = size
        hugePages = huge
        var boundNode: Int?
        if let wanted {
            if numa_available() >= 0 && wanted <= numa_max_node() {
                numa_tonode_memory(base, size, Int32(wanted))
                boundNode = wanted
                why += " on NUMA node \(wanted)"
            } else {
                why += "; NUMA node \(wanted) asked for, but libnuma reports no such node: not bound"
            }
        } else {
            why += "; the interface's NUMA node is unknown: pages are placed where the ingest thread first touches them"
        }
        node = boundNode
        description = "\(size >> 20) MiB in " + why
        // Bound memory is faulted in now (on its node), not on the first packets; unbound memory
        // is left for the ingest thread to touch (`touchPages`), so it lands on that thread's node.
        if boundNode != nil { memset(base, 0, size) }
    }

    /// Faults every page in from the calling thread (first touch places a page on its node).
    public func touchPages() {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var off = 0
        while off < byteCount {
            (base + off).storeBytes(of: 0, as: UInt8.self)
            off += page
        }
    }

    deinit { munmap(base, byteCount) }
}
