/// A classic pcap file built byte by byte, remembering where each record ends.
struct PcapBuilder {
    var out: ByteBuilder
    /// Offsets where the file may end cleanly: after the file header and after each record.
    var cleanEnds: [Int] = []
    /// Start offset of each record.
    var recordStarts: [Int] = []

    init(bigEndian: Bool, nanosecond: Bool, linkType: UInt32, snapLength: UInt32 = 65_535) {
        out = ByteBuilder(bigEndian: bigEndian)
        out.u32(nanosecond ? 0xA1B2_3C4D : 0xA1B2_C3D4)
        out.u16(2); out.u16(4)
        out.u32(0); out.u32(0)
        out.u32(snapLength)
        out.u32(linkType)
        cleanEnds.append(out.count)
    }

    mutating func record(seconds: UInt32, fraction: UInt32, data: [UInt8], wire: UInt32? = nil,
                         capturedField: UInt32? = nil) {
        recordStarts.append(out.count)
        out.u32(seconds); out.u32(fraction)
        out.u32(capturedField ?? UInt32(data.count))
        out.u32(wire ?? UInt32(data.count))
        out.append(data)
        cleanEnds.append(out.count)
    }

    var bytes: [UInt8] { out.bytes }
}
