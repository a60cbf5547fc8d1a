import CPrefilter
import PacketCore

/// A rule set turned into the per-field bitmask tables the program looks up: for each field value,
/// the rules that value satisfies (rules that do not constrain the field included). The program
/// ANDs one mask per field; the lowest set bit is the first matching rule.
struct CompiledRuleSet {
    static let portSlots = Int(TL_PORT_SLOTS)
    static let protoSlots = Int(TL_PROTO_SLOTS)
    static let vlanSlots = Int(TL_VLAN_SLOTS)

    struct Prefix {
        var direction: UInt8 // 0 source, 1 destination
        var family: UInt8    // 4 or 6
        var cidr: CIDR
        var mask: tl_mask
    }

    /// The prefixes of one direction and family, and how the program looks them up.
    struct AddressGroup {
        var direction: UInt8
        var family: UInt8
        /// The mask of an address no prefix contains: open rules and rules with a /0.
        var base: tl_mask
        /// Prefixes longer than /0, each with its mask.
        var prefixes: [Prefix]
        var plan: tl_addr_plan
        /// The quick-reject bits (TL_ADDR_FILTER_WORDS words) of a TL_ADDR_HASH group, else all zero.
        var filter: [UInt64]
    }

    var rules: [tl_rule]
    var defaultRule: tl_rule
    var proto: [tl_mask]
    var sourcePort: [tl_mask]
    var destinationPort: [tl_mask]
    var vlan: [tl_mask]
    /// Per direction (0 source, 1 destination): the rules that leave the address open, for non-IP frames.
    var openAddress: [tl_mask]
    /// Indexed by `Int(direction) * 2 + (IPv6 ? 1 : 0)`.
    var addressGroups: [AddressGroup]
    /// Bit r set for every rule r: where the program's matching starts.
    var existingRules: tl_mask
    /// TL_FIELD_*: the fields some rule constrains (the program looks up only these).
    var fields: UInt32

    static func rule(_ a: RuleAction) -> tl_rule {
        switch a {
        case .drop: tl_rule(action: TL_ACTION_DROP.rawValue, sample_n: 0)
        case .pass: tl_rule(action: TL_ACTION_PASS.rawValue, sample_n: 0)
        case .capture: tl_rule(action: TL_ACTION_CAPTURE.rawValue, sample_n: 0)
        case .sample(let n): tl_rule(action: TL_ACTION_SAMPLE.rawValue, sample_n: n)
        }
    }

    init(_ set: RuleSet) {
        precondition(set.rules.count <= RuleSet.maxRules, "RuleParser caps rule sets at maxRules")
        rules = set.rules.map { Self.rule($0.action) }
        defaultRule = Self.rule(set.defaultAction)
        let r = set.rules
        var f: UInt32 = 0
        for rule in r {
            if rule.source != nil { f |= UInt32(TL_FIELD_SRC) }
            if rule.destination != nil { f |= UInt32(TL_FIELD_DST) }
            if rule.proto != nil { f |= UInt32(TL_FIELD_PROTO) }
            if rule.sourcePort != nil { f |= UInt32(TL_FIELD_SPORT) }
            if rule.destinationPort != nil { f |= UInt32(TL_FIELD_DPORT) }
            if rule.vlan != nil { f |= UInt32(TL_FIELD_VLAN) }
        }
        fields = f
        var all = RuleMask()
        for i in r.indices { all.set(i) }
        existingRules = all.value

        func maskOf(_ include: (Rule) -> Bool) -> tl_mask {
            var m = RuleMask()
            for (i, rule) in r.enumerated() where include(rule) { m.set(i) }
            return m.value
        }
        // The last slot of the protocol and port tables is for frames without the field.
        openAddress = [maskOf { $0.source == nil }, maskOf { $0.destination == nil }]
        proto = (0..<256).map { p in maskOf { $0.proto == nil || $0.proto == UInt8(p) } }
        proto.append(maskOf { $0.proto == nil })
        vlan = (0..<Self.vlanSlots).map { v in
            v == Int(TL_VLAN_NONE) ? maskOf { $0.vlan == nil } : RuleMask(0).value
        }
        let vlanAny = maskOf { $0.vlan == nil }
        for v in 0..<4096 { vlan[v] = vlanAny }
        for (i, rule) in r.enumerated() {
            if let id = rule.vlan { var m = RuleMask(vlan[Int(id)]); m.set(i); vlan[Int(id)] = m.value }
        }

        func ports(_ field: (Rule) -> PortRange?) -> [tl_mask] {
            var table = [tl_mask](repeating: maskOf { field($0) == nil }, count: Self.portSlots)
            for (i, rule) in r.enumerated() {
                guard let range = field(rule) else { continue }
                for p in Int(range.lower)...Int(range.upper) {
                    var m = RuleMask(table[p])
                    m.set(i)
                    table[p] = m.value
                }
            }
            return table
        }
        sourcePort = ports(\.sourcePort)
        destinationPort = ports(\.destinationPort)

        // Each prefix's mask holds every rule whose prefix contains it (the lookups return only the
        // longest match), plus the rules that leave the field open; the base mask (open rules and
        // /0 rules) answers addresses no prefix contains.
        addressGroups = []
        for direction: UInt8 in [0, 1] {
            let field: (Rule) -> CIDR? = direction == 0 ? { $0.source } : { $0.destination }
            for v6 in [false, true] {
                let open = maskOf { field($0) == nil }
                var cidrs: [CIDR] = []
                for rule in r {
                    if let c = field(rule), c.isIPv6 == v6, c.length > 0, !cidrs.contains(c) { cidrs.append(c) }
                }
                func mask(containing c: CIDR) -> tl_mask {
                    var m = RuleMask(open)
                    for (i, rule) in r.enumerated() {
                        if let rc = field(rule), rc.contains(c) { m.set(i) }
                    }
                    return m.value
                }
                let family: UInt8 = v6 ? 6 : 4
                let zero = CIDR(address: v6 ? IPAddress(high: 0, low: 0, isIPv6: true) : IPAddress(ipv4: 0), length: 0)
                let prefixes = cidrs.map { Prefix(direction: direction, family: family, cidr: $0, mask: mask(containing: $0)) }
                let plan = Self.plan(cidrs.map(\.length))
                var filter = [UInt64](repeating: 0, count: Int(TL_ADDR_FILTER_WORDS))
                if plan.mode == UInt8(TL_ADDR_HASH.rawValue) {
                    for c in cidrs {
                        let bit = Int(Self.filterHash(c) >> 16)
                        filter[bit >> 6] |= 1 << UInt64(bit & 63)
                    }
                }
                addressGroups.append(AddressGroup(direction: direction, family: family, base: mask(containing: zero),
                                                  prefixes: prefixes, plan: plan, filter: filter))
            }
        }
    }

    /// The quick-reject hash of a prefix, by the header's own function (the program calls it too).
    static func filterHash(_ c: CIDR) -> UInt32 {
        let a = c.address
        if a.isIPv6 {
            return tl_addr_filter_hash(UInt32(truncatingIfNeeded: a.high >> 32), UInt32(truncatingIfNeeded: a.high),
                                       UInt32(truncatingIfNeeded: a.low >> 32), UInt32(truncatingIfNeeded: a.low),
                                       UInt32(c.length))
        }
        return tl_addr_filter_hash(UInt32(truncatingIfNeeded: a.low), 0, 0, 0, UInt32(c.length))
    }

    /// Hash probes, longest length first, while there are at most TL_ADDR_HASH_LENGTHS distinct
    /// lengths; the LPM trie beyond; no lookup at all without prefixes.
    static func plan(_ lengths: [Int]) -> tl_addr_plan {
        var plan = tl_addr_plan()
        let distinct = Set(lengths).sorted(by: >)
        if distinct.isEmpty {
            plan.mode = UInt8(TL_ADDR_BASE.rawValue)
        } else if distinct.count <= Int(TL_ADDR_HASH_LENGTHS) {
            plan.mode = UInt8(TL_ADDR_HASH.rawValue)
            plan.count = UInt8(distinct.count)
            withUnsafeMutableBytes(of: &plan.len) { for (i, l) in distinct.enumerated() { $0[i] = UInt8(l) } }
        } else {
            plan.mode = UInt8(TL_ADDR_LPM.rawValue)
        }
        return plan
    }
}

/// A 256-bit rule bitmask as the program sees it.
struct RuleMask {
    var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}
    init(_ m: tl_mask) { w = m.w }
    init(_ fill: UInt64) { w = (fill, fill, fill, fill) }

    var value: tl_mask { tl_mask(w: w) }

    mutating func set(_ bit: Int) {
        let b = UInt64(1) << UInt64(bit & 63)
        switch bit >> 6 {
        case 0: w.0 |= b
        case 1: w.1 |= b
        case 2: w.2 |= b
        default: w.3 |= b
        }
    }
}
