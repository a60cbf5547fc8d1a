public import PacketCore

/// JSON string bodies from untrusted bytes (RFC 8259 §7): quote and backslash escaped, control
/// characters and DEL as `\u00XX`, valid UTF-8 passed through, and every byte of an invalid
/// UTF-8 sequence replaced by U+FFFD (`\ufffd`). At most 6 output bytes per input byte.
public enum JSONString {
    /// Worst-case output bytes for `n` input bytes.
    public static func maxEscapedLength(_ n: Int) -> Int { 6 * n }

    /// Appends `bytes` escaped (without the surrounding quotes). Runs of bytes that go out as they
    /// are (printable ASCII but quote and backslash: nearly all of a name or a JA4) are found eight
    /// bytes at a time and copied at once; the rest is escaped byte by byte.
    public static func appendEscaped(_ bytes: UnsafeRawBufferPointer, to out: inout ByteCursor) {
        guard let p = bytes.baseAddress else { return }
        let n = bytes.count
        var i = 0
        while i < n {
            let run = i
            while i + 8 <= n && !anyNeedsEscape(p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { i += 8 }
            while i < n && isPlain(p.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
            if i > run { out.append(p + run, count: i - run) }
            if i < n { i = appendEscapedSlow(bytes, at: i, to: &out) }
        }
    }

    /// A byte that goes out unchanged.
    @inline(__always)
    static func isPlain(_ b: UInt8) -> Bool { b >= 0x20 && b < 0x7F && b != 0x22 && b != 0x5C }

    /// Whether any of the eight bytes of `x` is not plain (SWAR: a byte is zero where `v - 0x01…`
    /// borrows into a high bit that `v` lacks; exact as a test for "any", which is all it answers).
    @inline(__always)
    static func anyNeedsEscape(_ x: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & high }
        let nonASCII = x & high
        let control = (x &- 0x20 &* ones) & ~x & high  // a byte < 0x20
        return nonASCII | control | hasZero(x ^ (0x22 &* ones)) | hasZero(x ^ (0x5C &* ones)) | hasZero(x ^ (0x7F &* ones)) != 0
    }

    /// Escapes the byte at `i` (or copies the valid UTF-8 sequence starting there); returns the next index.
    static func appendEscapedSlow(_ bytes: UnsafeRawBufferPointer, at i: Int, to out: inout ByteCursor) -> Int {
        let b = bytes[i]
        if b < 0x80 {
            switch b {
            case 0x22: out.append("\\\"")
            case 0x5C: out.append("\\\\")
            case 0x0A: out.append("\\n")
            case 0x0D: out.append("\\r")
            case 0x09: out.append("\\t")
            case 0..<0x20, 0x7F:
                out.append("\\u00")
                out.append(hex(b >> 4)); out.append(hex(b & 0xF))
            default: out.append(b)
            }
            return i + 1
        }
        let len = sequenceLength(bytes, i)
        if len == 0 {
            out.append("\\ufffd")
            return i + 1
        }
        out.append(bytes.baseAddress! + i, count: len)
        return i + len
    }

    @inline(__always) static func hex(_ d: UInt8) -> UInt8 { d < 10 ? 48 + d : 87 + d }

    /// Length of the valid UTF-8 sequence starting at `i` (RFC 3629 §4), or 0 if invalid.
    static func sequenceLength(_ s: UnsafeRawBufferPointer, _ i: Int) -> Int {
        let b0 = s[i]
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < s.count && s[i + k] >= lo && s[i + k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE, 0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }
}
