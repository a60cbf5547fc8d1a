import CXDP
import Foundation
import Glibc
@testable import Prefilter
import Testing

/// The program's in-kernel cost against a bare XDP_DROP program, both timed by
/// bpf_prog_test_run_opts with `repeat` on the same frame in the same run. A proxy for the veth-lab
/// drop-rate benchmark (the ratio of rates is the inverse ratio of per-frame times). More repeats:
/// TAPLINE_PREFILTER_BENCH_REPEAT=5000000.
@Suite struct CostTests {
    /// Nanoseconds per run of `fd` on `frame`, best of 3.
    func nanosecondsPerRun(_ fd: Int32, _ frame: [UInt8], repeat count: UInt32) throws -> Double {
        var best = Double.infinity
        for _ in 0..<3 {
            var out = [UInt8](repeating: 0, count: frame.count + 256)
            var opts = bpf_test_run_opts()
            opts.sz = MemoryLayout<bpf_test_run_opts>.size
            opts.data_size_in = UInt32(frame.count)
            opts.data_size_out = UInt32(out.count)
            opts.repeat = Int32(count)
            let rc = frame.withUnsafeBytes { i in
                out.withUnsafeMutableBytes { o in
                    opts.data_in = i.baseAddress
                    opts.data_out = o.baseAddress
                    return bpf_prog_test_run_opts(fd, &opts)
                }
            }
            try #require(rc == 0)
            best = min(best, Double(opts.duration))
        }
        return best
    }

    @Test func twoHundredFiftySixRulesLastMatchingAgainstBareDrop() throws {
        guard requireRoot() else { return }
        let count = UInt32(ProcessInfo.processInfo.environment["TAPLINE_PREFILTER_BENCH_REPEAT"] ?? "") ?? 200_000
        // r0 = XDP_DROP; exit
        var insns = [bpf_insn](repeating: bpf_insn(), count: 2)
        insns[0].code = 0xb7
        insns[0].imm = 1
        insns[1].code = 0x95
        let bare = bpf_prog_load(BPF_PROG_TYPE_XDP, "tl_bare_drop", "GPL", insns, 2, nil)
        try #require(bare >= 0)
        defer { close(bare) }

        var text = ""
        for i in 0..<255 { text += "pass src 198.51.100.\(i) dport \(1000 + i)\n" }
        text += "drop proto udp dport 9\n"
        let p = try program(text)
        var f = Frame(); f.l4 = .udp(7, 9); f.payload = 22 // 64-byte frame
        #expect(f.bytes.count == 64)
        #expect(try p.rule(f) == 255)
        let bareNS = try nanosecondsPerRun(bare, f.bytes, repeat: count)
        let filterNS = try nanosecondsPerRun(p.programFD, f.bytes, repeat: count)
        let empty = try PrefilterProgram()
        let emptyNS = try nanosecondsPerRun(empty.programFD, f.bytes, repeat: count)
        try empty.install(rules("default drop"))
        let dropAllNS = try nanosecondsPerRun(empty.programFD, f.bytes, repeat: count)
        try empty.install(rules("drop proto udp dport 9"))
        let oneRuleNS = try nanosecondsPerRun(empty.programFD, f.bytes, repeat: count)
        try empty.install(rules("drop src 10.0.0.0/8 proto udp dport 9"))
        let oneTrieRuleNS = try nanosecondsPerRun(empty.programFD, f.bytes, repeat: count)
        print(String(format: "prefilter cost: no rules, default drop %.1f ns; 1 rule proto+dport %.1f ns; 1 rule src+proto+dport %.1f ns",
                     dropAllNS, oneRuleNS, oneTrieRuleNS))
        print(String(format: "prefilter cost: bare XDP_DROP %.1f ns, prefilter (no rules) %.1f ns, 256 rules last matching %.1f ns per frame; rate ratio %.2f",
                     bareNS, emptyNS, filterNS, bareNS / filterNS))
    }

    /// A call site that clang shares between two maps makes the verifier keep the generic
    /// bpf_map_lookup_elem (an indirect call, ~20 ns here) instead of inlining an array lookup or
    /// calling the map's own lookup directly. The translated program must contain no such call.
    @Test func noLookupGoesThroughTheGenericHelper() throws {
        guard requireRoot() else { return }
        var symbols: [String: UInt64] = [:]
        // procfs reports size 0, so read it line by line.
        if let file = fopen("/proc/kallsyms", "r") {
            defer { fclose(file) }
            var line: UnsafeMutablePointer<CChar>?
            var capacity = 0
            defer { free(line) }
            while getline(&line, &capacity, file) > 0, let l = line {
                let f = String(cString: l).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
                if f.count >= 3, f[2] == "bpf_map_lookup_elem" || f[2] == "__bpf_call_base" {
                    symbols[String(f[2])] = UInt64(f[0], radix: 16)
                }
            }
        }
        guard let helper = symbols["bpf_map_lookup_elem"], let base = symbols["__bpf_call_base"], helper != 0, base != 0 else {
            print("kernel symbol addresses are hidden (kernel.kptr_restrict): generic-lookup check not run")
            return
        }
        let p = try PrefilterProgram()
        var info = bpf_prog_info()
        var size = UInt32(MemoryLayout<bpf_prog_info>.size)
        try #require(bpf_obj_get_info_by_fd(p.programFD, &info, &size) == 0)
        let count = Int(info.xlated_prog_len) / MemoryLayout<bpf_insn>.size
        try #require(count > 0)
        var insns = [bpf_insn](repeating: bpf_insn(), count: count)
        let rc = insns.withUnsafeMutableBytes { buf -> Int32 in
            var again = bpf_prog_info()
            again.xlated_prog_len = UInt32(buf.count)
            again.xlated_prog_insns = UInt64(UInt(bitPattern: buf.baseAddress))
            var s = UInt32(MemoryLayout<bpf_prog_info>.size)
            return bpf_obj_get_info_by_fd(p.programFD, &again, &s)
        }
        try #require(rc == 0)
        let generic = Int32(truncatingIfNeeded: Int64(bitPattern: helper &- base))
        let calls = insns.filter { $0.code == 0x85 && $0.src_reg == 0 }
        #expect(calls.count > 0)
        #expect(calls.filter { $0.imm == generic }.count == 0, "generic bpf_map_lookup_elem calls in the program")
    }
}
