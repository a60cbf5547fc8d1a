import Ingest
import Testing

/// Every prefix of a valid file must either end cleanly (exactly at a record boundary, with the
/// packets before it) or throw a CaptureFileError at the start of the record it cuts — never trap.
@Suite("truncation at every byte offset")
struct TruncationTests {
    func checkEveryPrefix(of bytes: [UInt8], cleanEnds: [Int], packetStarts: [Int], packetEnds: [Int],
                          bufferSizes: [Int]) throws {
        try withTemporaryDirectory { dir in
            let fullPath = try writeFile(bytes, in: dir, name: "full")
            let full = readAll(fullPath)
            #expect(full.error == nil)
            #expect(full.packets.count == packetStarts.count)
            let boundaries = [0] + cleanEnds
            for cut in 0...bytes.count {
                let path = try writeFile(Array(bytes[0..<cut]), in: dir, name: "cut")
                for bufferSize in bufferSizes {
                    let outcome = readAll(path, bufferSize: bufferSize)
                    let whole = packetEnds.filter { $0 <= cut }.count
                    #expect(outcome.packets == Array(full.packets[0..<whole]), "cut \(cut)")
                    if cut > 0, cleanEnds.contains(cut) {
                        #expect(outcome.error == nil, "cut \(cut) is a record boundary")
                    } else {
                        let error = try #require(outcome.error, "cut \(cut) must fail")
                        #expect(error.path == path)
                        let recordStart = boundaries.filter { $0 <= cut }.max()!
                        #expect(error.offset == UInt64(recordStart), "cut \(cut): \(error.reason)")
                        #expect(error.reason.contains("ends inside") || error.reason.contains("empty")
                                || error.reason.contains("too short"), "cut \(cut): \(error.reason)")
                    }
                }
            }
        }
    }

    @Test(arguments: [false, true])
    func pcap(bigEndian: Bool) throws {
        var file = PcapBuilder(bigEndian: bigEndian, nanosecond: !bigEndian, linkType: 1)
        file.record(seconds: 1, fraction: 2, data: pattern(5))
        file.record(seconds: 3, fraction: 4, data: [])
        file.record(seconds: 5, fraction: 6, data: pattern(40), wire: 100)
        try checkEveryPrefix(of: file.bytes, cleanEnds: file.cleanEnds, packetStarts: file.recordStarts,
                             packetEnds: Array(file.cleanEnds.dropFirst()), bufferSizes: [64, 1 << 20])
    }

    @Test func pcapng() throws {
        let golden = PcapngGolden()
        let file = golden.file
        let packetEnds = file.packetStarts.map { start in file.cleanEnds[file.blockStarts.firstIndex(of: start)!] }
        try checkEveryPrefix(of: file.bytes, cleanEnds: file.cleanEnds, packetStarts: file.packetStarts,
                             packetEnds: packetEnds, bufferSizes: [64, 1 << 20])
    }
}
