public import FlowTrack
import PacketCore

/// Encodes flow records as NDJSON lines (docs/RECORDS.md; schema in docs/flow-record.schema.json).
/// Keys come in a fixed order; numbers and addresses are written by hand, without Foundation.
public struct NDJSONEncoder {
    public init() {}

    /// Appends one record and its newline to `out`.
    public func encode(_ r: FlowRecord, to out: inout [UInt8]) {
        key("{\"start_ns\":", &out); appendDecimal(r.startNs, to: &out)
        key(",\"end_ns\":", &out); appendDecimal(r.endNs, to: &out)
        key(",\"vlan\":", &out)
        if r.vlan == 0 { key("null", &out) } else { appendDecimal(UInt64(r.vlan), to: &out) }
        key(",\"proto\":", &out); appendDecimal(UInt64(r.proto), to: &out)
        key(",\"src\":\"", &out); r.src.appendText(to: &out)
        key("\",\"sport\":", &out); appendDecimal(UInt64(r.sport), to: &out)
        key(",\"dst\":\"", &out); r.dst.appendText(to: &out)
        key("\",\"dport\":", &out); appendDecimal(UInt64(r.dport), to: &out)
        key(",\"a_pkts\":", &out); appendDecimal(r.aPackets, to: &out)
        key(",\"a_bytes\":", &out); appendDecimal(r.aBytes, to: &out)
        key(",\"b_pkts\":", &out); appendDecimal(r.bPackets, to: &out)
        key(",\"b_bytes\":", &out); appendDecimal(r.bBytes, to: &out)
        key(",\"a_ip_bytes\":", &out); appendDecimal(r.aIPBytes, to: &out)
        key(",\"b_ip_bytes\":", &out); appendDecimal(r.bIPBytes, to: &out)
        key(",\"tcp_flags_a\":", &out); appendDecimal(UInt64(r.tcpFlagsA), to: &out)
        key(",\"tcp_flags_b\":", &out); appendDecimal(UInt64(r.tcpFlagsB), to: &out)
        key(",\"end_reason\":\"", &out); key(r.endReason.name, &out)
        key("\",\"tunnel\":", &out)
        if r.tunnel == .none { key("null", &out) } else { out.append(34); key(r.tunnel.name, &out); out.append(34) }
        key(",\"fragments\":", &out); appendDecimal(UInt64(r.fragments), to: &out)
        key(",\"app\":null,\"app_by\":null}\n", &out)
    }

    @inline(__always)
    private func key(_ s: StaticString, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inline(__always)
    private func key(_ s: String, _ out: inout [UInt8]) {
        out.append(contentsOf: s.utf8)
    }
}

/// Writes flow records as NDJSON to a file or standard output, buffered; `close()` flushes.
public final class NDJSONWriter {
    private let sink: FileSink
    private let encoder = NDJSONEncoder()
    private var line: [UInt8] = []
    public private(set) var records: UInt64 = 0

    /// `path` "-" writes to standard output.
    public init(path: String) throws(SystemError) {
        sink = try FileSink(path: path)
        line.reserveCapacity(1024)
    }

    public func write(_ record: FlowRecord) throws(SystemError) {
        line.removeAll(keepingCapacity: true)
        encoder.encode(record, to: &line)
        try sink.write(line)
        records += 1
    }

    public func close() throws(SystemError) { try sink.close() }
}
