extension IPAddress {
    /// Appends the address as text: dotted quad, or IPv6 in RFC 5952 form (lowercase hex, the longest
    /// run of two or more zero groups as "::", the first such run on a tie, IPv4-mapped as ::ffff:a.b.c.d).
    public func appendText(to out: inout [UInt8]) {
        if !isIPv6 {
            Self.appendDotted(ipv4Value, to: &out)
            return
        }
        var groups: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (
            UInt16(truncatingIfNeeded: high >> 48), UInt16(truncatingIfNeeded: high >> 32),
            UInt16(truncatingIfNeeded: high >> 16), UInt16(truncatingIfNeeded: high),
            UInt16(truncatingIfNeeded: low >> 48), UInt16(truncatingIfNeeded: low >> 32),
            UInt16(truncatingIfNeeded: low >> 16), UInt16(truncatingIfNeeded: low))
        withUnsafeBytes(of: &groups) { raw in
            let g = raw.bindMemory(to: UInt16.self)
            // IPv4-mapped (RFC 5952 §5).
            if high == 0 && g[4] == 0 && g[5] == 0xFFFF {
                out.append(contentsOf: Array("::ffff:".utf8))
                Self.appendDotted(UInt32(truncatingIfNeeded: low), to: &out)
                return
            }
            var bestStart = -1, bestLen = 0, runStart = -1
            for i in 0...8 {
                if i < 8 && g[i] == 0 {
                    if runStart < 0 { runStart = i }
                } else if runStart >= 0 {
                    let len = i - runStart
                    if len > bestLen && len >= 2 { bestStart = runStart; bestLen = len }
                    runStart = -1
                }
            }
            var i = 0
            while i < 8 {
                if i == bestStart {
                    out.append(UInt8(ascii: ":"))
                    if i == 0 { out.append(UInt8(ascii: ":")) }
                    i += bestLen
                    if i == 8 { return }
                    continue
                }
                Self.appendHex(g[i], to: &out)
                if i < 7 { out.append(UInt8(ascii: ":")) }
                i += 1
            }
        }
    }

    /// The address as text (see `appendText`).
    public var text: String {
        var out: [UInt8] = []
        appendText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendDotted(_ v: UInt32, to out: inout [UInt8]) {
        for shift in [24, 16, 8, 0] {
            appendDecimal(UInt64((v >> UInt32(shift)) & 0xFF), to: &out)
            if shift != 0 { out.append(UInt8(ascii: ".")) }
        }
    }

    private static func appendHex(_ v: UInt16, to out: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        var started = false
        for shift in stride(from: 12, through: 0, by: -4) {
            let d = Int((v >> UInt16(shift)) & 0xF)
            if d != 0 || started || shift == 0 {
                out.append(digits.utf8Start[d])
                started = true
            }
        }
    }
}

/// Appends the decimal digits of `v`.
public func appendDecimal(_ v: UInt64, to out: inout [UInt8]) {
    if v < 10 {
        out.append(UInt8(ascii: "0") + UInt8(v))
        return
    }
    var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes ≥ 20 digits
    withUnsafeMutableBytes(of: &tmp) { buf in
        var n = v
        var i = 24
        while n > 0 {
            i -= 1
            buf[i] = UInt8(ascii: "0") + UInt8(n % 10)
            n /= 10
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[i..<24]))
    }
}
