/// A DNS name decoded into fixed storage: labels joined by dots, at most `capacity` bytes.
@frozen
public struct DNSName: Sendable, BitwiseCopyable {
    /// RFC 1035 §2.3.4: a name is at most 255 octets on the wire; its text form is shorter.
    public static let capacity = 255
    public var bytes: InlineArray<255, UInt8> = .init(repeating: 0)
    public var count: Int = 0
    @inlinable public init() {}

    @inlinable
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(of: bytes) { body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    @inlinable
    mutating func append(_ b: UInt8) -> Bool {
        guard count < Self.capacity else { return false }
        bytes[count] = b
        count += 1
        return true
    }

    /// Appends as much of `label` as fits in one copy; false when some of it did not fit.
    @inlinable
    mutating func append(_ label: UnsafeRawBufferPointer) -> Bool {
        let n = min(label.count, Self.capacity - count)
        if n > 0 {
            let at = count
            withUnsafeMutableBytes(of: &bytes) { all in
                all.baseAddress!.advanced(by: at).copyMemory(from: label.baseAddress!, byteCount: n)
            }
            count += n
        }
        return n == label.count
    }

    public var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }
}

/// What one DNS message says, as scalars and fixed-size names.
@frozen
public struct DNSSummary: Sendable, BitwiseCopyable {
    public var id: UInt16 = 0
    public var isResponse = false
    public var opcode: UInt8 = 0
    public var rcode: UInt8 = 0
    public var questions: UInt16 = 0
    public var answers: UInt16 = 0
    /// First question's name and type (an empty name and type 0 when there is no question).
    public var qname = DNSName()
    public var qtype: UInt16 = 0
    public var qclass: UInt16 = 0
    /// First A, AAAA or CNAME answer, as text (dotted quad, RFC 5952, or a name); type 0 if none.
    public var firstAnswer = DNSName()
    public var firstAnswerType: UInt16 = 0
    /// Anomalies: `dnsNameLoop`, `malformed`.
    public var flags: L7Flags = []
    /// Length of the message (without the TCP length prefix).
    public var length: Int = 0
    @inlinable public init() {}
}

/// DNS (RFC 1035), mDNS (RFC 6762) and LLMNR (RFC 4795) messages: pure functions of the bytes.
public enum DNSMessage {
    /// RFC 1035 §4.1.1: the fixed header.
    public static let headerLength = 12
    /// Compression pointers followed per name before it counts as a loop. Real names need a
    /// handful; 32 leaves room for deep suffix sharing and bounds the work on hostile input.
    public static let maxPointers = 32
    /// RFC 1035 §2.3.4: labels are at most 63 octets; 127 labels fill the 255-octet limit.
    public static let maxLabels = 127
    /// Resource records walked to find the first A/AAAA/CNAME answer: bounds work per message.
    public static let maxRecordsWalked = 32
    /// Section counts above this are not a DNS message (the probe's plausibility bound; a
    /// 64 KiB message holds at most ~5000 records, real ones a few dozen).
    public static let maxPlausibleCount: UInt16 = 256

    /// Parses one message starting at offset 0 of `msg` (compression offsets are relative to it).
    public static func parse(_ msg: UnsafeRawBufferPointer, into out: inout DNSSummary) -> ParseStatus {
        guard let id = msg.u16(0), let flags = msg.u16(2), let qd = msg.u16(4), let an = msg.u16(6),
              let ns = msg.u16(8), let ar = msg.u16(10)
        else { return .needMore }
        out.id = id
        out.isResponse = flags & 0x8000 != 0
        out.opcode = UInt8((flags >> 11) & 0x0F)
        out.rcode = UInt8(flags & 0x0F)
        out.questions = qd
        out.answers = an
        out.length = msg.count
        // Absurd counts (fuzzed or hostile) do not hide the first question; they stop the walk
        // before the answers. The probe judges plausibility, not the parser.
        let plausible = qd <= maxPlausibleCount && an <= maxPlausibleCount && ns <= maxPlausibleCount
            && ar <= maxPlausibleCount
        if !plausible { out.flags.insert(.malformed) }
        var p = headerLength
        for q in 0..<(plausible ? Int(qd) : min(Int(qd), 1)) {
            var scratch = DNSName()
            let (end, ok) = q == 0 ? readName(msg, at: p, into: &out.qname, flags: &out.flags)
                                   : readName(msg, at: p, into: &scratch, flags: &out.flags)
            guard ok, let t = msg.u16(end), let c = msg.u16(end + 2) else { out.flags.insert(.malformed); return .invalid }
            if q == 0 { out.qtype = t; out.qclass = c }
            p = end + 4
        }
        // Answers: find the first A/AAAA/CNAME; a cut answer section keeps what the question gave.
        if !plausible { return .done }
        var walked = 0
        var owner = DNSName()  // only its end offset is wanted; readName resets it per record
        while walked < Int(an) && walked < maxRecordsWalked && out.firstAnswerType == 0 {
            let (end, ok) = readName(msg, at: p, into: &owner, flags: &out.flags)
            guard ok, let type = msg.u16(end), let rdLength = msg.u16(end + 8) else { out.flags.insert(.malformed); break }
            let rd = end + 10
            guard rd + Int(rdLength) <= msg.count else { out.flags.insert(.malformed); break }
            switch type {
            case 1 where rdLength == 4:
                IPText.appendIPv4(msg.slice(rd..<rd + 4), to: &out.firstAnswer)
                out.firstAnswerType = 1
            case 28 where rdLength == 16:
                IPText.appendIPv6(msg.slice(rd..<rd + 16), to: &out.firstAnswer)
                out.firstAnswerType = 28
            case 5:
                let (_, ok) = readName(msg, at: rd, into: &out.firstAnswer, flags: &out.flags)
                if ok { out.firstAnswerType = 5 } else { out.firstAnswer.count = 0 }
            default: break
            }
            p = rd + Int(rdLength)
            walked += 1
        }
        return .done
    }

    /// Reads the name at `offset` into `name`; returns the offset after the name as it sits at
    /// `offset` (after its first pointer, if any) and whether it was well formed. Never reads past
    /// `msg`; loops and too many pointers or labels stop it with `dnsNameLoop`.
    public static func readName(_ msg: UnsafeRawBufferPointer, at offset: Int, into name: inout DNSName,
                                flags: inout L7Flags) -> (end: Int, ok: Bool) {
        var p = offset
        var end = -1
        var pointers = 0
        var labels = 0
        name.count = 0
        while true {
            guard let len = msg.u8(p) else { return (p, false) }
            switch len & 0xC0 {
            case 0x00:
                if len == 0 { return (end >= 0 ? end : p + 1, true) }
                labels += 1
                guard labels <= maxLabels else { flags.insert(.dnsNameLoop); return (p, false) }
                let start = p + 1, stop = start + Int(len)
                guard stop <= msg.count else { return (p, false) }
                if name.count > 0 && !name.append(UInt8(ascii: ".")) { flags.insert(.textTruncated) }
                if !name.append(msg.slice(start..<stop)) { flags.insert(.textTruncated) }
                p = stop
            case 0xC0:
                guard let lo = msg.u8(p + 1) else { return (p, false) }
                if end < 0 { end = p + 2 }
                pointers += 1
                let target = Int(len & 0x3F) << 8 | Int(lo)
                // A pointer to itself or beyond the message is invalid; loops end at the pointer bound.
                guard pointers <= maxPointers, target != p, target < msg.count else {
                    flags.insert(.dnsNameLoop); return (end, false)
                }
                p = target
            default:
                // 0x40 and 0x80 are extended/reserved label types (RFC 6891 §5): not decoded.
                return (p, false)
            }
        }
    }

    /// Plausibility check used for classification: a header and every question parse, the
    /// counts are small, and the first question's class is IN/ANY (or mDNS's unicast-response bit).
    public static func probe(_ msg: UnsafeRawBufferPointer) -> ProbeVerdict {
        guard msg.count >= headerLength else { return .needMore }
        var s = DNSSummary()
        guard parse(msg, into: &s) == .done, !s.flags.contains(.malformed) || s.answers <= maxPlausibleCount,
              s.questions <= maxPlausibleCount, s.answers <= maxPlausibleCount
        else { return .noMatch }
        if s.opcode > 5 || s.opcode == 3 { return .noMatch }
        if s.questions == 0 { return s.isResponse && s.answers > 0 ? .match : .noMatch }
        let cls = s.qclass & 0x7FFF
        return cls == 1 || cls == 255 || cls == 3 || cls == 4 ? .match : .noMatch
    }

    /// DNS over TCP (RFC 1035 §4.2.2): the message behind a 2-byte length. `.needMore` until the
    /// whole first message is present.
    public static func parseTCP(_ stream: UnsafeRawBufferPointer, into out: inout DNSSummary) -> ParseStatus {
        guard let n = stream.u16(0) else { return .needMore }
        if Int(n) < headerLength { return .invalid }
        if 2 + Int(n) > stream.count {
            // Enough to judge the header already: reject garbage before buffering it.
            if stream.count >= 2 + headerLength {
                let h = stream.slice(2..<stream.count)
                if let qd = h.u16(4), qd > maxPlausibleCount { return .invalid }
            }
            return .needMore
        }
        return parse(stream.slice(2..<2 + Int(n)), into: &out)
    }
}
