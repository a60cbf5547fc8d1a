/// Where a packet's payload bytes come from; random payloads are filled at write time from the
/// flow's own generator, so large flows do not hold their bytes in memory.
enum PayloadSource {
    case none
    case bytes([UInt8])
    case slice(ArraySlice<UInt8>)
    /// Opaque bytes (encrypted data, bodies).
    case random(Int)
    /// Opaque bytes whose first byte is 0x3F, which no payload probe accepts as a first byte (NTP
    /// version 7, RTP version 0, no TLS/QUIC/WireGuard type): unclassified traffic stays unknown
    /// whatever the random rest says.
    case opaque(Int)
    /// A TLS application-data record header (5 bytes) followed by opaque bytes: `count` in all.
    case tlsRecord(Int)
    /// A QUIC short-header packet: 0x40|bits, the destination connection ID, then opaque bytes.
    case quicShort(dcid: [UInt8], count: Int)

    var count: Int {
        switch self {
        case .none: return 0
        case .bytes(let b): return b.count
        case .slice(let s): return s.count
        case .random(let n), .opaque(let n), .tlsRecord(let n), .quicShort(_, let n): return n
        }
    }
}

/// One packet of a flow's script, at a time relative to the flow's start.
struct PacketEvent {
    var time: UInt64
    var fromClient: Bool
    var tcpFlags: UInt8 = 0
    var seq: UInt32 = 0
    var ack: UInt32 = 0
    var window: UInt16 = 0
    /// Adds SYN options (MSS, SACK permitted, timestamps, window scale; MSS only when `minimal`).
    var synOptions: Bool = false
    /// Splits the IP datagram into this many fragments (0 or 1: not fragmented).
    var fragments: UInt8 = 0
    var payload: PayloadSource = .none
}

enum TCPFlag {
    static let fin: UInt8 = 0x01, syn: UInt8 = 0x02, rst: UInt8 = 0x04, psh: UInt8 = 0x08, ack: UInt8 = 0x10
}
