import PacketCore

/// RTSP (RFC 2326 / 7826): "METHOD rtsp://… RTSP/1.0" or "RTSP/1.0 NNN ".
public enum RTSPProbe {
    /// Request lines carry one URI; 1,024 bytes bounds the wait for a newline.
    static let maxLine = 1024
    static let methodCount = 11

    /// RFC 2326 §6.1 methods.
    static func method(_ i: Int) -> StaticString {
        switch i {
        case 0: "OPTIONS"
        case 1: "DESCRIBE"
        case 2: "SETUP"
        case 3: "PLAY"
        case 4: "PAUSE"
        case 5: "TEARDOWN"
        case 6: "ANNOUNCE"
        case 7: "RECORD"
        case 8: "GET_PARAMETER"
        case 9: "SET_PARAMETER"
        default: "REDIRECT"
        }
    }

    /// No port requirement; the version token on the line decides.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 || context.ipProto == 17 else { return .noMatch }
        let status = TextLines.best(ProbeScan.prefix(payload, "RTSP/1.0 "), ProbeScan.prefix(payload, "RTSP/2.0 "))
        if status != .noMatch {
            guard status == .match else { return status }
            guard payload.count >= 13 else { return .needMore }
            return ProbeScan.code3(payload, at: 9) != nil && payload.byte(12) == 0x20 ? .match : .noMatch
        }
        var verdict = ProbeVerdict.noMatch
        var uriStart = -1
        for i in 0..<methodCount {
            let m = method(i)
            let v = ProbeScan.prefix(payload, m)
            if v == .needMore { verdict = .needMore }
            guard v == .match else { continue }
            let n = m.utf8CodeUnitCount
            if n >= payload.count { verdict = .needMore } else if payload.byte(n) == 0x20 { uriStart = n + 1; break }
        }
        guard uriStart > 0 else { return verdict }
        let (state, line) = TextLines.first(payload, limit: maxLine)
        guard state == .match else { return state }
        let version: StaticString = " RTSP/1.0"
        let v = version.utf8CodeUnitCount
        guard line.count > uriStart + v,
              ProbeScan.has(payload, version, at: line.upperBound - v)
                || ProbeScan.has(payload, " RTSP/2.0", at: line.upperBound - v) else { return .noMatch }
        return .match
    }
}
