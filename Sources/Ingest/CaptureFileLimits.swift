/// Bounds on what the capture file reader accepts; anything larger is treated as a corrupt file.
/// They bound the reader's memory whatever the file says.
public enum CaptureFileLimits {
    /// Largest pcap record payload: libpcap's MAXIMUM_SNAPLEN (262144), tcpdump's default snap length.
    /// A larger `incl_len` comes from a corrupt file, not from a capture.
    public static let maxPcapCaptureLength = 262_144

    /// Largest pcapng block: libpcap's INITIAL_MAX_BLOCKSIZE (16 MiB). Holds a maximum-size
    /// packet with generous options; the read buffer never grows past this.
    public static let maxPcapngBlockLength = 16 * 1024 * 1024

    /// Most interfaces one pcapng section may describe. The obsolete Packet Block names its
    /// interface in 16 bits; the bound keeps a hostile file's interface table under 4 MiB.
    public static let maxInterfacesPerSection = 65_536

    /// Smallest read buffer: room for every fixed header, so small `bufferSize` values still work.
    public static let minimumBufferSize = 64
    /// Bytes of a regular file mapped at once. Larger than any record (`maxPcapngBlockLength`), so a
    /// record always fits in one window; small enough to keep memory constant.
    static let mapWindow = 64 << 20
    /// Readers asked for a buffer at least this large map regular files; smaller buffers (tests of
    /// the streaming path) read with read(2).
    static let mapThreshold = 1 << 20
    /// Bytes of the next record prefetched while the current one is dissected: its header and the
    /// frame's first bytes (L2–L4 headers and the start of the payload the L7 probes read), four
    /// cache lines. Two left the payload to wait; every line of the file some kilobytes ahead was
    /// no faster and reads what nothing looks at.
    static let prefetchBytes = 256
}
