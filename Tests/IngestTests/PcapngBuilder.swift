/// A pcapng file built block by block, in the byte order of the current section.
struct PcapngBuilder {
    var bytes: [UInt8] = []
    var bigEndian = false
    /// Start offset of every block.
    var blockStarts: [Int] = []
    /// End offset of every block: where the file may end cleanly.
    var cleanEnds: [Int] = []
    /// Start offsets of blocks that carry a packet.
    var packetStarts: [Int] = []

    /// Appends a block: type, total length, body padded to 4, total length.
    mutating func block(type: UInt32, body: [UInt8], lengthField: UInt32? = nil, trailerField: UInt32? = nil,
                        isPacket: Bool = false) {
        var padded = body
        while padded.count % 4 != 0 { padded.append(0) }
        let total = UInt32(12 + padded.count)
        var out = ByteBuilder(bigEndian: bigEndian)
        out.u32(type)
        out.u32(lengthField ?? total)
        out.append(padded)
        out.u32(trailerField ?? total)
        blockStarts.append(bytes.count)
        if isPacket { packetStarts.append(bytes.count) }
        bytes.append(contentsOf: out.bytes)
        cleanEnds.append(bytes.count)
    }

    /// A body builder in the current byte order.
    func body() -> ByteBuilder { ByteBuilder(bigEndian: bigEndian) }

    mutating func section(bigEndian: Bool, major: UInt16 = 1) {
        self.bigEndian = bigEndian
        var b = body()
        b.u32(0x1A2B_3C4D); b.u16(major); b.u16(0)
        b.u64(UInt64.max)  // section length unknown
        block(type: 0x0A0D_0D0A, body: b.bytes)
    }

    /// An IDB; options as (code, value) pairs, terminated with opt_endofopt.
    mutating func interface(linkType: UInt16, snapLength: UInt32, options: [(UInt16, [UInt8])] = []) {
        var b = body()
        b.u16(linkType); b.u16(0); b.u32(snapLength)
        appendOptions(options, to: &b)
        block(type: 1, body: b.bytes)
    }

    /// if_tsoffset value in this section's byte order.
    func offsetOption(seconds: Int64) -> (UInt16, [UInt8]) {
        var b = body()
        b.u64(UInt64(bitPattern: seconds))
        return (14, b.bytes)
    }

    mutating func enhancedPacket(interface: UInt32, timestamp: UInt64, data: [UInt8], wire: UInt32? = nil,
                                 capturedField: UInt32? = nil, options: [(UInt16, [UInt8])] = []) {
        var b = body()
        b.u32(interface)
        b.u32(UInt32(timestamp >> 32)); b.u32(UInt32(truncatingIfNeeded: timestamp))
        b.u32(capturedField ?? UInt32(data.count)); b.u32(wire ?? UInt32(data.count))
        b.append(data); b.pad4()
        appendOptions(options, to: &b)
        block(type: 6, body: b.bytes, isPacket: true)
    }

    mutating func simplePacket(wire: UInt32, data: [UInt8]) {
        var b = body()
        b.u32(wire)
        b.append(data)
        block(type: 3, body: b.bytes, isPacket: true)
    }

    /// Obsolete Packet Block (type 2).
    mutating func packetBlock(interface: UInt16, drops: UInt16 = 0, timestamp: UInt64, data: [UInt8],
                              wire: UInt32? = nil) {
        var b = body()
        b.u16(interface); b.u16(drops)
        b.u32(UInt32(timestamp >> 32)); b.u32(UInt32(truncatingIfNeeded: timestamp))
        b.u32(UInt32(data.count)); b.u32(wire ?? UInt32(data.count))
        b.append(data)
        block(type: 2, body: b.bytes, isPacket: true)
    }

    private func appendOptions(_ options: [(UInt16, [UInt8])], to b: inout ByteBuilder) {
        guard !options.isEmpty else { return }
        for (code, value) in options {
            b.u16(code); b.u16(UInt16(value.count)); b.append(value); b.pad4()
        }
        b.u16(0); b.u16(0)
    }
}
