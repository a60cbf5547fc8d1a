import CPrefilter
import CXDP
import Foundation
import Glibc

/// Load-time settings of the program (its `.rodata`, frozen by the verifier).
public struct PrefilterConfig: Equatable, Sendable {
    /// What happens to truncated or malformed frames (`sample` behaves as `capture`).
    public var malformedAction: RuleAction = .pass
    /// When `capture` finds no AF_XDP socket on the queue: pass the frame (true) or drop it.
    public var passWhenNoSocket = true
    /// Write `tl_xdp_meta` (flow hash, rule, action) in front of passed and captured frames.
    public var writeMetadata = true
    public init() {}
}

/// The result of running the program once on a frame (`bpf_prog_test_run_opts`).
public struct TestRunResult: Sendable {
    /// XDP_DROP (1), XDP_PASS (2), XDP_REDIRECT (4) …
    public var verdict: UInt32
    /// The metadata the program wrote, if any.
    public var metadata: FrameMetadata?
    /// The frame as the program left it (without the metadata).
    public var frame: [UInt8]
}

/// What the program writes in front of a passed or captured frame (`struct tl_xdp_meta`).
public struct FrameMetadata: Equatable, Sendable {
    /// `FlowHash.symmetric(src, dst, proto)`: the same value userspace computes; 0 for non-IP.
    public var flowHash: UInt64
    /// The rule that decided; `RuleSet.maxRules` = default action, `maxRules + 1` = malformed frame.
    public var rule: Int
    /// 0 drop, 1 pass, 2 capture (sample resolves to capture or drop).
    public var action: UInt8
    public var isIPv6: Bool
    public var isFragment: Bool
    public var hasPorts: Bool
    /// Whether the magic word says a tapline prefilter wrote it.
    public var isValid: Bool

    init(_ m: tl_xdp_meta) {
        flowHash = m.flow_hash
        rule = Int(m.rule)
        action = m.action
        isIPv6 = m.flags & UInt8(TL_META_IPV6) != 0
        isFragment = m.flags & UInt8(TL_META_FRAGMENT) != 0
        hasPorts = m.flags & UInt8(TL_META_HAS_PORTS) != 0
        isValid = m.magic == TL_META_MAGIC
    }
}

/// The XDP prefilter loaded into the kernel: rules, counters, shunts, attach and detach.
/// Frees every kernel resource (link, pins, maps, program) in `deinit`.
public final class PrefilterProgram {
    /// The name the kernel shows (15 characters of `tapline_prefilter`).
    public static let kernelName = "tapline_prefilt"
    /// Where maps of an attached prefilter are pinned: `<root>/<interface>/`.
    public static let pinRoot = "/sys/fs/bpf/tapline"

    let object: OpaquePointer
    public let programFD: Int32
    let controlFD, setInfoFD, rulesFD, addrFD, addr4FD, addr6FD, addrBaseFD, addrFilterFD, protoFD, sportFD, dportFD, vlanFD: Int32
    let shuntFD, countersFD, xsksFD, fenceFD: Int32
    var fenceInnerFD: Int32 = -1
    var activeSet: UInt32 = 0
    var generation: UInt32 = 0
    /// Whether the shunt table may hold entries (the program skips its lookup otherwise).
    var shuntsEnabled = false
    /// The rule set in force (after `install`).
    public private(set) var rules = RuleSet()
    /// Rule counts of sets overwritten by reloads: slot sums kept so nothing is lost.
    public private(set) var retiredRuleCounts: [PacketCount] = []
    var linkFD: Int32 = -1
    var pinDirectory: String?
    public internal(set) var attachment: PrefilterAttachment?

    /// Loads the program (not attached) with `config`, and installs an empty rule set (default pass).
    public init(config: PrefilterConfig = PrefilterConfig()) throws(PrefilterError) {
        let bytes = try Self.objectBytes()
        var cfg = tl_config()
        cfg.malformed_action = Self.kernelAction(config.malformedAction)
        cfg.redirect_fallback = config.passWhenNoSocket ? XDP_PASS.rawValue : XDP_DROP.rawValue
        cfg.write_meta = config.writeMetadata ? 1 : 0
        let obj: OpaquePointer
        do {
            obj = try loadBPFObject(bytes, name: "tapline_prefilter", config: cfg)
        } catch {
            switch error {
            case .open(let e): throw .from("opening the BPF object", e)
            case .rodata: throw .objectMissing(".rodata of the object is not exactly struct tl_config")
            case .configure(let code, let what): throw .from(what, code)
            case .load(let code): throw .from("loading the XDP program (verifier or permissions)", code)
            }
        }
        func fd(_ name: String) -> Int32 {
            guard let m = bpf_object__find_map_by_name(obj, name) else { return -1 }
            return bpf_map__fd(m)
        }
        object = obj
        programFD = bpf_object__find_program_by_name(obj, "tapline_prefilter").map { bpf_program__fd($0) } ?? -1
        controlFD = fd("tl_control"); setInfoFD = fd("tl_set_info"); rulesFD = fd("tl_rules")
        addrFD = fd("tl_addr"); addr4FD = fd("tl_addr4"); addr6FD = fd("tl_addr6"); addrBaseFD = fd("tl_addr_base")
        addrFilterFD = fd("tl_addr_filter")
        protoFD = fd("tl_proto"); sportFD = fd("tl_sport"); dportFD = fd("tl_dport")
        vlanFD = fd("tl_vlan"); shuntFD = fd("tl_shunt"); countersFD = fd("tl_counters")
        xsksFD = fd("tl_xsks"); fenceFD = fd("tl_fence")
        retiredRuleCounts = [PacketCount](repeating: PacketCount(), count: Int(TL_RULE_SLOTS))
        guard programFD >= 0, [controlFD, setInfoFD, rulesFD, addrFD, addr4FD, addr6FD, addrBaseFD, addrFilterFD, protoFD, sportFD, dportFD, vlanFD,
                               shuntFD, countersFD, xsksFD, fenceFD].allSatisfy({ $0 >= 0 }) else {
            throw .objectMissing("a program or map is missing from the object")
        }
        fenceInnerFD = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tl_fence_inner", 4, 4, 1, nil)
        if fenceInnerFD < 0 { throw .from("creating the reload fence map", errno) }
        activeSet = 1 // so the first install writes set 0
        try install(RuleSet())
    }

    deinit {
        detach()
        if fenceInnerFD >= 0 { close(fenceInnerFD) }
        bpf_object__close(object)
    }

    static func objectBytes() throws(PrefilterError) -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "prefilter", withExtension: "bpfobj") else {
            throw .objectMissing("not in the resource bundle")
        }
        guard let data = try? Data(contentsOf: url) else { throw .objectMissing("unreadable at \(url.path)") }
        return [UInt8](data)
    }

    static func kernelAction(_ a: RuleAction) -> UInt32 {
        CompiledRuleSet.rule(a).action
    }

    // MARK: rules

    /// Replaces the rule set atomically: the unused half is written whole, then one word flips
    /// which half new packets use, then the kernel waits out an RCU grace period so no packet
    /// still uses the old half when the next reload rewrites it.
    public func install(_ set: RuleSet) throws(PrefilterError) {
        let compiled = CompiledRuleSet(set)
        let target = 1 - activeSet
        let t = Int(target)

        // Keep what the retiring set counted, then zero its slots for the new rules.
        let slots = MapAccess.counterSlots(countersFD)
        let per = Int(TL_RULE_SLOTS)
        let base = Int(TL_CNT_RULE_BASE) + t * per
        for i in 0..<per { retiredRuleCounts[i] = retiredRuleCounts[i] + slots[base + i] }
        try MapAccess.zeroCounters(countersFD, base..<(base + per))

        // Old prefixes of the target half.
        deleteKeys(addrFD, as: tl_lpm_key.self) { $0.set == UInt8(target) }
        deleteKeys(addr4FD, as: tl_addr4_key.self) { $0.set == UInt8(target) }
        deleteKeys(addr6FD, as: tl_addr6_key.self) { $0.set == UInt8(target) }

        var ruleArray = compiled.rules
        ruleArray += [tl_rule](repeating: tl_rule(), count: RuleSet.maxRules - ruleArray.count)
        try MapAccess.updateArray(rulesFD, base: target * UInt32(RuleSet.maxRules), ruleArray, "rules")
        try MapAccess.updateArray(protoFD, base: target * UInt32(TL_PROTO_SLOTS), compiled.proto, "protocol masks")
        try MapAccess.updateArray(sportFD, base: target * UInt32(TL_PORT_SLOTS), compiled.sourcePort, "source port masks")
        try MapAccess.updateArray(dportFD, base: target * UInt32(TL_PORT_SLOTS), compiled.destinationPort, "destination port masks")
        try MapAccess.updateArray(vlanFD, base: target * UInt32(TL_VLAN_SLOTS), compiled.vlan, "VLAN masks")
        // TL_ADDR_BASE_INDEX(set, dir, family slot): 0 IPv4, 1 IPv6, 2 non-IP.
        func baseIndex(_ direction: UInt8, _ slot: UInt32) -> UInt32 {
            (target * 2 + UInt32(direction)) * UInt32(TL_ADDR_FAMILY_SLOTS) + slot
        }
        for direction: UInt8 in [0, 1] {
            try MapAccess.update(addrBaseFD, baseIndex(direction, 2), compiled.openAddress[Int(direction)], "address base masks")
        }
        var plans = [tl_addr_plan](repeating: tl_addr_plan(), count: 4)
        for (g, group) in compiled.addressGroups.enumerated() {
            plans[g] = group.plan
            try MapAccess.update(addrBaseFD, baseIndex(group.direction, group.family == 6 ? 1 : 0), group.base,
                                 "address base masks")
            // TL_ADDR_FILTER_INDEX(set, dir, v6)
            let filterBase = ((target * 2 + UInt32(group.direction)) * 2 + (group.family == 6 ? 1 : 0)) * UInt32(TL_ADDR_FILTER_WORDS)
            try MapAccess.updateArray(addrFilterFD, base: filterBase, group.filter, "address filter bits")
            for p in group.prefixes {
                try writePrefix(p, set: UInt8(target), mode: group.plan.mode)
            }
        }
        let info = tl_set_info(default_action: compiled.defaultRule.action, default_sample_n: compiled.defaultRule.sample_n,
                               rule_count: UInt32(compiled.rules.count), fields: compiled.fields,
                               addr: ((plans[0], plans[1]), (plans[2], plans[3])), rules: compiled.existingRules)
        try MapAccess.update(setInfoFD, target, info, "rule set info")

        // The flip: one array element; only the low byte of active_set changes, so no reader can
        // see a torn value.
        generation &+= 1
        activeSet = target
        try writeControl()
        rules = set
        try fence()
    }

    /// Deletes the keys of a hash or trie map that `stale` selects.
    func deleteKeys<K: BitwiseCopyable>(_ fd: Int32, as: K.Type, _ stale: (K) -> Bool) {
        var found: [K] = []
        let key = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<K>.size, alignment: 8)
        let next = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<K>.size, alignment: 8)
        defer { key.deallocate(); next.deallocate() }
        var hasKey = bpf_map_get_next_key(fd, nil, next) == 0
        while hasKey {
            let k = next.load(as: K.self)
            if stale(k) { found.append(k) }
            key.copyMemory(from: next, byteCount: MemoryLayout<K>.size)
            hasKey = bpf_map_get_next_key(fd, key, next) == 0
        }
        for k in found { _ = MapAccess.delete(fd, k) }
    }

    /// Writes one prefix where its group's plan looks for it: the IPv4 or IPv6 hash, or the trie.
    func writePrefix(_ p: CompiledRuleSet.Prefix, set: UInt8, mode: UInt8) throws(PrefilterError) {
        let bytes = p.cidr.networkBytes // network order
        let length = UInt8(p.cidr.length)
        if mode == UInt8(TL_ADDR_LPM.rawValue) {
            var k = tl_lpm_key()
            k.prefixlen = UInt32(TL_LPM_HEADER_BITS) + UInt32(length)
            k.set = set
            k.dir = p.direction
            k.family = p.family
            withUnsafeMutableBytes(of: &k.addr) { for i in 0..<16 { $0[i] = bytes[i] } }
            try MapAccess.update(addrFD, k, p.mask, "address prefixes (trie)")
        } else if p.family == 4 {
            var k = tl_addr4_key()
            k.set = set
            k.dir = p.direction
            k.prefixlen = length
            withUnsafeMutableBytes(of: &k.addr) { for i in 0..<4 { $0[i] = bytes[i] } }
            try MapAccess.update(addr4FD, k, p.mask, "IPv4 prefixes")
        } else {
            var k = tl_addr6_key()
            k.set = set
            k.dir = p.direction
            k.prefixlen = length
            withUnsafeMutableBytes(of: &k.addr) { for i in 0..<16 { $0[i] = bytes[i] } }
            try MapAccess.update(addr6FD, k, p.mask, "IPv6 prefixes")
        }
    }

    /// Writes the control word from `activeSet`, `generation` and `shuntsEnabled`.
    func writeControl() throws(PrefilterError) {
        let control = tl_control(active_set: activeSet, generation: generation, shunts_enabled: shuntsEnabled ? 1 : 0, _pad: 0)
        try MapAccess.update(controlFD, UInt32(0), control, "control word")
    }

    /// Returns after every program run that started before the call has ended (an update of a
    /// map-in-map makes the kernel call synchronize_rcu()).
    func fence() throws(PrefilterError) {
        try MapAccess.update(fenceFD, UInt32(0), fenceInnerFD, "reload fence")
    }

    /// The program's counters now.
    public func counters() -> PrefilterCounters {
        MapAccess.counters(countersFD: countersFD, controlFD: controlFD)
    }

    // MARK: test runs

    /// Runs the program once on `frame` in the kernel (`bpf_prog_test_run_opts`). Frames under 14
    /// bytes are refused by the kernel (EINVAL) before the program runs.
    public func testRun(_ frame: [UInt8]) throws(PrefilterError) -> TestRunResult {
        var out = [UInt8](repeating: 0, count: frame.count + 512)
        var ctxIn = xdp_md()
        ctxIn.data_end = UInt32(frame.count)
        var ctxOut = xdp_md()
        var opts = bpf_test_run_opts()
        zeroFill(&opts)
        opts.sz = MemoryLayout<bpf_test_run_opts>.size
        opts.data_size_in = UInt32(frame.count)
        opts.data_size_out = UInt32(out.count)
        opts.ctx_size_in = UInt32(MemoryLayout<xdp_md>.size)
        opts.ctx_size_out = UInt32(MemoryLayout<xdp_md>.size)
        let rc = frame.withUnsafeBytes { fin in
            out.withUnsafeMutableBytes { fout in
                withUnsafeMutablePointer(to: &ctxIn) { ci in
                    withUnsafeMutablePointer(to: &ctxOut) { co in
                        opts.data_in = fin.baseAddress
                        opts.data_out = fout.baseAddress
                        opts.ctx_in = UnsafeRawPointer(ci)
                        opts.ctx_out = UnsafeMutableRawPointer(co)
                        return bpf_prog_test_run_opts(programFD, &opts)
                    }
                }
            }
        }
        if rc != 0 { throw .from("bpf_prog_test_run_opts", rc) }
        let metaLength = Int(ctxOut.data)
        var meta: FrameMetadata?
        if metaLength >= MemoryLayout<tl_xdp_meta>.size {
            meta = FrameMetadata(out.withUnsafeBytes {
                $0.loadUnaligned(fromByteOffset: metaLength - MemoryLayout<tl_xdp_meta>.size, as: tl_xdp_meta.self)
            })
        }
        let total = Int(opts.data_size_out)
        return TestRunResult(verdict: opts.retval, metadata: meta, frame: Array(out[metaLength..<max(metaLength, total)]))
    }
}
