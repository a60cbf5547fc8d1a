public import FlowTrack
public import PacketCore

/// Encodes flow records as NDJSON lines (docs/RECORDS.md; schema in docs/flow-record.schema.json).
/// Keys come in a fixed order; numbers and addresses are written straight into the caller's memory.
public struct NDJSONEncoder {
    /// Longest line a record can take (every number at its widest), so callers can size buffers.
    public static let maxLineLength = 1024

    public init() {}

    /// Writes one record and its newline at `cursor`, which has at least `maxLineLength` bytes of room.
    public func encode(_ r: FlowRecord, to out: inout ByteCursor) {
        out.append("{\"start_ns\":"); out.appendDecimal(r.startNs)
        out.append(",\"end_ns\":"); out.appendDecimal(r.endNs)
        out.append(",\"vlan\":")
        if r.vlan == 0 { out.append("null") } else { out.appendDecimal(UInt64(r.vlan)) }
        out.append(",\"proto\":"); out.appendDecimal(UInt64(r.proto))
        out.append(",\"src\":\""); r.src.appendText(to: &out)
        out.append("\",\"sport\":"); out.appendDecimal(UInt64(r.sport))
        out.append(",\"dst\":\""); r.dst.appendText(to: &out)
        out.append("\",\"dport\":"); out.appendDecimal(UInt64(r.dport))
        out.append(",\"a_pkts\":"); out.appendDecimal(r.aPackets)
        out.append(",\"a_bytes\":"); out.appendDecimal(r.aBytes)
        out.append(",\"b_pkts\":"); out.appendDecimal(r.bPackets)
        out.append(",\"b_bytes\":"); out.appendDecimal(r.bBytes)
        out.append(",\"a_ip_bytes\":"); out.appendDecimal(r.aIPBytes)
        out.append(",\"b_ip_bytes\":"); out.appendDecimal(r.bIPBytes)
        out.append(",\"tcp_flags_a\":"); out.appendDecimal(UInt64(r.tcpFlagsA))
        out.append(",\"tcp_flags_b\":"); out.appendDecimal(UInt64(r.tcpFlagsB))
        out.append(",\"end_reason\":\""); out.append(Self.name(r.endReason))
        out.append("\",\"tunnel\":")
        if r.tunnel == .none {
            out.append("null")
        } else {
            out.append(UInt8(ascii: "\"")); out.append(Self.name(r.tunnel)); out.append(UInt8(ascii: "\""))
        }
        out.append(",\"fragments\":"); out.appendDecimal(UInt64(r.fragments))
        out.append(",\"app\":null,\"app_by\":null}\n")
    }

    /// Appends one record and its newline to a byte array.
    public func encode(_ r: FlowRecord, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxLineLength) { buf in
            var cursor = ByteCursor(base: buf.baseAddress!, capacity: buf.count)
            encode(r, to: &cursor)
            out.append(contentsOf: UnsafeBufferPointer(start: buf.baseAddress!, count: cursor.count))
        }
    }

    private static func name(_ r: EndReason) -> StaticString {
        switch r {
        case .idle: "idle"
        case .active: "active"
        case .fin: "fin"
        case .rst: "rst"
        case .evicted: "evicted"
        case .shutdown: "shutdown"
        }
    }

    private static func name(_ t: TunnelKind) -> StaticString {
        switch t {
        case .none: "none"
        case .gre: "gre"
        case .vxlan: "vxlan"
        case .gtpU: "gtp-u"
        case .ipInIPv4: "ip-in-ipv4"
        case .ipInIPv6: "ip-in-ipv6"
        }
    }
}

/// Writes flow records as NDJSON to a file or standard output, buffered; `close()` flushes.
public final class NDJSONWriter {
    private let sink: FileSink
    private let encoder = NDJSONEncoder()
    public private(set) var records: UInt64 = 0
    /// Bytes of the lines written so far.
    public private(set) var bytesEncoded: UInt64 = 0

    /// `path` "-" writes to standard output.
    public init(path: String) throws(SystemError) {
        sink = try FileSink(path: path)
    }

    public func write(_ record: FlowRecord) throws(SystemError) {
        try sink.withRoom(NDJSONEncoder.maxLineLength) { base in
            var cursor = ByteCursor(base: base, capacity: NDJSONEncoder.maxLineLength)
            encoder.encode(record, to: &cursor)
            bytesEncoded &+= UInt64(cursor.count)
            return cursor.count
        }
        records += 1
    }

    public func close() throws(SystemError) { try sink.close() }
}
