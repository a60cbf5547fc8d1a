// Byte helpers shared by the payload probes and the small parsers beside them. Every read is
// checked against `count` here, so probes can follow lengths announced by hostile bytes safely.

/// Bounds-checked byte comparisons and scans used by the probes.
@usableFromInline
enum ProbeScan {
    /// Compares `literal` with the payload at `offset`: `.match` when every byte is equal,
    /// `.needMore` when the payload ends first but all bytes present are equal, else `.noMatch`.
    /// With `ignoringCase`, ASCII letters compare case-insensitively.
    static func prefix(_ p: UnsafeRawBufferPointer, _ literal: StaticString, at offset: Int = 0,
                       ignoringCase: Bool = false) -> ProbeVerdict {
        let n = literal.utf8CodeUnitCount
        let lit = literal.utf8Start
        var i = 0
        while i < n {
            let at = offset + i
            if at >= p.count { return .needMore }
            var a = p.byte(at), b = lit[i]
            if ignoringCase { a = lower(a); b = lower(b) }
            if a != b { return .noMatch }
            i += 1
        }
        return .match
    }

    /// The payload holds all of `literal` at `offset`.
    static func has(_ p: UnsafeRawBufferPointer, _ literal: StaticString, at offset: Int = 0,
                    ignoringCase: Bool = false) -> Bool {
        prefix(p, literal, at: offset, ignoringCase: ignoringCase) == .match
    }

    /// The first offset in `from..<end` (clamped to the payload) where `literal` starts.
    static func find(_ p: UnsafeRawBufferPointer, _ literal: StaticString, from: Int, end: Int,
                     ignoringCase: Bool = false) -> Int? {
        let n = literal.utf8CodeUnitCount
        let stop = min(end, p.count) - n
        var i = max(from, 0)
        while i <= stop {
            if has(p, literal, at: i, ignoringCase: ignoringCase) { return i }
            i += 1
        }
        return nil
    }

    /// The offset of the first `\n` in `from..<min(from + limit, count)`, if any.
    static func newline(_ p: UnsafeRawBufferPointer, from: Int, limit: Int) -> Int? {
        let end = min(p.count, from + limit)
        var i = max(from, 0)
        while i < end {
            if p.byte(i) == 0x0A { return i }
            i += 1
        }
        return nil
    }

    /// The line starting at `from` without its `\r\n` or `\n`; nil when no newline is within `limit`.
    static func line(_ p: UnsafeRawBufferPointer, from: Int, limit: Int) -> Range<Int>? {
        guard let nl = newline(p, from: from, limit: limit) else { return nil }
        let end = nl > from && p.byte(nl - 1) == 0x0D ? nl - 1 : nl
        return from..<end
    }

    /// Every byte in `range` is printable ASCII or a tab (what banners and header lines hold).
    static func isPrintable(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        let end = min(range.upperBound, p.count)
        var i = max(range.lowerBound, 0)
        while i < end {
            let b = p.byte(i)
            if !(b >= 0x20 && b < 0x7F) && b != 0x09 { return false }
            i += 1
        }
        return true
    }

    /// Printable ASCII or CR/LF/tab up to `limit` bytes from the start: a text protocol's payload.
    static func isText(_ p: UnsafeRawBufferPointer, limit: Int) -> Bool {
        let end = min(p.count, limit)
        var i = 0
        while i < end {
            let b = p.byte(i)
            if !(b >= 0x20 && b < 0x7F) && b != 0x09 && b != 0x0D && b != 0x0A { return false }
            i += 1
        }
        return true
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }

    /// Three ASCII digits at `offset` as a number (a reply or status code), or nil.
    static func code3(_ p: UnsafeRawBufferPointer, at offset: Int) -> Int? {
        guard offset >= 0, offset + 3 <= p.count else { return nil }
        let a = p.byte(offset), b = p.byte(offset + 1), c = p.byte(offset + 2)
        guard isDigit(a), isDigit(b), isDigit(c) else { return nil }
        return Int(a - 0x30) * 100 + Int(b - 0x30) * 10 + Int(c - 0x30)
    }

    /// Reads a BER tag-length header at `offset`: the tag byte, the content length, and where the
    /// content starts. Only single-byte tags and definite lengths of up to 4 bytes (what the
    /// protocols here use). nil when the header is cut or not of that form.
    static func ber(_ p: UnsafeRawBufferPointer, at offset: Int) -> (tag: UInt8, length: Int, content: Int)? {
        guard offset >= 0, offset + 2 <= p.count else { return nil }
        let tag = p.byte(offset)
        guard tag & 0x1F != 0x1F else { return nil }
        let l0 = p.byte(offset + 1)
        if l0 < 0x80 { return (tag, Int(l0), offset + 2) }
        let n = Int(l0 & 0x7F)
        guard n >= 1, n <= 4, offset + 2 + n <= p.count else { return nil }
        var length = 0
        for i in 0..<n { length = length << 8 | Int(p.byte(offset + 2 + i)) }
        // DER and most BER encoders use the short form below 128.
        guard length >= 0x80 || n == 1 else { return nil }
        return (tag, length, offset + 2 + n)
    }

    /// True when the BER header at `offset` could not be read only because the payload ends.
    static func berCut(_ p: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        if offset + 2 > p.count { return true }
        let l0 = p.byte(offset + 1)
        return l0 >= 0x81 && l0 <= 0x84 && offset + 2 + Int(l0 & 0x7F) > p.count
    }
}
