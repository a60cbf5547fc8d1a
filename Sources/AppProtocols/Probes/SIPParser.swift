public import PacketCore

/// What a SIP message's start line and headers say. Ranges are offsets into the payload.
public struct SIPInfo: Sendable, Equatable {
    /// The request method, `.none` for a response.
    public var method: SIPMethod
    /// The response status code, 0 for a request.
    public var statusCode: UInt16
    public var requestURI: Range<Int>?
    /// The URI inside From (or "f"), without display name and parameters.
    public var fromURI: Range<Int>?
    /// The URI inside To (or "t").
    public var toURI: Range<Int>?
    public var callID: Range<Int>?
    public var userAgent: Range<Int>?
    /// The headers did not end with an empty line within the payload or the bounds.
    public var headersTruncated: Bool
}

/// Reads a SIP start line and the headers operators look at. Pure; no allocation.
public enum SIPParser {
    /// A bound on header lines read (RFC 3261 sets none; real messages carry 10–30).
    public static let maxLines = 96

    /// Throws `.truncated` when the start line is incomplete, `.unsupported` when it is not SIP.
    public static func parse(_ p: UnsafeRawBufferPointer) throws(ParseError) -> SIPInfo {
        var info = SIPInfo(method: .none, statusCode: 0, requestURI: nil, fromURI: nil, toURI: nil,
                           callID: nil, userAgent: nil, headersTruncated: true)
        let (state, _) = TextLines.first(p, limit: SIPProbe.maxLine)
        guard state != .needMore else { throw .truncated(needed: p.count + 1, have: p.count) }
        guard state == .match else { throw .unsupported }
        if ProbeScan.has(p, "SIP/2.0 ") {
            guard let code = ProbeScan.code3(p, at: 8) else { throw .unsupported }
            info.statusCode = UInt16(code)
        } else {
            let (v, request) = SIPProbe.requestLine(p)
            guard v == .match, let (method, uri) = request else { throw .unsupported }
            info.method = method
            info.requestURI = uri
        }
        var lines = 0
        var startLine = true
        _ = TextLines.each(p, maxLines: maxLines, maxLine: SIPProbe.maxLine) { line in
            if startLine { startLine = false; return }
            guard info.headersTruncated else { return }
            lines += 1
            if line.isEmpty { info.headersTruncated = false; return }
            guard let colon = ProbeScan.find(p, ":", from: line.lowerBound, end: line.upperBound) else { return }
            let name = TextLines.trimmed(p, line.lowerBound..<colon)
            let value = TextLines.trimmed(p, (colon + 1)..<line.upperBound)
            if isName(p, name, "From", "f") {
                info.fromURI = uri(p, value)
            } else if isName(p, name, "To", "t") {
                info.toURI = uri(p, value)
            } else if isName(p, name, "Call-ID", "i") {
                info.callID = value
            } else if TextLines.equals(p, name, "User-Agent") {
                info.userAgent = value
            }
        }
        return info
    }

    /// The header name is `long` or its compact form `short` (RFC 3261 §7.3.3).
    static func isName(_ p: UnsafeRawBufferPointer, _ name: Range<Int>, _ long: StaticString, _ short: StaticString) -> Bool {
        TextLines.equals(p, name, long) || TextLines.equals(p, name, short)
    }

    /// The URI in a name-addr ("Bob <sip:bob@x>;tag=1") or addr-spec ("sip:bob@x;tag=1").
    static func uri(_ p: UnsafeRawBufferPointer, _ value: Range<Int>) -> Range<Int> {
        if let open = ProbeScan.find(p, "<", from: value.lowerBound, end: value.upperBound),
           let close = ProbeScan.find(p, ">", from: open + 1, end: value.upperBound) {
            return (open + 1)..<close
        }
        let end = ProbeScan.find(p, ";", from: value.lowerBound, end: value.upperBound) ?? value.upperBound
        return value.lowerBound..<end
    }
}
