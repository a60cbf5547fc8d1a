import Glibc
import Ingest
import PacketCore
import Testing

@Suite("corrupt and unreadable files")
struct CorruptFileTests {
    /// Writes `bytes`, reads the file to its end, and returns what happened.
    func read(_ bytes: [UInt8], name: String = "bad") throws -> (outcome: ReadOutcome, path: String) {
        try withTemporaryDirectory { dir in
            let path = try writeFile(bytes, in: dir, name: name)
            return (readAll(path, bufferSize: 256), path)
        }
    }

    /// A little-endian section with one Ethernet interface, to which a test appends a bad block.
    func sectionWithOneInterface() -> PcapngBuilder {
        var file = PcapngBuilder()
        file.section(bigEndian: false)
        file.interface(linkType: 1, snapLength: 0)
        return file
    }

    @Test func missingFile() throws {
        let outcome = readAll("/nonexistent-tapline-dir/missing.pcap")
        let error = try #require(outcome.error)
        #expect(error.path == "/nonexistent-tapline-dir/missing.pcap")
        #expect(error.offset == 0)
        #expect(error.reason == "cannot open: No such file or directory (errno 2)")
    }

    @Test func directory() throws {
        try withTemporaryDirectory { dir in
            let error = try #require(readAll(dir).error)
            #expect(error.reason == "is a directory, not a capture file")
        }
    }

    // root reads files whatever their mode, so this only runs as another user.
    @Test(.enabled(if: getuid() != 0, "root can read a mode-000 file"))
    func permissionDenied() throws {
        try withTemporaryDirectory { dir in
            let path = try writeFile(PcapBuilder(bigEndian: false, nanosecond: false, linkType: 1).bytes,
                                     in: dir, name: "locked.pcap")
            #expect(chmod(path, 0) == 0)
            let error = try #require(readAll(path).error)
            #expect(error.reason == "cannot open: Permission denied (errno 13)")
        }
    }

    @Test func emptyFile() throws {
        let error = try #require(try read([]).outcome.error)
        #expect(error.offset == 0)
        #expect(error.reason == "empty file: 0 bytes, not a pcap or pcapng file")
    }

    @Test func tooShortForMagic() throws {
        let error = try #require(try read([0xD4, 0xC3, 0xB2]).outcome.error)
        #expect(error.reason == "file is 3 bytes long, too short for a capture file header")
    }

    @Test func unknownMagic() throws {
        let (outcome, path) = try read(Array("GIF89a, not a capture".utf8))
        let error = try #require(outcome.error)
        #expect(error.path == path)
        #expect(error.offset == 0)
        #expect(error.reason == "unknown file magic 0x47494638, not pcap or pcapng")
        #expect(error.description == "\(path): at byte 0: unknown file magic 0x47494638, not pcap or pcapng")
    }

    @Test func pcapUnsupportedVersion() throws {
        var bytes = PcapBuilder(bigEndian: false, nanosecond: false, linkType: 1).bytes
        bytes[4] = 3
        let error = try #require(try read(bytes).outcome.error)
        #expect(error.reason == "pcap version 3.4 is not supported (only 2.x)")
    }

    /// An absurd captured length fails at its record, after the good record before it; the
    /// reader keeps throwing the same error.
    @Test func pcapAbsurdCapturedLength() throws {
        var file = PcapBuilder(bigEndian: true, nanosecond: false, linkType: 1)
        file.record(seconds: 1, fraction: 0, data: pattern(10))
        file.record(seconds: 2, fraction: 0, data: pattern(10), capturedField: 0xFFFF_FFFF)
        try withTemporaryDirectory { dir in
            let path = try writeFile(file.bytes, in: dir, name: "absurd.pcap")
            let reader = try CaptureFileReader(path: path)
            #expect(try reader.next()?.capturedLength == 10)
            let reason = "pcap record header says 4294967295 captured bytes, more than the 262144-byte limit"
            for _ in 0..<2 {
                let error = try #require(throws: CaptureFileError.self) { try reader.next() }
                #expect(error.offset == 50)
                #expect(error.reason == reason)
            }
        }
    }

    @Test func pcapCapturedLengthJustOverLimit() throws {
        var file = PcapBuilder(bigEndian: false, nanosecond: true, linkType: 1)
        file.record(seconds: 1, fraction: 0, data: [], capturedField: 262_145)
        let error = try #require(try read(file.bytes).outcome.error)
        #expect(error.offset == 24)
        #expect(error.reason == "pcap record header says 262145 captured bytes, more than the 262144-byte limit")
    }

    @Test func pcapEndsInsideRecordHeader() throws {
        var file = PcapBuilder(bigEndian: false, nanosecond: false, linkType: 1)
        file.record(seconds: 1, fraction: 0, data: pattern(4))
        let (outcome, _) = try read(Array(file.bytes[0..<(24 + 12)]))
        let error = try #require(outcome.error)
        #expect(outcome.packets.isEmpty)
        #expect(error.offset == 24)
        #expect(error.reason == "file ends inside a record: 12 of 16 header bytes")
    }

    @Test func pcapEndsInsideRecordData() throws {
        var file = PcapBuilder(bigEndian: false, nanosecond: false, linkType: 1)
        file.record(seconds: 1, fraction: 0, data: pattern(4))
        file.record(seconds: 1, fraction: 0, data: pattern(60))
        let (outcome, _) = try read(Array(file.bytes.dropLast(30)))
        let error = try #require(outcome.error)
        #expect(outcome.packets.count == 1)
        #expect(error.offset == 44)
        #expect(error.reason == "file ends inside a record: 30 of 60 captured bytes")
    }

    @Test func pcapEndsInsideFileHeader() throws {
        let bytes = PcapBuilder(bigEndian: true, nanosecond: true, linkType: 1).bytes
        let error = try #require(try read(Array(bytes[0..<10])).outcome.error)
        #expect(error.reason == "file ends inside the pcap file header: 10 of 24 bytes")
    }

    @Test func pcapngBlockLengthNotMultipleOfFour() throws {
        var file = sectionWithOneInterface()
        file.enhancedPacket(interface: 0, timestamp: 0, data: pattern(4))
        let badAt = file.bytes.count
        file.block(type: 6, body: pattern(20), lengthField: 10)
        let (outcome, _) = try read(file.bytes)
        let error = try #require(outcome.error)
        #expect(outcome.packets.count == 1)
        #expect(error.offset == UInt64(badAt))
        #expect(error.reason == "pcapng block length 10 is not a multiple of 4")
    }

    @Test func pcapngBlockShorterThanItsFixedFields() throws {
        var file = sectionWithOneInterface()
        let badAt = file.bytes.count
        file.block(type: 6, body: pattern(8))  // 20 bytes, an EPB needs 32
        let error = try #require(try read(file.bytes).outcome.error)
        #expect(error.offset == UInt64(badAt))
        #expect(error.reason == "EPB block length 20 is less than its 32-byte minimum")
    }

    @Test func pcapngAbsurdBlockLength() throws {
        var file = sectionWithOneInterface()
        file.block(type: 6, body: pattern(20), lengthField: 0xFFFF_FFFC)
        let error = try #require(try read(file.bytes).outcome.error)
        #expect(error.reason == "pcapng block length 4294967292 is more than the 16777216-byte limit")
    }

    @Test func pcapngTrailerMismatch() throws {
        var file = sectionWithOneInterface()
        let badAt = file.bytes.count
        file.block(type: 0x0BAD, body: pattern(20), trailerField: 36)
        let error = try #require(try read(file.bytes).outcome.error)
        #expect(error.offset == UInt64(badAt))
        #expect(error.reason == "block total length mismatch (trailer says 36, header says 32)")
    }

    @Test func pcapngUnknownInterface() throws {
        var file = sectionWithOneInterface()
        let badAt = file.bytes.count
        file.enhancedPacket(interface: 3, timestamp: 0, data: pattern(4))
        let error = try #require(try read(file.bytes).outcome.error)
        #expect(error.offset == UInt64(badAt))
        #expect(error.reason == "EPB names interface 3 but the section has 1")
    }

    /// Interface ids are per section: the second section's EPB cannot use the first's interface 1.
    @Test func pcapngInterfacesResetBySection() throws {
        var file = PcapngBuilder()
        file.section(bigEndian: false)
        file.interface(linkType: 1, snapLength: 0)
        file.interface(linkType: 101, snapLength: 0)
        file.enhancedPacket(interface: 1, timestamp: 0, data: pattern(4))
        file.section(bigEndian: true)
        file.interface(linkType: 1, snapLength: 0)
        file.enhancedPacket(interface: 1, timestamp: 0, data: pattern(4))
        let (outcome, _) = try read(file.bytes)
        #expect(outcome.packets.map(\.linkType) == [101])
        #expect(outcome.error?.reason == "EPB names interface 1 but the section has 1")
    }

    @Test func pcapngObsoletePacketBlockUnknownInterface() throws {
        var file = sectionWithOneInterface()
        file.packetBlock(interface: 2, timestamp: 0, data: [1])
        let error = try #require(try read(file.bytes).outcome.error)
        #expect(error.reason == "packet block names interface 2 but the section has 1")
    }

    @Test func pcapngSimplePacketWithoutInterface() throws {
        var file = PcapngBuilder()
        file.section(bigEndian: false)
        file.simplePacket(wire: 4, data: pattern(4))
        let error = try #require(try read(file.bytes).outcome.error)
        #expect(error.offset == 28)
        #expect(error.reason == "SPB but the section has no interface")
    }

    @Test func pcapngCapturedLengthPastBlock() throws {
        var file = sectionWithOneInterface()
        file.enhancedPacket(interface: 0, timestamp: 0, data: pattern(8), capturedField: 9)
        let error = try #require(try read(file.bytes).outcome.error)
        #expect(error.reason == "EPB captured length 9 does not fit in its 40-byte block (room for 8)")
    }

    @Test func pcapngBadByteOrderMagic() throws {
        var file = sectionWithOneInterface()
        let badAt = file.bytes.count
        file.section(bigEndian: false)
        file.bytes[badAt + 8] = 0x00
        let (outcome, _) = try read(file.bytes)
        let error = try #require(outcome.error)
        #expect(error.offset == UInt64(badAt))
        #expect(error.reason == "section header byte-order magic 0x003c2b1a is neither 0x1a2b3c4d nor 0x4d3c2b1a")
    }

    @Test func pcapngUnsupportedVersion() throws {
        var file = PcapngBuilder()
        file.section(bigEndian: true, major: 2)
        let error = try #require(try read(file.bytes).outcome.error)
        #expect(error.reason == "pcapng section version 2.0 is not supported (only 1.x)")
    }

    @Test func pcapngResolutionTooFine() throws {
        var file = PcapngBuilder()
        file.section(bigEndian: false)
        file.interface(linkType: 1, snapLength: 0, options: [(9, [20])])
        let error = try #require(try read(file.bytes).outcome.error)
        #expect(error.offset == 28)
        #expect(error.reason == "if_tsresol 10^-20 is finer than a 64-bit timestamp can count (limits 10^-19 and 2^-63)")
    }

    @Test func pcapngOptionRunsPastBlock() throws {
        var file = PcapngBuilder()
        file.section(bigEndian: false)
        var body = file.body()
        body.u16(1); body.u16(0); body.u32(0)
        body.u16(2); body.u16(200); body.u32(0)  // if_name claiming 200 bytes, 4 present
        file.block(type: 1, body: body.bytes)
        let error = try #require(try read(file.bytes).outcome.error)
        #expect(error.reason == "interface option 2 of 200 bytes runs past the end of its block")
    }

    @Test func pcapngBadOptionLength() throws {
        var file = PcapngBuilder()
        file.section(bigEndian: false)
        file.interface(linkType: 1, snapLength: 0, options: [(14, [1, 2, 3, 4])])
        let error = try #require(try read(file.bytes).outcome.error)
        #expect(error.reason == "if_tsoffset option is 4 bytes long, not 8")
    }
}
