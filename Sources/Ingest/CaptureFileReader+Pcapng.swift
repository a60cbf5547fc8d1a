import PacketCore

// pcapng: blocks of type, total length, body, and the total length again. Sections (SHB) set
// the byte order and start a new interface table; packets name an interface of their section.
extension CaptureFileReader {
    /// The next packet of a pcapng file, skipping non-packet blocks; nil at a clean end of file.
    func nextPcapngPacket() throws(CaptureFileError) -> CapturedPacket? {
        while true {
            guard try ensure(PcapngFormat.blockHeaderLength) else {
                if available == 0 { return nil }
                throw corrupt(at: bytesConsumed,
                              "file ends inside a block header: \(available) of \(PcapngFormat.blockHeaderLength) bytes")
            }
            switch byteOrder.load32(buffer, head) {
            case PcapngFormat.enhancedPacketBlock:
                return try readEnhancedPacketBlock()
            case PcapngFormat.simplePacketBlock:
                return try readSimplePacketBlock()
            case PcapngFormat.packetBlock:
                return try readObsoletePacketBlock()
            case PcapngFormat.interfaceDescriptionBlock:
                try readInterfaceDescriptionBlock()
            case PcapngFormat.sectionHeaderBlock:
                try readSectionHeaderBlock()
            case let type:
                // Name resolution, statistics, secrets, custom and unknown blocks: skipped whole.
                consume(try loadBlock(named: "block of type \(Self.hex(type))",
                                      minimumLength: PcapngFormat.minimumBlockLength))
            }
        }
    }

    /// Reads the Section Header Block at `head`: takes its byte order, starts an empty interface table.
    func readSectionHeaderBlock() throws(CaptureFileError) {
        let prefix = PcapngFormat.sectionHeaderPrefixLength
        guard try ensure(prefix) else {
            throw corrupt(at: bytesConsumed, "file ends inside a section header block: \(available) of \(prefix) bytes")
        }
        switch buffer.loadLE32(head + 8) {
        case PcapngFormat.byteOrderMagicLittleEndian:
            byteOrder = FileByteOrder(isBigEndian: false)
        case PcapngFormat.byteOrderMagicBigEndian:
            byteOrder = FileByteOrder(isBigEndian: true)
        case let magic:
            throw corrupt(at: bytesConsumed, "section header byte-order magic \(Self.hex(magic.byteSwapped)) "
                          + "is neither 0x1a2b3c4d nor 0x4d3c2b1a")
        }
        let length = try loadBlock(named: "section header", minimumLength: PcapngFormat.minimumSectionHeaderLength)
        let major = byteOrder.load16(buffer, head + 12)
        let minor = byteOrder.load16(buffer, head + 14)
        guard major == PcapngFormat.supportedMajorVersion else {
            throw corrupt(at: bytesConsumed, "pcapng section version \(major).\(minor) is not supported (only 1.x)")
        }
        // Interface ids are numbered per section. The section length field is advisory; ignored.
        interfaces.removeAll(keepingCapacity: true)
        consume(length)
    }

    /// Checks the block at `head` (whose 8 header bytes are available) and brings it whole into
    /// the buffer: length a multiple of 4, at least `minimumLength`, within the limit, present in
    /// the file, and equal to the trailing copy. Returns its total length.
    func loadBlock(named name: @autoclosure () -> String, minimumLength: Int) throws(CaptureFileError) -> Int {
        let blockOffset = bytesConsumed
        let length = byteOrder.load32(buffer, head + 4)
        guard length % 4 == 0 else {
            throw corrupt(at: blockOffset, "pcapng block length \(length) is not a multiple of 4")
        }
        guard length >= minimumLength else {
            throw corrupt(at: blockOffset, "\(name()) block length \(length) is less than its \(minimumLength)-byte minimum")
        }
        guard length <= CaptureFileLimits.maxPcapngBlockLength else {
            throw corrupt(at: blockOffset, "pcapng block length \(length) is more than the "
                          + "\(CaptureFileLimits.maxPcapngBlockLength)-byte limit")
        }
        let total = Int(length)
        guard try ensure(total) else {
            throw corrupt(at: blockOffset, "file ends inside a block: \(available) of \(total) bytes")
        }
        let trailer = byteOrder.load32(buffer, head + total - 4)
        guard trailer == length else {
            throw corrupt(at: blockOffset, "block total length mismatch (trailer says \(trailer), header says \(length))")
        }
        return total
    }

    /// Reads an Interface Description Block: link type, snap length, `if_tsresol`, `if_tsoffset`.
    func readInterfaceDescriptionBlock() throws(CaptureFileError) {
        let blockOffset = bytesConsumed
        let length = try loadBlock(named: "interface description",
                                   minimumLength: PcapngFormat.minimumInterfaceDescriptionLength)
        guard interfaces.count < CaptureFileLimits.maxInterfacesPerSection else {
            throw corrupt(at: blockOffset, "section describes more than "
                          + "\(CaptureFileLimits.maxInterfacesPerSection) interfaces")
        }
        let bytes = buffer
        let at = head
        let link = UInt32(byteOrder.load16(bytes, at + 8))
        let snapLength = byteOrder.load32(bytes, at + 12)
        var resolution = PcapngFormat.defaultTimestampResolution
        var offsetSeconds: Int64 = 0
        // Options: code(2) length(2) value padded to 4, up to the trailer.
        var cursor = at + PcapngFormat.interfaceOptionsOffset
        let end = at + length - 4
        while end - cursor >= 4 {
            let code = byteOrder.load16(bytes, cursor)
            let valueLength = Int(byteOrder.load16(bytes, cursor + 2))
            if code == PcapngFormat.optionEnd { break }
            let padded = (valueLength + 3) & ~3
            guard padded <= end - cursor - 4 else {
                throw corrupt(at: blockOffset, "interface option \(code) of \(valueLength) bytes runs past the end of its block")
            }
            switch code {
            case PcapngFormat.optionTimestampResolution:
                guard valueLength == 1 else {
                    throw corrupt(at: blockOffset, "if_tsresol option is \(valueLength) bytes long, not 1")
                }
                resolution = bytes.byte(cursor + 4)
            case PcapngFormat.optionTimestampOffset:
                guard valueLength == 8 else {
                    throw corrupt(at: blockOffset, "if_tsoffset option is \(valueLength) bytes long, not 8")
                }
                offsetSeconds = Int64(bitPattern: byteOrder.load64(bytes, cursor + 4))
            default:
                break
            }
            cursor += 4 + padded
        }
        guard let scale = PcapngTimestampScale(timestampResolution: resolution) else {
            throw corrupt(at: blockOffset, "if_tsresol \(Self.describe(resolution: resolution)) is finer than "
                          + "a 64-bit timestamp can count (limits 10^-19 and 2^-63)")
        }
        interfaces.append(PcapngInterface(linkType: LinkType(rawValue: link), snapLength: snapLength,
                                          scale: scale, offsetSeconds: offsetSeconds))
        consume(length)
    }

    /// Reads an Enhanced Packet Block.
    func readEnhancedPacketBlock() throws(CaptureFileError) -> CapturedPacket {
        let blockOffset = bytesConsumed
        let length = try loadBlock(named: "EPB", minimumLength: PcapngFormat.minimumEnhancedPacketLength)
        let id = byteOrder.load32(buffer, head + 8)
        return try packet(in: length, at: blockOffset, interface: id, kind: "EPB")
    }

    /// Reads an obsolete Packet Block: an EPB with a 16-bit interface id and a 16-bit drop count.
    func readObsoletePacketBlock() throws(CaptureFileError) -> CapturedPacket {
        let blockOffset = bytesConsumed
        let length = try loadBlock(named: "packet", minimumLength: PcapngFormat.minimumPacketLength)
        let id = UInt32(byteOrder.load16(buffer, head + 8))
        return try packet(in: length, at: blockOffset, interface: id, kind: "packet block")
    }

    /// The packet of an EPB or Packet Block of `length` bytes at `head`, already checked and loaded.
    /// Both have the timestamp at 12, captured length at 20, original length at 24, data at 28.
    @inline(__always)
    private func packet(in length: Int, at blockOffset: UInt64, interface id: UInt32,
                        kind: StaticString) throws(CaptureFileError) -> CapturedPacket {
        guard id < interfaces.count else {
            throw corrupt(at: blockOffset, "\(kind) names interface \(id) but the section has \(interfaces.count)")
        }
        let bytes = buffer
        let at = head
        let captured = byteOrder.load32(bytes, at + 20)
        let room = length - PcapngFormat.minimumEnhancedPacketLength
        guard captured <= room else {
            throw corrupt(at: blockOffset, "\(kind) captured length \(captured) does not fit in its "
                          + "\(length)-byte block (room for \(room))")
        }
        let wire = byteOrder.load32(bytes, at + 24)
        let interface = interfaces[Int(id)]
        let packet = CapturedPacket(
            timestampNs: interface.timestampNs(high: byteOrder.load32(bytes, at + 12),
                                               low: byteOrder.load32(bytes, at + 16)),
            wireLength: max(wire, captured),
            capturedLength: captured,
            linkType: interface.linkType,
            interfaceIndex: id,
            bytes: UnsafeRawBufferPointer(start: bytes.baseAddress! + at + PcapngFormat.packetDataOffset,
                                          count: Int(captured)),
            fileOffset: blockOffset)
        consume(length)
        prefetchNextRecord()
        return packet
    }

    /// Reads a Simple Packet Block: interface 0, no timestamp (reported as 0), original length only;
    /// captured = min(original length, interface snap length, room in the block).
    func readSimplePacketBlock() throws(CaptureFileError) -> CapturedPacket {
        let blockOffset = bytesConsumed
        let length = try loadBlock(named: "SPB", minimumLength: PcapngFormat.minimumSimplePacketLength)
        guard let interface = interfaces.first else {
            throw corrupt(at: blockOffset, "SPB but the section has no interface")
        }
        let bytes = buffer
        let at = head
        let wire = byteOrder.load32(bytes, at + 8)
        var captured = min(wire, UInt32(length - PcapngFormat.minimumSimplePacketLength))
        if interface.snapLength != 0 { captured = min(captured, interface.snapLength) }
        let packet = CapturedPacket(
            timestampNs: 0,
            wireLength: wire,
            capturedLength: captured,
            linkType: interface.linkType,
            interfaceIndex: 0,
            bytes: UnsafeRawBufferPointer(start: bytes.baseAddress! + at + PcapngFormat.simplePacketDataOffset,
                                          count: Int(captured)),
            fileOffset: blockOffset)
        consume(length)
        return packet
    }

    /// "10^-9" or "2^-20".
    static func describe(resolution: UInt8) -> String {
        resolution & 0x80 != 0 ? "2^-\(resolution & 0x7F)" : "10^-\(resolution)"
    }
}
