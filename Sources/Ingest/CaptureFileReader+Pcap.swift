import PacketCore

// Classic pcap: a 24-byte file header, then records of a 16-byte header and the captured bytes.
extension CaptureFileReader {
    /// Reads the pcap file header at the start of the file.
    func readPcapFileHeader(bigEndian: Bool, nanosecond: Bool) throws(CaptureFileError) {
        guard try ensure(PcapFormat.fileHeaderLength) else {
            throw corrupt(at: 0, "file ends inside the pcap file header: \(available) of \(PcapFormat.fileHeaderLength) bytes")
        }
        byteOrder = FileByteOrder(isBigEndian: bigEndian)
        pcapNanosecond = nanosecond
        let bytes = buffer
        let at = head
        let major = byteOrder.load16(bytes, at + 4)
        let minor = byteOrder.load16(bytes, at + 6)
        guard major == PcapFormat.supportedMajorVersion else {
            throw corrupt(at: 0, "pcap version \(major).\(minor) is not supported (only 2.x)")
        }
        // thiszone and sigfigs are always 0 in practice and ignored, as libpcap does; the file's
        // snaplen does not bound records (libpcap accepts larger ones), the reader's limit does.
        let link = byteOrder.load32(bytes, at + 20) & PcapFormat.linkTypeMask
        pcapLinkType = LinkType(rawValue: link)
        consume(PcapFormat.fileHeaderLength)
    }

    /// The next pcap record, or nil at a clean end of file.
    func nextPcapRecord() throws(CaptureFileError) -> CapturedPacket? {
        let headerLength = PcapFormat.recordHeaderLength
        guard try ensure(headerLength) else {
            if available == 0 { return nil }
            throw corrupt(at: bytesConsumed, "file ends inside a record: \(available) of \(headerLength) header bytes")
        }
        let recordOffset = bytesConsumed
        let captured = byteOrder.load32(buffer, head + 8)
        guard captured <= CaptureFileLimits.maxPcapCaptureLength else {
            throw corrupt(at: recordOffset, "pcap record header says \(captured) captured bytes, "
                          + "more than the \(CaptureFileLimits.maxPcapCaptureLength)-byte limit")
        }
        let recordLength = headerLength + Int(captured)
        guard try ensure(recordLength) else {
            throw corrupt(at: recordOffset, "file ends inside a record: \(available - headerLength) of \(captured) captured bytes")
        }
        // ensure() may have moved the window: read head again. The whole record is in the buffer,
        // so every load below is within storage[head..<head + recordLength].
        let bytes = buffer
        let at = head
        let seconds = UInt64(byteOrder.load32(bytes, at))
        let fraction = UInt64(byteOrder.load32(bytes, at + 4))
        let wire = byteOrder.load32(bytes, at + 12)
        // No overflow: seconds < 2^32 gives < 4.3e18 ns, fraction * 1000 < 4.3e12, sum < 2^64.
        let timestampNs = seconds &* 1_000_000_000 &+ (pcapNanosecond ? fraction : fraction &* 1_000)
        let packet = CapturedPacket(
            timestampNs: timestampNs,
            wireLength: max(wire, captured),
            capturedLength: captured,
            linkType: pcapLinkType,
            interfaceIndex: 0,
            bytes: UnsafeRawBufferPointer(start: bytes.baseAddress! + at + headerLength, count: Int(captured)),
            fileOffset: recordOffset)
        consume(recordLength)
        prefetchNextRecord()
        return packet
    }
}
