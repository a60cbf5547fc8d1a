public import Export
public import FlowTrack

/// NDJSON flow records to standard output, one file, or a series of files rotated by size and by
/// record time. With rotation, files are `PATH.000000`, `PATH.000001`, …; without, exactly `PATH`.
/// Every file holds whole lines and is flushed when it is closed (rotation and exit).
public final class RotatingNDJSONWriter {
    public let path: String
    /// Rotate after this many bytes (0 = never).
    public let maxBytes: UInt64
    /// Rotate when a file spans this many seconds of record end time (0 = never).
    public let maxSeconds: UInt64
    private var writer: NDJSONWriter
    private var bytesInFile: UInt64 = 0
    private var firstNs: UInt64 = 0
    private var index = 0
    public private(set) var records: UInt64 = 0
    public private(set) var files: [String] = []

    public var rotates: Bool { path != "-" && (maxBytes > 0 || maxSeconds > 0) }

    public init(path: String, maxBytes: UInt64 = 0, maxSeconds: UInt64 = 0) throws(SystemError) {
        self.path = path; self.maxBytes = maxBytes; self.maxSeconds = maxSeconds
        let rotating = path != "-" && (maxBytes > 0 || maxSeconds > 0)
        let first = rotating ? Self.name(path, 0) : path
        writer = try NDJSONWriter(path: first)
        files = [first]
        index = 1
    }

    static func name(_ path: String, _ i: Int) -> String {
        let s = String(i)
        return path + "." + String(repeating: "0", count: max(0, 6 - s.count)) + s
    }

    public func write(_ r: FlowRecord) throws(SystemError) {
        if rotates && writer.records > 0 {
            let bySize = maxBytes > 0 && bytesInFile >= maxBytes
            let byTime = maxSeconds > 0 && r.endNs >= firstNs && r.endNs - firstNs >= maxSeconds * 1_000_000_000
            if bySize || byTime {
                try writer.close()
                let next = Self.name(path, index)
                index += 1
                writer = try NDJSONWriter(path: next)
                files.append(next)
                bytesInFile = 0
            }
        }
        if writer.records == 0 { firstNs = r.endNs }
        let before = writer.bytesEncoded
        try writer.write(r)
        bytesInFile += writer.bytesEncoded - before
        records += 1
    }

    public func close() throws(SystemError) { try writer.close() }
}
