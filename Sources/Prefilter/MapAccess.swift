import CPrefilter
import CXDP
import Glibc

/// Small typed wrappers over bpf(2) map calls; each failure becomes a `PrefilterError`.
enum MapAccess {
    static func update<K: BitwiseCopyable, V: BitwiseCopyable>(_ fd: Int32, _ key: K, _ value: V,
                                                               _ what: String) throws(PrefilterError) {
        var k = key
        var v = value
        let rc = withUnsafeBytes(of: &k) { kp in
            withUnsafeBytes(of: &v) { vp in bpf_map_update_elem(fd, kp.baseAddress, vp.baseAddress, UInt64(BPF_ANY)) }
        }
        if rc != 0 { throw .from("updating \(what)", rc) }
    }

    static func lookup<K: BitwiseCopyable, V: BitwiseCopyable>(_ fd: Int32, _ key: K, as: V.Type) -> V? {
        var k = key
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(8, MemoryLayout<V>.size), alignment: 8)
        defer { raw.deallocate() }
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<V>.size)
        let rc = withUnsafeBytes(of: &k) { bpf_map_lookup_elem(fd, $0.baseAddress, raw) }
        return rc == 0 ? raw.load(as: V.self) : nil
    }

    static func delete<K: BitwiseCopyable>(_ fd: Int32, _ key: K) -> Bool {
        var k = key
        return withUnsafeBytes(of: &k) { bpf_map_delete_elem(fd, $0.baseAddress) } == 0
    }

    /// Writes `values[i]` at key `base + i` of an array map in one call.
    static func updateArray<V>(_ fd: Int32, base: UInt32, _ values: [V], _ what: String) throws(PrefilterError) {
        var keys = (0..<UInt32(values.count)).map { base + $0 }
        var count = UInt32(values.count)
        var opts = bpf_map_batch_opts()
        zeroFill(&opts)
        opts.sz = MemoryLayout<bpf_map_batch_opts>.size
        let rc = keys.withUnsafeMutableBytes { k in
            values.withUnsafeBytes { v in
                bpf_map_update_batch(fd, k.baseAddress, v.baseAddress, &count, &opts)
            }
        }
        if rc != 0 { throw .from("updating \(what)", rc) }
    }

    static var possibleCPUs: Int { Int(max(1, libbpf_num_possible_cpus())) }

    /// Every slot of the per-CPU counter array, summed over CPUs.
    static func counterSlots(_ fd: Int32) -> [PacketCount] {
        let cpus = possibleCPUs
        var values = [tl_counter](repeating: tl_counter(), count: cpus)
        var out = [PacketCount](repeating: PacketCount(), count: PrefilterCounters.slots)
        for i in 0..<PrefilterCounters.slots {
            var key = UInt32(i)
            guard bpf_map_lookup_elem(fd, &key, &values) == 0 else { continue }
            var sum = PacketCount()
            for v in values { sum = sum + PacketCount(packets: v.packets, bytes: v.bytes) }
            out[i] = sum
        }
        return out
    }

    /// Zeroes counter slots `range` on every CPU.
    static func zeroCounters(_ fd: Int32, _ range: Range<Int>) throws(PrefilterError) {
        let zeros = [tl_counter](repeating: tl_counter(), count: possibleCPUs)
        for i in range {
            var key = UInt32(i)
            let rc = zeros.withUnsafeBytes { bpf_map_update_elem(fd, &key, $0.baseAddress, UInt64(BPF_ANY)) }
            if rc != 0 { throw .from("zeroing counters", rc) }
        }
    }

    static func counters(countersFD: Int32, controlFD: Int32) -> PrefilterCounters {
        let control = lookup(controlFD, UInt32(0), as: tl_control.self) ?? tl_control()
        return PrefilterCounters(slots: counterSlots(countersFD), control: control)
    }
}

/// Zeroes every byte of a libbpf options struct in place, padding included (set `sz` after):
/// libbpf refuses options whose bytes past the fields it knows are not zero, and a Swift
/// initializer zeroes the fields but not necessarily the padding (optimized builds leave it).
@inline(__always)
public func zeroFill<T>(_ value: inout T) {
    withUnsafeMutableBytes(of: &value) { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
}
