import PacketCore

/// One interface of a pcapng section, from its Interface Description Block.
struct PcapngInterface {
    var linkType: LinkType
    /// 0 means no limit.
    var snapLength: UInt32
    var scale: PcapngTimestampScale
    /// `if_tsoffset` in nanoseconds (saturated), added to every timestamp.
    var offsetNs: Int64

    init(linkType: LinkType, snapLength: UInt32, scale: PcapngTimestampScale, offsetSeconds: Int64) {
        self.linkType = linkType
        self.snapLength = snapLength
        self.scale = scale
        let (product, overflow) = offsetSeconds.multipliedReportingOverflow(by: 1_000_000_000)
        offsetNs = overflow ? (offsetSeconds < 0 ? .min : .max) : product
    }

    /// Nanoseconds since the epoch for an EPB's 64-bit timestamp; saturates at 0 and `UInt64.max`.
    @inline(__always)
    func timestampNs(high: UInt32, low: UInt32) -> UInt64 {
        let ns = scale.nanoseconds(UInt64(high) << 32 | UInt64(low))
        if offsetNs == 0 { return ns }
        if offsetNs > 0 {
            let (sum, overflow) = ns.addingReportingOverflow(UInt64(offsetNs))
            return overflow ? .max : sum
        }
        let back = offsetNs.magnitude
        return ns > back ? ns - back : 0
    }
}
