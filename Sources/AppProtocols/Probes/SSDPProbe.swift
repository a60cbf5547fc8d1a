import PacketCore

/// SSDP (UPnP Device Architecture §1) over UDP: "M-SEARCH * HTTP/1.1" or "NOTIFY * HTTP/1.1"
/// anywhere, and "HTTP/1.1 200 OK" search responses with an ST or USN header on port 1900.
public enum SSDPProbe {
    /// Search responses are short; the header scan stops here.
    static let maxScan = 1024

    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 17 else { return .noMatch }
        if ProbeScan.has(payload, "M-SEARCH * HTTP/1.1\r\n") || ProbeScan.has(payload, "NOTIFY * HTTP/1.1\r\n") {
            return .match
        }
        guard context.hasPort(1900), ProbeScan.has(payload, "HTTP/1.1 200 OK\r\n") else { return .noMatch }
        let usn = ProbeScan.find(payload, "\r\nUSN:", from: 15, end: maxScan, ignoringCase: true)
        let st = ProbeScan.find(payload, "\r\nST:", from: 15, end: maxScan, ignoringCase: true)
        return usn != nil || st != nil ? .match : .noMatch
    }
}
