/// How a pcapng interface's timestamp units become nanoseconds, from its `if_tsresol`.
/// Conversions saturate at `UInt64.max` (year 2554) rather than wrap: a corrupt timestamp
/// stays visibly wrong without failing the file.
enum PcapngTimestampScale: Equatable {
    /// Units of 10^-e s with e <= 9: multiply by 10^(9-e).
    case multiply(UInt64)
    /// Units of 10^-e s with e > 9: divide by 10^(e-9).
    case divide(UInt64)
    /// Units of 2^-e s: ns = units * 10^9 / 2^e.
    case binary(shift: Int)

    /// Finest decimal resolution accepted: 10^19 is the largest power of ten in a UInt64.
    static let maxDecimalExponent = 19
    /// Finest binary resolution accepted: a shift must stay below the 64-bit width.
    static let maxBinaryExponent = 63

    /// Decodes `if_tsresol`: high bit clear, 10^-value seconds; set, 2^-(value & 0x7f) seconds.
    /// Nil for resolutions finer than a 64-bit timestamp can express.
    init?(timestampResolution value: UInt8) {
        let exponent = Int(value & 0x7F)
        if value & 0x80 != 0 {
            guard exponent <= Self.maxBinaryExponent else { return nil }
            self = .binary(shift: exponent)
        } else if exponent <= 9 {
            self = .multiply(Self.powerOfTen(9 - exponent))
        } else {
            guard exponent <= Self.maxDecimalExponent else { return nil }
            self = .divide(Self.powerOfTen(exponent - 9))
        }
    }

    /// Nanoseconds for `units` timestamp units.
    @inline(__always)
    func nanoseconds(_ units: UInt64) -> UInt64 {
        switch self {
        case .multiply(let factor):
            let (product, overflow) = units.multipliedReportingOverflow(by: factor)
            return overflow ? .max : product
        case .divide(let divisor):
            return units / divisor
        case .binary(let shift):
            // 128-bit product, then shift: exact for every shift in 0...63.
            let (high, low) = units.multipliedFullWidth(by: 1_000_000_000)
            if shift == 0 { return high == 0 ? low : .max }
            if high >> UInt64(shift) != 0 { return .max }
            return (high << UInt64(64 - shift)) | (low >> UInt64(shift))
        }
    }

    private static func powerOfTen(_ exponent: Int) -> UInt64 {
        var value: UInt64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}
