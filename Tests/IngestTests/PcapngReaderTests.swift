import Export
import Ingest
import PacketCore
import Testing

/// A file using every pcapng feature the reader handles, with the packets it must give.
struct PcapngGolden {
    var file = PcapngBuilder()
    var expected: [ReadPacket] = []

    init() {
        // Section 1, little-endian: three interfaces of different link types and resolutions.
        file.section(bigEndian: false)
        file.interface(linkType: 1, snapLength: 65_535, options: [(9, [9])])             // 10^-9
        file.interface(linkType: 228, snapLength: 0,
                       options: [(9, [6]), file.offsetOption(seconds: 100)])             // 10^-6, +100 s
        file.interface(linkType: 113, snapLength: 0, options: [(2, Array("eth0".utf8)), (9, [0x94])]) // 2^-20

        file.enhancedPacket(interface: 0, timestamp: 1_700_000_000_123_456_789, data: pattern(60))
        expected.append(ReadPacket(timestampNs: 1_700_000_000_123_456_789, wireLength: 60, capturedLength: 60,
                                   linkType: .ethernet, interfaceIndex: 0, bytes: pattern(60),
                                   fileOffset: file.packetStarts.last!))

        file.enhancedPacket(interface: 1, timestamp: 1_700_000_000_123_456, data: pattern(5, seed: 1), wire: 1_514)
        expected.append(ReadPacket(timestampNs: 1_700_000_100_123_456_000, wireLength: 1_514, capturedLength: 5,
                                   linkType: .ipv4, interfaceIndex: 1, bytes: pattern(5, seed: 1),
                                   fileOffset: file.packetStarts.last!))

        // An unknown block type and a statistics block: skipped by their length.
        file.block(type: 0x0000_0BAD, body: pattern(9))
        var stats = file.body()
        stats.u32(0); stats.u32(0); stats.u32(0)
        file.block(type: 5, body: stats.bytes)

        // Binary resolution 2^-20: 1_700_000_000.5 s. Options after the data are not packet bytes.
        file.enhancedPacket(interface: 2, timestamp: (1_700_000_000 << 20) | (1 << 19), data: pattern(7, seed: 2),
                            options: [(1, Array("hello".utf8))])
        expected.append(ReadPacket(timestampNs: 1_700_000_000_500_000_000, wireLength: 7, capturedLength: 7,
                                   linkType: .linuxSLL, interfaceIndex: 2, bytes: pattern(7, seed: 2),
                                   fileOffset: file.packetStarts.last!))

        // Simple Packet Blocks: interface 0, no timestamp; captured bounded by the block's room.
        file.simplePacket(wire: 70, data: pattern(70, seed: 3))
        expected.append(ReadPacket(timestampNs: 0, wireLength: 70, capturedLength: 70, linkType: .ethernet,
                                   interfaceIndex: 0, bytes: pattern(70, seed: 3),
                                   fileOffset: file.packetStarts.last!))
        file.simplePacket(wire: 1_000, data: pattern(16, seed: 4))
        expected.append(ReadPacket(timestampNs: 0, wireLength: 1_000, capturedLength: 16, linkType: .ethernet,
                                   interfaceIndex: 0, bytes: pattern(16, seed: 4),
                                   fileOffset: file.packetStarts.last!))

        // Obsolete Packet Block on interface 1 (µs, +100 s).
        file.packetBlock(interface: 1, drops: 3, timestamp: 1_600_000_000_000_000, data: pattern(10, seed: 5))
        expected.append(ReadPacket(timestampNs: 1_600_000_100_000_000_000, wireLength: 10, capturedLength: 10,
                                   linkType: .ipv4, interfaceIndex: 1, bytes: pattern(10, seed: 5),
                                   fileOffset: file.packetStarts.last!))

        // Section 2, big-endian: interface ids start again at 0; default resolution 10^-6.
        file.section(bigEndian: true)
        file.interface(linkType: 101, snapLength: 8)
        file.enhancedPacket(interface: 0, timestamp: 42, data: [1, 2, 3, 4])
        expected.append(ReadPacket(timestampNs: 42_000, wireLength: 4, capturedLength: 4, linkType: .raw,
                                   interfaceIndex: 0, bytes: [1, 2, 3, 4], fileOffset: file.packetStarts.last!))
        // SPB captured length bounded by the interface's snap length (8).
        file.simplePacket(wire: 20, data: pattern(20, seed: 6))
        expected.append(ReadPacket(timestampNs: 0, wireLength: 20, capturedLength: 8, linkType: .raw,
                                   interfaceIndex: 0, bytes: Array(pattern(20, seed: 6)[0..<8]),
                                   fileOffset: file.packetStarts.last!))
    }
}

@Suite("pcapng reader")
struct PcapngReaderTests {
    @Test(arguments: [64, 100, 4_096, 1 << 20])
    func golden(bufferSize: Int) throws {
        let golden = PcapngGolden()
        try withTemporaryDirectory { dir in
            let path = try writeFile(golden.file.bytes, in: dir, name: "golden.pcapng")
            let reader = try CaptureFileReader(path: path, bufferSize: bufferSize)
            #expect(reader.format == .pcapng)
            #expect(reader.linkType == nil)
            #expect(reader.bytesConsumed == 28)
            var packets: [ReadPacket] = []
            while let packet = try reader.next() { packets.append(ReadPacket(packet)) }
            #expect(packets == golden.expected)
            #expect(reader.bytesConsumed == UInt64(golden.file.bytes.count))
            #expect(reader.fileSize == UInt64(golden.file.bytes.count))
            #expect(try reader.next() == nil)
        }
    }

    /// Negative tsoffset and the decimal resolutions finer than a nanosecond.
    @Test func negativeOffsetAndSubNanosecondResolution() throws {
        var file = PcapngBuilder()
        file.section(bigEndian: true)
        file.interface(linkType: 1, snapLength: 0, options: [(9, [12]), file.offsetOption(seconds: -1)])
        file.interface(linkType: 1, snapLength: 0, options: [(9, [0x80])])  // 2^0: seconds
        file.enhancedPacket(interface: 0, timestamp: 5_000_000_000_123, data: [0])  // 5.000000000123 s - 1 s
        file.enhancedPacket(interface: 0, timestamp: 5, data: [0])                    // clamps at 0
        file.enhancedPacket(interface: 1, timestamp: 7, data: [0])
        try withTemporaryDirectory { dir in
            let outcome = readAll(try writeFile(file.bytes, in: dir, name: "res.pcapng"))
            #expect(outcome.error == nil)
            #expect(outcome.packets.map(\.timestampNs) == [4_000_000_000, 0, 7_000_000_000])
        }
    }

    /// The project's writer (one section, one IDB per link type, 10^-9) reads back exactly.
    @Test func writerRoundTrip() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/writer.pcapng"
            let writer = try CaptureFileWriter(path: path, format: .pcapng)
            try writer.write(frame: pattern(61), timestampNs: 1_700_000_000_000_000_001, linkType: .ethernet)
            try writer.write(frame: pattern(40, seed: 9), timestampNs: 2, originalLength: 1_500, linkType: .ipv6)
            try writer.write(frame: pattern(3), timestampNs: 3, linkType: .ethernet)
            try writer.close()
            let outcome = readAll(path)
            #expect(outcome.error == nil)
            // SHB 28, IDB 32, EPB 32+64, IDB 32, EPB 32+40, EPB.
            #expect(outcome.packets == [
                ReadPacket(timestampNs: 1_700_000_000_000_000_001, wireLength: 61, capturedLength: 61,
                           linkType: .ethernet, interfaceIndex: 0, bytes: pattern(61), fileOffset: 60),
                ReadPacket(timestampNs: 2, wireLength: 1_500, capturedLength: 40, linkType: .ipv6,
                           interfaceIndex: 1, bytes: pattern(40, seed: 9), fileOffset: 60 + 96 + 32),
                ReadPacket(timestampNs: 3, wireLength: 3, capturedLength: 3, linkType: .ethernet,
                           interfaceIndex: 0, bytes: pattern(3), fileOffset: 60 + 96 + 32 + 72),
            ])
        }
    }

    /// Decision shared with pcap: captured > original raises the wire length.
    @Test func capturedLongerThanWire() throws {
        var file = PcapngBuilder()
        file.section(bigEndian: false)
        file.interface(linkType: 1, snapLength: 0)
        file.enhancedPacket(interface: 0, timestamp: 1, data: pattern(6), wire: 2)
        try withTemporaryDirectory { dir in
            let outcome = readAll(try writeFile(file.bytes, in: dir, name: "long.pcapng"))
            #expect(outcome.error == nil)
            #expect(outcome.packets.map(\.wireLength) == [6])
            #expect(outcome.packets.map(\.capturedLength) == [6])
        }
    }

    /// A file ending right after its section header holds no packets and is not an error.
    @Test func sectionWithoutPackets() throws {
        var file = PcapngBuilder()
        file.section(bigEndian: true)
        file.interface(linkType: 1, snapLength: 0)
        try withTemporaryDirectory { dir in
            let outcome = readAll(try writeFile(file.bytes, in: dir, name: "empty.pcapng"))
            #expect(outcome.error == nil)
            #expect(outcome.packets.isEmpty)
        }
    }
}
