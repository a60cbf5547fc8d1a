/// Appends text bytes into caller-owned memory: records are encoded without arrays or strings.
/// The caller guarantees room (`capacity`), checked once per write in debug and release alike.
public struct ByteCursor {
    public let base: UnsafeMutablePointer<UInt8>
    public let capacity: Int
    /// Bytes written so far.
    public var count: Int { written }
    /// Stored as `written` so the small appends below can be `@inlinable`: inlined where records
    /// are encoded, a key's copy has a constant length and compiles to a few moves instead of a
    /// call and a `memmove` call.
    @usableFromInline var written = 0

    @inlinable
    public init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        precondition(written < capacity, "ByteCursor overflow")
        base[written] = byte
        written += 1
    }

    @inlinable @inline(__always)
    public mutating func append(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        precondition(written + n <= capacity, "ByteCursor overflow")
        (base + written).update(from: s.utf8Start, count: n)
        written += n
    }

    /// Appends `n` bytes from `p` in one copy (escaped text's runs that need no escape).
    @inlinable @inline(__always)
    public mutating func append(_ p: UnsafeRawPointer, count n: Int) {
        precondition(n >= 0 && written + n <= capacity, "ByteCursor overflow")
        UnsafeMutableRawPointer(base + written).copyMemory(from: p, byteCount: n)
        written += n
    }

    /// Appends the decimal digits of `v`, two digits per division, written right to left straight
    /// into place: the digit count comes first (from the bit length, one comparison against a power
    /// of ten), so no scratch copy is needed (that copy was a `memmove` call per number).
    public mutating func appendDecimal(_ v: UInt64) {
        precondition(count + 20 <= capacity, "ByteCursor overflow")
        if v < 10 {
            base[written] = 48 &+ UInt8(truncatingIfNeeded: v)
            written += 1
            return
        }
        // floor(log10(2) × bit length) is the digit count less one, or less two when `v` is below
        // that power of ten (1233 / 4096 ≈ log10(2), exact for every bit length ≤ 64).
        let guess = ((64 &- v.leadingZeroBitCount) &* 1233) >> 12
        let digits = guess &+ (v >= Self.powerOfTen(guess) ? 1 : 0)
        let pairs = Self.digitPairs.utf8Start
        let p = base + written
        var i = digits
        var n = v
        while n >= 100 {
            let r = Int(n % 100)
            n /= 100
            i -= 2
            p[i] = pairs[r &* 2]
            p[i + 1] = pairs[r &* 2 &+ 1]
        }
        if n >= 10 {
            p[0] = pairs[Int(n) &* 2]
            p[1] = pairs[Int(n) &* 2 &+ 1]
        } else {
            p[0] = 48 &+ UInt8(truncatingIfNeeded: n)
        }
        written += digits
    }

    /// 10^k for k in 0...19 (a switch the compiler makes a table, with no global to initialize).
    @inline(__always)
    static func powerOfTen(_ k: Int) -> UInt64 {
        switch k {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        case 8: 100_000_000
        case 9: 1_000_000_000
        case 10: 10_000_000_000
        case 11: 100_000_000_000
        case 12: 1_000_000_000_000
        case 13: 10_000_000_000_000
        case 14: 100_000_000_000_000
        case 15: 1_000_000_000_000_000
        case 16: 10_000_000_000_000_000
        case 17: 100_000_000_000_000_000
        case 18: 1_000_000_000_000_000_000
        default: 10_000_000_000_000_000_000
        }
    }

    /// Appends `v` in lowercase hex without leading zeros ("0" for zero).
    public mutating func appendHex(_ v: UInt16) {
        precondition(count + 4 <= capacity, "ByteCursor overflow")
        var started = false
        var shift: UInt16 = 12
        while true {
            let d = UInt8(truncatingIfNeeded: (v >> shift) & 0xF)
            if d != 0 || started || shift == 0 {
                base[written] = d < 10 ? 48 &+ d : 87 &+ d
                written += 1
                started = true
            }
            if shift == 0 { break }
            shift -= 4
        }
    }

    /// "00" "01" … "99", indexed by 2 × value.
    @usableFromInline static let digitPairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
}
