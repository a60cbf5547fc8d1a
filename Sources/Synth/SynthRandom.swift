/// xoshiro256** seeded through splitmix64: the same seed gives the same stream on every machine
/// and every Swift version (the standard library's `random(in:using:)` algorithms are not promised stable).
struct SynthRandom {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the four words from splitmix64 of `seed`.
    init(seed: UInt64) {
        var x = seed
        s0 = SynthRandom.splitmix(&x); s1 = SynthRandom.splitmix(&x)
        s2 = SynthRandom.splitmix(&x); s3 = SynthRandom.splitmix(&x)
    }

    /// A generator for one sub-stream (a flow), independent of how much the parent has drawn.
    init(seed: UInt64, stream: UInt64) {
        var x = seed ^ (stream &* 0xD605_BBB5_8C8A_BBB1) ^ 0x5851_F42D_4C95_7F2D
        self.init(seed: SynthRandom.splitmix(&x))
    }

    static func splitmix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in `range` (multiply-shift; the bias is below 2^-32 for the spans used here).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        let r = next().multipliedFullWidth(by: span).high
        return range.lowerBound + Int(r)
    }

    mutating func int(_ range: Range<Int>) -> Int { int(range.lowerBound...(range.upperBound - 1)) }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Exponentially distributed with the given mean.
    mutating func exponential(mean: Double) -> Double {
        var u = unit()
        if u < 1e-12 { u = 1e-12 }
        return -mean * logApprox(u)
    }

    /// Log-uniform between `low` and `high` (RTTs, sizes).
    mutating func logUniform(_ low: Double, _ high: Double) -> Double {
        low * expApprox(unit() * logApprox(high / low))
    }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }

    mutating func fill(_ bytes: inout [UInt8], count: Int) {
        var left = count
        while left >= 8 {
            let v = next()
            withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
            left -= 8
        }
        if left > 0 {
            var v = next()
            for _ in 0..<left { bytes.append(UInt8(truncatingIfNeeded: v)); v >>= 8 }
        }
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        fill(&out, count: count)
        return out
    }

    /// Fills raw memory (frame payloads) without allocating.
    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var i = 0
        let n = buffer.count
        while i + 8 <= n {
            buffer.storeBytes(of: next(), toByteOffset: i, as: UInt64.self)
            i += 8
        }
        if i < n {
            var v = next()
            while i < n { buffer[i] = UInt8(truncatingIfNeeded: v); v >>= 8; i += 1 }
        }
    }
}

// Portable log/exp: the C library's results may differ in the last bit between machines, and a
// timestamp must not. These use only IEEE add/multiply/divide, which are exactly rounded everywhere.
func logApprox(_ x: Double) -> Double {
    // x = m * 2^e with m in [1, 2); ln x = e ln 2 + 2 atanh((m-1)/(m+1)).
    var e = 0
    var m = x
    while m >= 2 { m /= 2; e += 1 }
    while m < 1 { m *= 2; e -= 1 }
    let t = (m - 1) / (m + 1)
    let t2 = t * t
    var term = t
    var sum = 0.0
    var k = 1.0
    for _ in 0..<14 { sum += term / k; term *= t2; k += 2 }
    return Double(e) * 0.6931471805599453 + 2 * sum
}

func expApprox(_ x: Double) -> Double {
    // e^x = 2^k * e^r with |r| <= ln2/2; Taylor series for e^r.
    let k = (x / 0.6931471805599453).rounded()
    let r = x - k * 0.6931471805599453
    var term = 1.0, sum = 1.0
    for i in 1..<18 { term *= r / Double(i); sum += term }
    var result = sum
    if k > 0 { for _ in 0..<Int(k) { result *= 2 } } else if k < 0 { for _ in 0..<Int(-k) { result /= 2 } }
    return result
}
