import PacketCore

// Line handling shared by the text-protocol probes and parsers (SMTP, IMAP, POP3, FTP, SIP …).

/// Bounded line walks over a text payload.
enum TextLines {
    /// The state of the first line: `.match` with its range (without CR LF) when it is complete
    /// and printable; `.needMore` when no newline came yet within `limit` and all bytes are
    /// printable; `.noMatch` otherwise.
    static func first(_ p: UnsafeRawBufferPointer, limit: Int) -> (ProbeVerdict, Range<Int>) {
        if let line = ProbeScan.line(p, from: 0, limit: limit) {
            return (ProbeScan.isPrintable(p, line) ? .match : .noMatch, line)
        }
        if p.count >= limit { return (.noMatch, 0..<0) }
        let end = p.count > 0 && p.byte(p.count - 1) == 0x0D ? p.count - 1 : p.count
        return (ProbeScan.isPrintable(p, 0..<end) ? .needMore : .noMatch, 0..<0)
    }

    /// Calls `body` with each complete line (without CR LF), at most `maxLines`, each at most
    /// `maxLine` bytes. Returns false when the payload ends inside a line or a line is too long.
    static func each(_ p: UnsafeRawBufferPointer, maxLines: Int, maxLine: Int,
                     _ body: (Range<Int>) -> Void) -> Bool {
        var at = 0, n = 0
        while at < p.count, n < maxLines {
            guard let line = ProbeScan.line(p, from: at, limit: maxLine) else { return false }
            body(line)
            at = ProbeScan.newline(p, from: line.upperBound, limit: 2)! + 1
            n += 1
        }
        return true
    }

    /// `literal` occurs in `range`, ignoring ASCII case.
    static func contains(_ p: UnsafeRawBufferPointer, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        ProbeScan.find(p, literal, from: range.lowerBound, end: range.upperBound, ignoringCase: true) != nil
    }

    /// The line in `range` is exactly `literal`, ignoring ASCII case.
    static func equals(_ p: UnsafeRawBufferPointer, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        range.count == literal.utf8CodeUnitCount && ProbeScan.has(p, literal, at: range.lowerBound, ignoringCase: true)
    }

    /// The line in `range` starts with `literal`, ignoring ASCII case.
    static func starts(_ p: UnsafeRawBufferPointer, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        range.count >= literal.utf8CodeUnitCount && ProbeScan.has(p, literal, at: range.lowerBound, ignoringCase: true)
    }

    /// `range` without leading and trailing spaces and tabs.
    static func trimmed(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi, p.byte(lo) == 0x20 || p.byte(lo) == 0x09 { lo += 1 }
        while hi > lo, p.byte(hi - 1) == 0x20 || p.byte(hi - 1) == 0x09 { hi -= 1 }
        return lo..<hi
    }

    /// Combines alternatives: any match wins, then any needMore.
    static func best(_ a: ProbeVerdict, _ b: ProbeVerdict) -> ProbeVerdict {
        if a == .match || b == .match { return .match }
        if a == .needMore || b == .needMore { return .needMore }
        return .noMatch
    }

    /// A reply line "NNN " or "NNN-" with `code` in its first three bytes: `.match` when those
    /// four bytes are there, `.needMore` when they are cut but agree so far.
    static func reply(_ p: UnsafeRawBufferPointer, _ code: StaticString) -> ProbeVerdict {
        let v = ProbeScan.prefix(p, code)
        guard v == .match else { return v }
        guard p.count > 3 else { return .needMore }
        let sep = p.byte(3)
        return sep == 0x20 || sep == 0x2D ? .match : .noMatch
    }

    /// A client command "VERB" followed by a space or CR LF; `.needMore` when cut but agreeing.
    static func command(_ p: UnsafeRawBufferPointer, _ verb: StaticString) -> ProbeVerdict {
        let v = ProbeScan.prefix(p, verb, ignoringCase: true)
        guard v == .match else { return v }
        let n = verb.utf8CodeUnitCount
        guard p.count > n else { return .needMore }
        let sep = p.byte(n)
        return sep == 0x20 || sep == 0x0D || sep == 0x0A ? .match : .noMatch
    }
}
