import AppProtocols

// `hex(_:)` comes from ProbeTestSupport.swift.

/// Deterministic generator for the fuzz loops (SplitMix64).
struct FuzzRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// `seed` mutated: a few bytes flipped, cut, or grown with random bytes.
    mutating func mutate(_ seed: [UInt8]) -> [UInt8] {
        var b = seed
        switch int(4) {
        case 0: for _ in 0..<1 + int(4) where !b.isEmpty { b[int(b.count)] = UInt8(truncatingIfNeeded: next()) }
        case 1: b = Array(b.prefix(int(b.count + 1)))
        case 2: for _ in 0..<int(16) { b.append(UInt8(truncatingIfNeeded: next())) }
        default: b = (0..<int(300)).map { _ in UInt8(truncatingIfNeeded: next()) }
        }
        return b
    }
}

/// Big-endian builders for test messages.
extension Array where Element == UInt8 {
    mutating func u8(_ v: Int) { append(UInt8(truncatingIfNeeded: v)) }
    mutating func u16(_ v: Int) { append(UInt8(truncatingIfNeeded: v >> 8)); append(UInt8(truncatingIfNeeded: v)) }
    mutating func u24(_ v: Int) { append(UInt8(truncatingIfNeeded: v >> 16)); u16(v & 0xFFFF) }
    mutating func bytes(_ s: String) { append(contentsOf: Array(s.utf8)) }
}

/// A DNS name in wire form (labels, root).
func dnsName(_ name: String) -> [UInt8] {
    var out: [UInt8] = []
    for label in name.split(separator: ".") { out.u8(label.utf8.count); out.bytes(String(label)) }
    out.u8(0)
    return out
}
