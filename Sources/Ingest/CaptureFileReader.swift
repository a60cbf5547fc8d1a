#if canImport(Glibc)
import Glibc
#endif
public import PacketCore

/// Reads pcap and pcapng capture files record by record, in constant memory.
///
/// A regular file is mapped in windows of `CaptureFileLimits.mapWindow` bytes that slide along it
/// (the kernel's copy into a read buffer was a third of all analysis time); a pipe, or a reader
/// asked for a small buffer, reads with `read(2)` into one fixed buffer. Either way packets are
/// handed out as pointers into that memory (no copy, no allocation per packet), and memory stays
/// constant whatever the file size. The read buffer grows only for a record larger than itself,
/// and never past `CaptureFileLimits`; a record beyond the limits is a corrupt file.
/// A mapped file that another program truncates while it is read ends the process with SIGBUS,
/// as with any mapping: capture to a new file and analyze it once closed.
///
/// Errors: every problem is a `CaptureFileError` naming the path, the byte offset where the bad
/// record or block starts, and what was wrong. Packets before the error have been returned;
/// once `next()` has thrown, it throws the same error on every later call.
///
/// Lengths: when a record says it captured more bytes than the frame had on the wire, the bytes
/// are kept and `wireLength` is raised to the captured length (so `capturedLength <= wireLength`
/// always holds downstream), as tcpdump keeps such records.
public final class CaptureFileReader {
    /// The path given at open.
    public let path: String
    /// Size of the file at open (fstat), for progress; 0 for pipes.
    public let fileSize: UInt64
    /// pcap or pcapng.
    public private(set) var format: CaptureFileFormat = .pcap
    /// The link type of a pcap file; nil for pcapng, where each interface has its own.
    public var linkType: LinkType? { format == .pcap ? pcapLinkType : nil }
    /// Bytes of the file consumed so far: the offset just past the last record returned or skipped.
    public var bytesConsumed: UInt64 { bufferFileOffset + UInt64(head) }

    let fd: Int32
    /// The read buffer; `storage[head..<tail]` holds file bytes not yet consumed.
    var storage: UnsafeMutableRawBufferPointer
    var head = 0
    var tail = 0
    /// File offset of `storage[0]`.
    var bufferFileOffset: UInt64 = 0
    var atEndOfFile = false
    /// `storage` is a read-only mapping of the file (regular files), not an allocated buffer.
    let mapped: Bool
    /// File size as last seen by fstat (a file still being written may grow).
    var mappedFileSize: UInt64
    /// Byte order of the pcap file or of the current pcapng section.
    var byteOrder = FileByteOrder(isBigEndian: false)
    /// pcap: the file's link type.
    var pcapLinkType = LinkType.ethernet
    /// pcap: `ts_frac` counts nanoseconds (magic 0xa1b23c4d) rather than microseconds.
    var pcapNanosecond = false
    /// pcapng: interfaces of the current section, indexed by interface id.
    var interfaces: [PcapngInterface] = []
    /// The error `next()` threw, thrown again on every later call.
    var failure: CaptureFileError?

    /// Opens `path` and reads its file header (pcap) or first section header (pcapng).
    /// `bufferSize` is the read buffer's size; it is at least `CaptureFileLimits.minimumBufferSize`.
    public init(path: String, bufferSize: Int = 1 << 20) throws(CaptureFileError) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CaptureFileError(path: path, offset: 0, reason: "cannot open: \(Self.describe(errno: errno))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            _ = close(descriptor)
            throw CaptureFileError(path: path, offset: 0, reason: "cannot stat: \(Self.describe(errno: code))")
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            _ = close(descriptor)
            throw CaptureFileError(path: path, offset: 0, reason: "is a directory, not a capture file")
        }
        fd = descriptor
        fileSize = UInt64(max(0, info.st_size))
        mappedFileSize = fileSize
        mapped = info.st_mode & S_IFMT == S_IFREG && bufferSize >= CaptureFileLimits.mapThreshold
        storage = mapped ? UnsafeMutableRawBufferPointer(start: nil, count: 0)
            : .allocate(byteCount: max(bufferSize, CaptureFileLimits.minimumBufferSize), alignment: 64)
        // Readahead hint only; failure changes nothing.
        _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
        // Fully initialized from here: a throw releases self, and deinit closes the file.
        try readFileHeader()
    }

    deinit {
        _ = close(fd)
        if mapped {
            if let base = storage.baseAddress { _ = munmap(base, storage.count) }
        } else {
            storage.deallocate()
        }
    }

    /// The next packet, or nil at a clean end of file (the end falls between records).
    /// The packet's `bytes` stay valid until the next call.
    public func next() throws(CaptureFileError) -> CapturedPacket? {
        if let failure { throw failure }
        do throws(CaptureFileError) {
            switch format {
            case .pcap: return try nextPcapRecord()
            case .pcapng: return try nextPcapngPacket()
            }
        } catch {
            failure = error
            throw error
        }
    }

    /// Tells the format by the magic number and reads the header that follows it.
    private func readFileHeader() throws(CaptureFileError) {
        guard try ensure(4) else {
            if available == 0 { throw corrupt(at: 0, "empty file: 0 bytes, not a pcap or pcapng file") }
            throw corrupt(at: 0, "file is \(available) bytes long, too short for a capture file header")
        }
        let magic = buffer.loadBE32(head)
        switch magic {
        case PcapFormat.microsecondLittleEndian:
            try readPcapFileHeader(bigEndian: false, nanosecond: false)
        case PcapFormat.microsecondBigEndian:
            try readPcapFileHeader(bigEndian: true, nanosecond: false)
        case PcapFormat.nanosecondLittleEndian:
            try readPcapFileHeader(bigEndian: false, nanosecond: true)
        case PcapFormat.nanosecondBigEndian:
            try readPcapFileHeader(bigEndian: true, nanosecond: true)
        case PcapngFormat.sectionHeaderBlock:
            format = .pcapng
            try readSectionHeaderBlock()
        default:
            throw corrupt(at: 0, "unknown file magic \(Self.hex(magic)), not pcap or pcapng")
        }
    }
}
