import PacketCore

/// SIP (RFC 3261) over UDP or TCP: "METHOD sip:… SIP/2.0" or "SIP/2.0 NNN ".
public enum SIPProbe {
    /// Request lines carry one URI; 1,024 bytes bounds the wait for a newline.
    static let maxLine = 1024

    /// No port requirement (SIP runs on 5060, 5061 and many others); the line's shape decides.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 || context.ipProto == 17 else { return .noMatch }
        let status = ProbeScan.prefix(payload, "SIP/2.0 ")
        if status != .noMatch {
            guard status == .match else { return status }
            guard payload.count >= 12 else { return .needMore }
            return ProbeScan.code3(payload, at: 8) != nil && payload.byte(11) == 0x20 ? .match : .noMatch
        }
        let (v, _) = requestLine(payload)
        return v
    }

    /// The request line's method and URI when the line is complete and well formed.
    static func requestLine(_ p: UnsafeRawBufferPointer) -> (ProbeVerdict, (SIPMethod, Range<Int>)?) {
        var verdict = ProbeVerdict.noMatch
        var method = SIPMethod.none
        // Raw values over an Int range rather than `allCases` (an array) or a ClosedRange<UInt8>
        // (unspecialized in debug builds, where it allocates for metadata on every call).
        for raw in 1..<(Int(SIPMethod.publish.rawValue) + 1) {
            guard let m = SIPMethod(rawValue: UInt8(raw)) else { continue }
            let v = ProbeScan.prefix(p, m.token)
            if v == .match {
                let end = m.token.utf8CodeUnitCount
                if end < p.count, p.byte(end) == 0x20 { method = m; break }
                if end >= p.count { verdict = .needMore }
            } else if v == .needMore {
                verdict = .needMore
            }
        }
        guard method != .none else { return (verdict, nil) }
        let uriStart = method.token.utf8CodeUnitCount + 1
        let scheme = TextLines.best(ProbeScan.prefix(p, "sip:", at: uriStart, ignoringCase: true),
                                    TextLines.best(ProbeScan.prefix(p, "sips:", at: uriStart, ignoringCase: true),
                                                   ProbeScan.prefix(p, "tel:", at: uriStart, ignoringCase: true)))
        guard scheme == .match else { return (scheme, nil) }
        let (state, line) = TextLines.first(p, limit: maxLine)
        guard state == .match else { return (state, nil) }
        let version: StaticString = " SIP/2.0"
        guard line.count >= uriStart + version.utf8CodeUnitCount + 1,
              ProbeScan.has(p, version, at: line.upperBound - version.utf8CodeUnitCount) else { return (.noMatch, nil) }
        return (.match, (method, uriStart..<(line.upperBound - version.utf8CodeUnitCount)))
    }
}
