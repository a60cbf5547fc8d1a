import Glibc
import PacketCore
@testable import Prefilter
import Testing

let XDP_DROP_: UInt32 = 1
let XDP_PASS_: UInt32 = 2
let XDP_REDIRECT_: UInt32 = 4

/// Loading BPF programs needs root (CAP_BPF, CAP_NET_ADMIN). CI runs as root: a run without it
/// fails with this message rather than skipping silently.
func requireRoot() -> Bool {
    if geteuid() == 0 { return true }
    Issue.record("this test loads BPF programs into the kernel: run it as root (CAP_BPF + CAP_NET_ADMIN)")
    return false
}

func rules(_ text: String) -> RuleSet {
    switch RuleParser.parse(text) {
    case .success(let s): return s
    case .failure(let e): fatalError("bad test rules: \(e)")
    }
}

/// Loads the program with `text` installed.
func program(_ text: String, config: PrefilterConfig = PrefilterConfig()) throws -> PrefilterProgram {
    let p = try PrefilterProgram(config: config)
    try p.install(rules(text))
    return p
}

extension PrefilterProgram {
    func verdict(_ f: Frame) throws -> UInt32 { try testRun(f.bytes).verdict }
    /// The rule that decided (maxRules = default), read from the per-rule counters (a dropped
    /// frame carries no metadata); nil when no rule counter moved (malformed frames).
    func rule(_ f: Frame) throws -> Int? {
        let before = counters()
        _ = try testRun(f.bytes)
        let after = counters()
        let set = after.activeSet
        return (0...RuleSet.maxRules).first { after.rules[set][$0].packets != before.rules[set][$0].packets }
    }
}
