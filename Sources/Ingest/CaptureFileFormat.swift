/// The container format of a capture file, told by its first four bytes.
public enum CaptureFileFormat: String, Sendable, CaseIterable {
    /// Classic libpcap: one link type and one timestamp precision for the whole file.
    case pcap
    /// pcapng: sections, each with its byte order and its own interfaces.
    case pcapng
}
