import PacketCore

/// XMPP (RFC 6120) over TCP: a stream header, "<?xml …?>" then "<stream:stream", either way.
public enum XMPPProbe {
    /// The XML declaration and stream attributes fit well within this.
    static let maxScan = 512

    /// No port requirement (5222/5269 are usual); the stream element decides.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 else { return .noMatch }
        let p = payload
        let direct = ProbeScan.prefix(p, "<stream:stream")
        if direct != .noMatch { return direct }
        let xml = ProbeScan.prefix(p, "<?xml")
        guard xml == .match else { return xml }
        // The declaration before the stream element is text.
        if let at = ProbeScan.find(p, "<stream:stream", from: 5, end: maxScan) {
            return ProbeScan.isText(p, limit: at) ? .match : .noMatch
        }
        guard p.count < maxScan, ProbeScan.isText(p, limit: maxScan) else { return .noMatch }
        return .needMore
    }
}
