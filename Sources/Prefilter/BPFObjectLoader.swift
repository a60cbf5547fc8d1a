import CPrefilter
import CXDP
import Glibc

/// Where opening and loading a compiled BPF object failed; each user turns it into its own error.
public enum BPFObjectLoadFailure: Error, Sendable {
    /// bpf_object__open_mem refused the bytes (errno).
    case open(errno: Int32)
    /// The object's `.rodata` is not exactly the configuration struct the loader writes.
    case rodata
    /// The caller's set-up before the load (map sizes, …) returned this code.
    case configure(code: Int32, what: String)
    /// bpf_object__load (the verifier, or permissions) returned this code.
    case load(code: Int32)
}

/// Opens the BPF object in `bytes`, lets `configure` adjust it (map sizes), writes `config` over
/// its `.rodata` (the `volatile const` settings the verifier then freezes), and loads it. The caller owns the returned object (`bpf_object__close`); on failure
/// nothing is left open. libbpf reads the bytes until the load ends, so they are kept in a buffer
/// of this function's until then.
public func loadBPFObject<Config: BitwiseCopyable>(
    _ bytes: [UInt8], name: String? = nil, config: Config,
    configure: (OpaquePointer) -> (code: Int32, what: String) = { _ in (0, "") }
) throws(BPFObjectLoadFailure) -> OpaquePointer {
    var opts = bpf_object_open_opts()
    zeroFill(&opts)
    opts.sz = MemoryLayout<bpf_object_open_opts>.size
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 8)
    defer { buffer.deallocate() }
    bytes.withUnsafeBytes { if let b = $0.baseAddress { buffer.copyMemory(from: b, byteCount: bytes.count) } }
    let cname = name.map { strdup($0) } ?? nil
    defer { free(cname) }
    opts.object_name = UnsafePointer(cname)
    guard let obj = bpf_object__open_mem(buffer, bytes.count, &opts) else { throw .open(errno: errno) }
    let (code, what) = configure(obj)
    if code != 0 {
        bpf_object__close(obj)
        throw .configure(code: code, what: what)
    }
    var written = false
    var map = bpf_object__next_map(obj, nil)
    while let m = map {
        if String(cString: bpf_map__name(m)).hasSuffix(".rodata") {
            var size = 0
            if let p = bpf_map__initial_value(m, &size), size == MemoryLayout<Config>.size {
                UnsafeMutableRawPointer(mutating: p).storeBytes(of: config, as: Config.self)
                written = true
            }
        }
        map = bpf_object__next_map(obj, m)
    }
    guard written else {
        bpf_object__close(obj)
        throw .rodata
    }
    let rc = bpf_object__load(obj)
    if rc != 0 {
        bpf_object__close(obj)
        throw .load(code: rc)
    }
    return obj
}
