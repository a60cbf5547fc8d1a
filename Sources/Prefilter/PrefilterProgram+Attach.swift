import CPrefilter
import CXDP
import Glibc

/// How to attach: native (driver) XDP, generic (SKB) XDP, or native with a fallback to generic.
public enum AttachMode: String, CaseIterable, Sendable {
    case auto, native, generic
}

/// Where and how the prefilter is attached.
public struct PrefilterAttachment: Equatable, Sendable {
    public var interface: String
    public var interfaceIndex: UInt32
    /// `.native` or `.generic`: the mode in use.
    public var mode: AttachMode
    /// Said when the mode is not the one asked for (native failed, generic used).
    public var notice: String?
    /// Where the maps are pinned for `prefilter stats` and `detach`.
    public var pinDirectory: String
    /// Set when `force` removed another program first.
    public var replaced: String?
}

extension PrefilterProgram {
    /// Attaches through a BPF link (the kernel detaches it when this process ends, however it
    /// ends) and pins the maps under `pinRoot/<interface>/`. Refuses when another XDP program is
    /// on the interface unless `force`. Call it on a thread in the interface's network namespace.
    public func attach(interface: String, mode: AttachMode = .auto, force: Bool = false) throws(PrefilterError) -> PrefilterAttachment {
        precondition(linkFD < 0, "attach once")
        let index = if_nametoindex(interface)
        guard index != 0 else { throw .noSuchInterface(interface) }
        var replaced: String?
        if let other = try Self.attachedProgram(index) {
            guard force else { throw .otherProgramAttached(interface: interface, program: other.name, id: other.id) }
            let flags = other.mode == UInt8(XDP_ATTACHED_SKB) ? UInt32(XDP_FLAGS_SKB_MODE) : UInt32(XDP_FLAGS_DRV_MODE)
            let rc = bpf_xdp_detach(Int32(index), flags, nil)
            if rc != 0 { throw .from("removing XDP program '\(other.name)' (id \(other.id)) from \(interface)", rc) }
            replaced = "\(other.name) (id \(other.id))"
        }

        var notice: String?
        var used = mode
        func link(_ flags: UInt32) -> Int32 {
            var opts = bpf_link_create_opts()
            zeroFill(&opts)
            opts.sz = MemoryLayout<bpf_link_create_opts>.size
            opts.flags = flags
            let fd = bpf_link_create(programFD, Int32(index), BPF_XDP, &opts)
            return fd < 0 ? -errno : fd
        }
        var fd: Int32
        switch mode {
        case .native:
            fd = link(UInt32(XDP_FLAGS_DRV_MODE))
        case .generic:
            fd = link(UInt32(XDP_FLAGS_SKB_MODE))
        case .auto:
            fd = link(UInt32(XDP_FLAGS_DRV_MODE))
            used = .native
            if fd < 0, fd != -EPERM {
                let why = String(cString: strerror(-fd))
                fd = link(UInt32(XDP_FLAGS_SKB_MODE))
                used = .generic
                notice = "native XDP is not available on \(interface) (\(why)); using generic (SKB) mode, which is slower"
            }
        }
        if fd < 0 { throw .from("attaching XDP (\(used.rawValue)) to \(interface)", fd) }
        linkFD = fd

        let directory = "\(Self.pinRoot)/\(interface)"
        do {
            try pinMaps(directory)
        } catch {
            detach()
            throw error
        }
        let a = PrefilterAttachment(interface: interface, interfaceIndex: index, mode: used, notice: notice,
                           pinDirectory: directory, replaced: replaced)
        attachment = a
        return a
    }

    /// Puts the AF_XDP socket of RX queue `queue` in the program's XSK map: `capture` redirects
    /// that queue's frames to it.
    public func setSocket(queue: UInt32, socketFD: Int32) throws(PrefilterError) {
        try MapAccess.update(xsksFD, queue, UInt32(bitPattern: socketFD), "the AF_XDP socket map")
    }

    /// Takes queue `queue`'s socket out of the XSK map (its captures then fall back).
    public func removeSocket(queue: UInt32) {
        _ = MapAccess.delete(xsksFD, queue)
    }

    /// Detaches (closing the link) and removes the pins. Safe to call more than once.
    public func detach() {
        if linkFD >= 0 {
            close(linkFD)
            linkFD = -1
        }
        if let d = pinDirectory {
            Self.removePins(d)
            pinDirectory = nil
        }
        attachment = nil
    }

    /// The names under which maps are pinned, with their fds.
    var pinnedMaps: [(String, Int32)] {
        [("counters", countersFD), ("control", controlFD), ("shunt", shuntFD), ("set_info", setInfoFD),
         ("rules", rulesFD), ("xsks", xsksFD)]
    }

    func pinMaps(_ directory: String) throws(PrefilterError) {
        try Self.ensureBPFFilesystem()
        mkdir(Self.pinRoot, 0o700)
        Self.removePins(directory) // left by a process that crashed; its link died with it
        if mkdir(directory, 0o700) != 0 && errno != EEXIST { throw .from("creating \(directory)", errno) }
        pinDirectory = directory
        for (name, fd) in pinnedMaps {
            let rc = bpf_obj_pin(fd, "\(directory)/\(name)")
            if rc != 0 { throw .from("pinning \(directory)/\(name)", rc) }
        }
    }

    /// Mounts the BPF filesystem at /sys/fs/bpf when it is not there (as bpftool does).
    static func ensureBPFFilesystem() throws(PrefilterError) {
        func mounted() -> Bool {
            var st = statfs()
            return statfs("/sys/fs/bpf", &st) == 0 && UInt32(truncatingIfNeeded: st.f_type) == 0xCAFE_4A11 // BPF_FS_MAGIC
        }
        if mounted() { return }
        if mount("bpf", "/sys/fs/bpf", "bpf", 0, nil) != 0 || !mounted() { throw .bpffsMissing("/sys/fs/bpf") }
    }

    static func removePins(_ directory: String) {
        for name in ["counters", "control", "shunt", "set_info", "rules", "xsks"] {
            unlink("\(directory)/\(name)")
        }
        rmdir(directory)
    }

    /// The XDP program on an interface, if any.
    static func attachedProgram(_ index: UInt32) throws(PrefilterError) -> (id: UInt32, name: String, mode: UInt8)? {
        var q = bpf_xdp_query_opts()
        zeroFill(&q)
        q.sz = MemoryLayout<bpf_xdp_query_opts>.size
        let rc = bpf_xdp_query(Int32(index), 0, &q)
        if rc != 0 { throw .from("querying XDP on interface \(index)", rc) }
        guard q.prog_id != 0 else { return nil }
        return (q.prog_id, programName(q.prog_id), q.attach_mode)
    }

    static func programName(_ id: UInt32) -> String {
        let fd = bpf_prog_get_fd_by_id(id)
        guard fd >= 0 else { return "?" }
        defer { close(fd) }
        var info = bpf_prog_info()
        var len = UInt32(MemoryLayout<bpf_prog_info>.size)
        guard bpf_obj_get_info_by_fd(fd, &info, &len) == 0 else { return "?" }
        return withUnsafeBytes(of: info.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// Removes a tapline prefilter from `interface`: its XDP link (even one whose process still
    /// runs), a netlink-attached one, and the pinned maps. Leaves other programs alone.
    /// Returns what it did, one line each.
    public static func detachLeftover(interface: String) throws(PrefilterError) -> [String] {
        let index = if_nametoindex(interface)
        guard index != 0 else { throw .noSuchInterface(interface) }
        var done: [String] = []
        // XDP links on this interface whose program is ours.
        var id: UInt32 = 0
        while bpf_link_get_next_id(id, &id) == 0 {
            let fd = bpf_link_get_fd_by_id(id)
            if fd < 0 { continue }
            defer { close(fd) }
            var info = bpf_link_info()
            var len = UInt32(MemoryLayout<bpf_link_info>.size)
            guard bpf_obj_get_info_by_fd(fd, &info, &len) == 0, info.type == BPF_LINK_TYPE_XDP.rawValue,
                  info.xdp.ifindex == index, programName(info.prog_id) == kernelName else { continue }
            let rc = bpf_link_detach(fd)
            if rc != 0 { throw .from("detaching XDP link \(id) from \(interface)", rc) }
            done.append("detached XDP link \(id) (program \(info.prog_id)) from \(interface)")
        }
        if let p = try attachedProgram(index) {
            if p.name == kernelName {
                let flags = p.mode == UInt8(XDP_ATTACHED_SKB) ? UInt32(XDP_FLAGS_SKB_MODE) : UInt32(XDP_FLAGS_DRV_MODE)
                let rc = bpf_xdp_detach(Int32(index), flags, nil)
                if rc != 0 { throw .from("detaching XDP program \(p.id) from \(interface)", rc) }
                done.append("detached XDP program \(p.id) from \(interface)")
            } else {
                done.append("left '\(p.name)' (id \(p.id)) on \(interface): not a tapline prefilter")
            }
        }
        let directory = "\(pinRoot)/\(interface)"
        if access(directory, F_OK) == 0 {
            removePins(directory)
            done.append("removed pinned maps in \(directory)")
        }
        return done
    }

    /// The counters of the prefilter attached to `interface` (possibly by another process),
    /// read through its pinned maps.
    public static func pinnedCounters(interface: String) throws(PrefilterError) -> PrefilterCounters {
        let directory = "\(pinRoot)/\(interface)"
        let c = bpf_obj_get("\(directory)/counters")
        if c < 0 {
            let e = errno
            if e == ENOENT {
                throw .notAttached(interface: interface, directory: directory)
            }
            throw .from("opening \(directory)/counters", e)
        }
        defer { close(c) }
        let k = bpf_obj_get("\(directory)/control")
        if k < 0 { throw .from("opening \(directory)/control", errno) }
        defer { close(k) }
        return MapAccess.counters(countersFD: c, controlFD: k)
    }
}
