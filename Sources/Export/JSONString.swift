public import PacketCore

/// JSON string bodies from untrusted bytes (RFC 8259 §7): quote and backslash escaped, control
/// characters and DEL as `\u00XX`, valid UTF-8 passed through, and every byte of an invalid
/// UTF-8 sequence replaced by U+FFFD (`\ufffd`). At most 6 output bytes per input byte.
public enum JSONString {
    /// Worst-case output bytes for `n` input bytes.
    public static func maxEscapedLength(_ n: Int) -> Int { 6 * n }

    /// Appends `bytes` escaped (without the surrounding quotes).
    public static func appendEscaped(_ bytes: UnsafeRawBufferPointer, to out: inout ByteCursor) {
        var i = 0
        let n = bytes.count
        while i < n {
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
                i += 1
                continue
            }
            let len = sequenceLength(bytes, i)
            if len == 0 {
                out.append("\\ufffd")
                i += 1
            } else {
                for k in 0..<len { out.append(bytes[i + k]) }
                i += len
            }
        }
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
