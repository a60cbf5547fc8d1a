import Export
import Ingest
import PacketCore
import Testing

@Suite("streaming through a small buffer")
struct StreamingTests {
    static func length(of index: Int) -> Int { 60 + (index &* 37) % 1_441 }

    /// 1000 records of varying length through a 4 KiB buffer: records straddle the buffer's end
    /// hundreds of times; every byte, time and offset must come back exact.
    @Test(arguments: CaptureFileWriter.Format.allCases)
    func thousandRecordsThroughFourKiB(format: CaptureFileWriter.Format) throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/many." + format.rawValue
            let writer = try CaptureFileWriter(path: path, format: format)
            for index in 0..<1_000 {
                try writer.write(frame: pattern(Self.length(of: index), seed: index),
                                 timestampNs: 1_700_000_000_000_000_000 + UInt64(index) * 1_001)
            }
            try writer.close()

            let reader = try CaptureFileReader(path: path, bufferSize: 4_096)
            // pcap: 24-byte header, 16-byte record headers; pcapng: SHB 28 + IDB 32, EPB 32 + padded data.
            var offset: UInt64 = format == .pcap ? 24 : 60
            var count = 0
            while let packet = try reader.next() {
                let length = Self.length(of: count)
                #expect(packet.timestampNs == 1_700_000_000_000_000_000 + UInt64(count) * 1_001)
                #expect(packet.capturedLength == UInt32(length))
                #expect(packet.wireLength == UInt32(length))
                #expect(packet.linkType == .ethernet)
                #expect(packet.fileOffset == offset)
                #expect(Array(packet.bytes) == pattern(length, seed: count))
                offset += format == .pcap ? UInt64(16 + length) : UInt64(32 + (length + 3) & ~3)
                #expect(reader.bytesConsumed == offset)
                count += 1
            }
            #expect(count == 1_000)
            #expect(reader.bytesConsumed == reader.fileSize)
            #expect(reader.fileSize > 100 * 4_096)
        }
    }

    /// A record larger than the buffer but within the limits grows the buffer once and reads exactly;
    /// the largest pcap record allowed (262144 bytes) reads too.
    @Test(arguments: CaptureFileWriter.Format.allCases)
    func recordLargerThanBuffer(format: CaptureFileWriter.Format) throws {
        let sizes = [100, 100_000, 7, CaptureFileLimits.maxPcapCaptureLength, 50]
        try withTemporaryDirectory { dir in
            let path = dir + "/large." + format.rawValue
            let writer = try CaptureFileWriter(path: path, format: format)
            for (index, size) in sizes.enumerated() {
                try writer.write(frame: pattern(size, seed: index), timestampNs: UInt64(index))
            }
            try writer.close()
            let outcome = readAll(path, bufferSize: 4_096)
            #expect(outcome.error == nil)
            #expect(outcome.packets.map(\.capturedLength) == sizes.map { UInt32($0) })
            for (index, packet) in outcome.packets.enumerated() {
                #expect(packet.bytes == pattern(sizes[index], seed: index))
                #expect(packet.timestampNs == UInt64(index))
            }
        }
    }

    /// The smallest buffer is raised to the minimum and still reads everything.
    @Test func tinyBufferSizeIsRaised() throws {
        let golden = PcapngGolden()
        try withTemporaryDirectory { dir in
            let path = try writeFile(golden.file.bytes, in: dir, name: "tiny.pcapng")
            #expect(readAll(path, bufferSize: 1).packets == golden.expected)
        }
    }
}
