import Foundation
import Ingest
import PacketCore

/// A packet copied out of the reader's buffer, to compare after the buffer has moved on.
struct ReadPacket: Equatable, CustomStringConvertible {
    var timestampNs: UInt64
    var wireLength: UInt32
    var capturedLength: UInt32
    var linkType: UInt32
    var interfaceIndex: UInt32
    var bytes: [UInt8]
    var fileOffset: UInt64

    init(timestampNs: UInt64, wireLength: UInt32, capturedLength: UInt32, linkType: LinkType,
         interfaceIndex: UInt32, bytes: [UInt8], fileOffset: Int) {
        self.timestampNs = timestampNs
        self.wireLength = wireLength
        self.capturedLength = capturedLength
        self.linkType = linkType.rawValue
        self.interfaceIndex = interfaceIndex
        self.bytes = bytes
        self.fileOffset = UInt64(fileOffset)
    }

    init(_ packet: CapturedPacket) {
        timestampNs = packet.timestampNs
        wireLength = packet.wireLength
        capturedLength = packet.capturedLength
        linkType = packet.linkType.rawValue
        interfaceIndex = packet.interfaceIndex
        bytes = Array(packet.bytes)
        fileOffset = packet.fileOffset
    }

    var description: String {
        "ts=\(timestampNs) wire=\(wireLength) cap=\(capturedLength) link=\(linkType) if=\(interfaceIndex) "
            + "off=\(fileOffset) bytes=\(bytes.count)"
    }
}

/// What reading a whole file gave: the packets, then the error if it did not end cleanly.
struct ReadOutcome {
    var packets: [ReadPacket] = []
    var error: CaptureFileError?
}

/// Reads every packet of `path`; the error, if any, is returned with the packets before it.
func readAll(_ path: String, bufferSize: Int = 1 << 20) -> ReadOutcome {
    var outcome = ReadOutcome()
    do throws(CaptureFileError) {
        let reader = try CaptureFileReader(path: path, bufferSize: bufferSize)
        while let packet = try reader.next() {
            outcome.packets.append(ReadPacket(packet))
        }
    } catch {
        outcome.error = error
    }
    return outcome
}

/// A fresh directory under the system temp dir, removed when `body` returns.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("tapline-ingest-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// Writes `bytes` to `directory/name` and returns the path.
@discardableResult
func writeFile(_ bytes: [UInt8], in directory: String, name: String) throws -> String {
    let path = directory + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}
