public import PacketCore

/// Writes pcap (nanosecond magic) or pcapng (one section, one interface per link type used).
/// Used by `tapline synth` and by tests to build capture files; the files are valid at `close()`.
public final class CaptureFileWriter {
    public enum Format: String, Sendable, CaseIterable {
        case pcap
        case pcapng
    }

    public let format: Format
    private let sink: FileSink
    private let snapLength: UInt32
    /// pcap holds one link type per file; pcapng gets one interface block per link type.
    private var interfaces: [(linkType: UInt32, id: UInt32)] = []
    private var scratch: [UInt8] = []

    /// Creates `path`. For pcap, `linkType` is the file's only link type.
    public init(path: String, format: Format, linkType: LinkType = .ethernet,
                snapLength: UInt32 = 262_144) throws(SystemError) {
        self.format = format
        self.sink = try FileSink(path: path)
        self.snapLength = snapLength
        scratch.reserveCapacity(65_600)
        switch format {
        case .pcap:
            put32le(0xA1B2_3C4D)  // nanosecond timestamps
            put16le(2); put16le(4)
            put32le(0); put32le(0)
            put32le(snapLength)
            put32le(linkType.rawValue)
            interfaces.append((linkType.rawValue, 0))
        case .pcapng:
            // Section Header Block.
            put32le(0x0A0D_0D0A); put32le(28)
            put32le(0x1A2B_3C4D); put16le(1); put16le(0)
            put32le(0xFFFF_FFFF); put32le(0xFFFF_FFFF)  // section length unknown
            put32le(28)
        }
        try flushScratch()
    }

    /// Appends a frame with its capture time and original length (defaults to the bytes given).
    public func write(frame: UnsafeRawBufferPointer, timestampNs: UInt64, originalLength: Int? = nil,
                      linkType: LinkType = .ethernet) throws(SystemError) {
        let caplen = min(frame.count, Int(snapLength))
        let wire = UInt32(originalLength ?? frame.count)
        switch format {
        case .pcap:
            put32le(UInt32(timestampNs / 1_000_000_000))
            put32le(UInt32(timestampNs % 1_000_000_000))
            put32le(UInt32(caplen)); put32le(wire)
            scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: frame[0..<caplen]))
        case .pcapng:
            let id = interfaceID(for: linkType)
            let padded = (caplen + 3) & ~3
            let total = UInt32(32 + padded)
            put32le(6); put32le(total)
            put32le(id)
            put32le(UInt32(timestampNs >> 32)); put32le(UInt32(truncatingIfNeeded: timestampNs))
            put32le(UInt32(caplen)); put32le(wire)
            scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: frame[0..<caplen]))
            for _ in caplen..<padded { scratch.append(0) }
            put32le(total)
        }
        try flushScratch()
    }

    /// Convenience for byte arrays.
    public func write(frame: [UInt8], timestampNs: UInt64, originalLength: Int? = nil,
                      linkType: LinkType = .ethernet) throws(SystemError) {
        var result: Result<Void, SystemError> = .success(())
        frame.withUnsafeBytes { raw in
            do throws(SystemError) {
                try self.write(frame: raw, timestampNs: timestampNs, originalLength: originalLength, linkType: linkType)
            } catch { result = .failure(error) }
        }
        try result.get()
    }

    /// Flushes and closes the file.
    public func close() throws(SystemError) {
        try flushScratch()
        try sink.close()
    }

    private func interfaceID(for linkType: LinkType) -> UInt32 {
        if let found = interfaces.first(where: { $0.linkType == linkType.rawValue }) { return found.id }
        let id = UInt32(interfaces.count)
        interfaces.append((linkType.rawValue, id))
        // Interface Description Block with if_tsresol = 9 (nanoseconds).
        put32le(1); put32le(32)
        put16le(UInt16(truncatingIfNeeded: linkType.rawValue)); put16le(0)
        put32le(snapLength)
        put16le(9); put16le(1); scratch.append(9); scratch.append(0); scratch.append(0); scratch.append(0)
        put16le(0); put16le(0)  // opt_endofopt
        put32le(32)
        return id
    }

    private func put16le(_ v: UInt16) { scratch.append(UInt8(v & 0xFF)); scratch.append(UInt8(v >> 8)) }
    private func put32le(_ v: UInt32) {
        scratch.append(UInt8(v & 0xFF)); scratch.append(UInt8((v >> 8) & 0xFF))
        scratch.append(UInt8((v >> 16) & 0xFF)); scratch.append(UInt8(v >> 24))
    }

    private func flushScratch() throws(SystemError) {
        if scratch.isEmpty { return }
        try sink.write(scratch)
        scratch.removeAll(keepingCapacity: true)
    }
}
