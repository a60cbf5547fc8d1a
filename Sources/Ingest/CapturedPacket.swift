public import PacketCore

/// One packet read from a capture file. `bytes` points into the reader's buffer and is valid
/// only until the reader's next call to `next()` (or until the reader is released).
public struct CapturedPacket {
    /// Capture time in nanoseconds since the Unix epoch (0 for a pcapng Simple Packet Block,
    /// which carries no timestamp).
    public var timestampNs: UInt64
    /// Length of the frame on the wire (original length), never less than `capturedLength`.
    public var wireLength: UInt32
    /// Bytes captured, `bytes.count`.
    public var capturedLength: UInt32
    /// Link-layer type of the interface the packet was captured on.
    public var linkType: LinkType
    /// pcapng interface id within its section; 0 for pcap.
    public var interfaceIndex: UInt32
    /// The captured bytes, in place in the reader's buffer.
    public var bytes: UnsafeRawBufferPointer
    /// Byte offset in the file where the packet's record (pcap) or block (pcapng) starts.
    public var fileOffset: UInt64

    /// Makes a packet view; readers build these, tests and replay tools may too.
    public init(timestampNs: UInt64, wireLength: UInt32, capturedLength: UInt32, linkType: LinkType,
                interfaceIndex: UInt32, bytes: UnsafeRawBufferPointer, fileOffset: UInt64) {
        self.timestampNs = timestampNs
        self.wireLength = wireLength
        self.capturedLength = capturedLength
        self.linkType = linkType
        self.interfaceIndex = interfaceIndex
        self.bytes = bytes
        self.fileOffset = fileOffset
    }
}
