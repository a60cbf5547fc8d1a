import Export
import Ingest
import PacketCore
import Testing

@Suite("pcap reader")
struct PcapReaderTests {
    /// The same two records in every magic and byte order: exact nanoseconds, lengths, offsets.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func magicAndByteOrder(bigEndian: Bool, nanosecond: Bool) throws {
        var file = PcapBuilder(bigEndian: bigEndian, nanosecond: nanosecond, linkType: 101)
        let first: [UInt8] = [0x45, 0x00, 0x00, 0x14, 0xDE, 0xAD]
        file.record(seconds: 1_700_000_000, fraction: nanosecond ? 123_456_789 : 123_456, data: first, wire: 1_514)
        file.record(seconds: 0, fraction: nanosecond ? 999_999_999 : 999_999, data: [])
        try withTemporaryDirectory { dir in
            let path = try writeFile(file.bytes, in: dir, name: "magic.pcap")
            let reader = try CaptureFileReader(path: path)
            #expect(reader.format == .pcap)
            #expect(reader.linkType == .raw)
            #expect(reader.fileSize == UInt64(file.bytes.count))
            #expect(reader.bytesConsumed == 24)
            let outcome = readAll(path)
            #expect(outcome.error == nil)
            #expect(outcome.packets == [
                ReadPacket(timestampNs: nanosecond ? 1_700_000_000_123_456_789 : 1_700_000_000_123_456_000,
                           wireLength: 1_514, capturedLength: 6, linkType: .raw, interfaceIndex: 0,
                           bytes: first, fileOffset: 24),
                ReadPacket(timestampNs: nanosecond ? 999_999_999 : 999_999_000, wireLength: 0, capturedLength: 0,
                           linkType: .raw, interfaceIndex: 0, bytes: [], fileOffset: 24 + 16 + 6),
            ])
        }
    }

    /// Files from the project's own writer (little-endian, nanosecond magic) read back exactly.
    @Test func writerRoundTrip() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/writer.pcap"
            let writer = try CaptureFileWriter(path: path, format: .pcap, linkType: .linuxSLL2)
            try writer.write(frame: pattern(80), timestampNs: 1_234_567_890_123_456_789)
            try writer.write(frame: pattern(20, seed: 3), timestampNs: 5, originalLength: 9_000)
            try writer.close()
            let reader = try CaptureFileReader(path: path)
            #expect(reader.linkType == .linuxSLL2)
            let outcome = readAll(path)
            #expect(outcome.error == nil)
            #expect(outcome.packets == [
                ReadPacket(timestampNs: 1_234_567_890_123_456_789, wireLength: 80, capturedLength: 80,
                           linkType: .linuxSLL2, interfaceIndex: 0, bytes: pattern(80), fileOffset: 24),
                ReadPacket(timestampNs: 5, wireLength: 9_000, capturedLength: 20, linkType: .linuxSLL2,
                           interfaceIndex: 0, bytes: pattern(20, seed: 3), fileOffset: 24 + 16 + 80),
            ])
        }
    }

    /// Decision: a record claiming more captured than wire bytes is kept; wire length is raised.
    @Test func capturedLongerThanWire() throws {
        var file = PcapBuilder(bigEndian: false, nanosecond: false, linkType: 1)
        file.record(seconds: 1, fraction: 2, data: pattern(6), wire: 4)
        try withTemporaryDirectory { dir in
            let outcome = readAll(try writeFile(file.bytes, in: dir, name: "long.pcap"))
            #expect(outcome.error == nil)
            #expect(outcome.packets == [
                ReadPacket(timestampNs: 1_000_002_000, wireLength: 6, capturedLength: 6, linkType: .ethernet,
                           interfaceIndex: 0, bytes: pattern(6), fileOffset: 24),
            ])
        }
    }

    /// The FCS bits above the link type are masked off; the link type value is reported as is.
    @Test func linkTypeFieldMasksFCSBits() throws {
        let file = PcapBuilder(bigEndian: true, nanosecond: false, linkType: 0x1400_0000 | 276)
        try withTemporaryDirectory { dir in
            let reader = try CaptureFileReader(path: try writeFile(file.bytes, in: dir, name: "fcs.pcap"))
            #expect(reader.linkType == .linuxSLL2)
            #expect(try reader.next() == nil)
            #expect(try reader.next() == nil)
        }
    }

    /// Link types downstream does not know are reported, not rejected.
    @Test func unknownLinkTypeIsReported() throws {
        var file = PcapBuilder(bigEndian: false, nanosecond: true, linkType: 147)
        file.record(seconds: 0, fraction: 1, data: [1])
        try withTemporaryDirectory { dir in
            let outcome = readAll(try writeFile(file.bytes, in: dir, name: "user0.pcap"))
            #expect(outcome.error == nil)
            #expect(outcome.packets.map(\.linkType) == [147])
        }
    }
}
