/// Text forms of addresses for the manifest: dotted quad and RFC 5952 IPv6.
enum AddressText {
    static func format(_ bytes: [UInt8]) -> String {
        bytes.count == 4 ? ipv4(bytes) : ipv6(bytes)
    }

    static func ipv4(_ b: [UInt8]) -> String { "\(b[0]).\(b[1]).\(b[2]).\(b[3])" }

    /// RFC 5952: lower-case hex, no leading zeros, the longest run (first if tied) of two or more
    /// zero groups becomes "::".
    static func ipv6(_ b: [UInt8]) -> String {
        var groups = [Int](repeating: 0, count: 8)
        for i in 0..<8 { groups[i] = Int(b[2 * i]) << 8 | Int(b[2 * i + 1]) }
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLen { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        if bestLen < 2 { bestStart = -1 }
        var out = ""
        i = 0
        while i < 8 {
            if i == bestStart {
                out += "::"
                i += bestLen
                continue
            }
            if !out.isEmpty && !out.hasSuffix(":") { out += ":" }
            out += String(groups[i], radix: 16)
            i += 1
        }
        return out
    }
}
