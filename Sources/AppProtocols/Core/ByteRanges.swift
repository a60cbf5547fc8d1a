/// Which byte ranges of a bounded buffer (≤ 64 KiB) have been written: up to `capacity` disjoint
/// ranges, merged as they touch. Used for out-of-order TCP segments and QUIC CRYPTO frames.
@frozen
public struct ByteRanges: Sendable, BitwiseCopyable {
    /// Disjoint ranges held at once. Browsers scatter a ClientHello over a dozen or more small
    /// CRYPTO frames in shuffled order (Chrome's "chaos protection"); 32 ranges cost 128 bytes per
    /// reassembly buffer (not per flow). One more disjoint range is dropped and flagged.
    public static let capacity = 32
    @usableFromInline var starts: InlineArray<32, UInt16> = .init(repeating: 0)
    @usableFromInline var ends: InlineArray<32, UInt16> = .init(repeating: 0)
    public private(set) var count: Int = 0

    @inlinable public init() {}

    /// Bytes from 0 that are all present.
    @inlinable
    public var contiguous: Int { count > 0 && starts[0] == 0 ? Int(ends[0]) : 0 }

    /// Adds [lo, hi); returns false when it had to be dropped (too many holes).
    @discardableResult
    public mutating func insert(_ lo: Int, _ hi: Int) -> Bool {
        if hi <= lo { return true }
        var l = UInt16(lo), h = UInt16(hi)
        // Absorb every range that overlaps or touches [l, h), keeping the list sorted.
        var out = ByteRanges()
        var placed = false
        for i in 0..<count {
            let s = starts[i], e = ends[i]
            if e < l { out.push(s, e); continue }
            if s > h {
                if !placed { if !out.push(l, h) { return false }; placed = true }
                out.push(s, e)
                continue
            }
            l = min(l, s); h = max(h, e)
        }
        if !placed && !out.push(l, h) { return false }
        self = out
        return true
    }

    @usableFromInline @discardableResult
    mutating func push(_ s: UInt16, _ e: UInt16) -> Bool {
        guard count < Self.capacity else { return false }
        starts[count] = s; ends[count] = e; count += 1
        return true
    }
}
