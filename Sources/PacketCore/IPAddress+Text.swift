extension IPAddress {
    /// Longest text of an address: a full IPv6 address (39 bytes), or ::ffff: and a dotted quad (22).
    public static let maxTextLength = 39

    /// Appends the address as text: dotted quad, or IPv6 in RFC 5952 form (lowercase hex, the longest
    /// run of two or more zero groups as "::", the first such run on a tie, IPv4-mapped as ::ffff:a.b.c.d).
    public func appendText(to out: inout ByteCursor) {
        if !isIPv6 {
            Self.appendDotted(ipv4Value, to: &out)
            return
        }
        @inline(__always) func group(_ i: Int) -> UInt16 {
            let word = i < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> UInt64(48 - 16 * (i & 3)))
        }
        // IPv4-mapped (RFC 5952 §5).
        if high == 0 && low >> 32 == 0xFFFF {
            out.append("::ffff:")
            Self.appendDotted(UInt32(truncatingIfNeeded: low), to: &out)
            return
        }
        var bestStart = -1, bestLen = 0, runStart = -1
        for i in 0...8 {
            if i < 8 && group(i) == 0 {
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
            out.appendHex(group(i))
            if i < 7 { out.append(UInt8(ascii: ":")) }
            i += 1
        }
    }

    /// Appends the address as text to a byte array (see `appendText(to: inout ByteCursor)`).
    public func appendText(to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxTextLength) { buf in
            var cursor = ByteCursor(base: buf.baseAddress!, capacity: buf.count)
            appendText(to: &cursor)
            out.append(contentsOf: UnsafeBufferPointer(start: buf.baseAddress!, count: cursor.count))
        }
    }

    /// The address as text.
    public var text: String {
        var out: [UInt8] = []
        appendText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendDotted(_ v: UInt32, to out: inout ByteCursor) {
        out.appendDecimal(UInt64(v >> 24)); out.append(UInt8(ascii: "."))
        out.appendDecimal(UInt64((v >> 16) & 0xFF)); out.append(UInt8(ascii: "."))
        out.appendDecimal(UInt64((v >> 8) & 0xFF)); out.append(UInt8(ascii: "."))
        out.appendDecimal(UInt64(v & 0xFF))
    }
}

/// Appends the decimal digits of `v` to a byte array.
public func appendDecimal(_ v: UInt64, to out: inout [UInt8]) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
        var cursor = ByteCursor(base: buf.baseAddress!, capacity: buf.count)
        cursor.appendDecimal(v)
        out.append(contentsOf: UnsafeBufferPointer(start: buf.baseAddress!, count: cursor.count))
    }
}
