/// Addresses from payload bytes as text, written into a `DNSName` buffer (DNS answers).
enum IPText {
    static func appendDecimal(_ v: Int, to out: inout DNSName) {
        if v >= 100 { _ = out.append(UInt8(48 + v / 100)) }
        if v >= 10 { _ = out.append(UInt8(48 + (v / 10) % 10)) }
        _ = out.append(UInt8(48 + v % 10))
    }

    static func appendIPv4(_ b: UnsafeRawBufferPointer, to out: inout DNSName) {
        for i in 0..<4 {
            if i > 0 { _ = out.append(UInt8(ascii: ".")) }
            appendDecimal(Int(b[i]), to: &out)
        }
    }

    /// RFC 5952: lower-case hex, no leading zeros, the longest run (≥ 2) of zero groups as "::".
    static func appendIPv6(_ b: UnsafeRawBufferPointer, to out: inout DNSName) {
        var groups: InlineArray<8, UInt16> = .init(repeating: 0)
        for i in 0..<8 { groups[i] = UInt16(b[2 * i]) << 8 | UInt16(b[2 * i + 1]) }
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        let hex: StaticString = "0123456789abcdef"
        i = 0
        while i < 8 {
            if i == bestStart {
                _ = out.append(UInt8(ascii: ":")); _ = out.append(UInt8(ascii: ":"))
                i += bestLen
                continue
            }
            if i > 0 && i != bestStart + bestLen || (i > 0 && bestStart < 0) { _ = out.append(UInt8(ascii: ":")) }
            let g = groups[i]
            var started = false
            for shift in stride(from: 12, through: 0, by: -4) {
                let d = Int((g >> UInt16(shift)) & 0xF)
                if d != 0 || started || shift == 0 { _ = out.append(hex.utf8Start[d]); started = true }
            }
            i += 1
        }
    }
}
