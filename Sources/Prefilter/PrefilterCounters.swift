import CPrefilter

/// Packets and bytes (frame bytes as seen by XDP).
public struct PacketCount: Equatable, Sendable {
    public var packets: UInt64
    public var bytes: UInt64
    public init(packets: UInt64 = 0, bytes: UInt64 = 0) {
        self.packets = packets
        self.bytes = bytes
    }
    static func + (a: PacketCount, b: PacketCount) -> PacketCount {
        PacketCount(packets: a.packets &+ b.packets, bytes: a.bytes &+ b.bytes)
    }
}

/// The program's counters summed over CPUs. Invariant: seen = dropped + passed + captured.
public struct PrefilterCounters: Equatable, Sendable {
    public var seen = PacketCount()
    public var dropped = PacketCount()
    public var passed = PacketCount()
    public var captured = PacketCount()
    public var sampleKept = PacketCount()
    public var sampleDropped = PacketCount()
    public var shunted = PacketCount()
    public var parseErrors = PacketCount()
    public var redirectFailures = PacketCount()
    public var metadataFailures = PacketCount()
    public var nonIP = PacketCount()
    public var fragments = PacketCount()
    /// The rule set new packets use (0 or 1) and how many reloads there have been.
    public var activeSet = 0
    public var generation: UInt32 = 0
    /// Per rule set, per rule slot: `rules[set][i]`; slot `RuleSet.maxRules` is the default action.
    /// A set's slots are zeroed when a new rule set is written into it.
    public var rules: [[PacketCount]] = []

    public init() {}

    /// The counts of rule `i` of the active set (`RuleSet.maxRules` = the default action).
    public func activeRule(_ i: Int) -> PacketCount { rules[activeSet][i] }

    static let slots = Int(TL_CNT_END.rawValue)

    /// Builds the summary from one sum per counter slot.
    init(slots s: [PacketCount], control: tl_control) {
        func at(_ c: tl_counter_index) -> PacketCount { s[Int(c.rawValue)] }
        dropped = at(TL_CNT_DROP)
        passed = at(TL_CNT_PASS)
        captured = at(TL_CNT_CAPTURE)
        seen = dropped + passed + captured // every frame ends in exactly one verdict
        sampleKept = at(TL_CNT_SAMPLE_KEPT)
        sampleDropped = at(TL_CNT_SAMPLE_DROPPED)
        shunted = at(TL_CNT_SHUNTED)
        parseErrors = at(TL_CNT_PARSE_ERROR)
        redirectFailures = at(TL_CNT_REDIRECT_FAIL)
        metadataFailures = at(TL_CNT_META_FAIL)
        nonIP = at(TL_CNT_NON_IP)
        fragments = at(TL_CNT_FRAGMENT)
        activeSet = Int(control.active_set & 1)
        generation = control.generation
        let per = Int(TL_RULE_SLOTS)
        rules = (0..<Int(TL_RULE_SETS)).map { set in
            Array(s[(Int(TL_CNT_RULE_BASE) + set * per)..<(Int(TL_CNT_RULE_BASE) + (set + 1) * per)])
        }
    }
}
