public import FlowTrack
public import PacketCore
import AppProtocols

/// Encodes flow records as NDJSON lines (docs/RECORDS.md; schema in docs/flow-record.schema.json).
/// Keys come in a fixed order; numbers and addresses are written straight into the caller's memory.
public struct NDJSONEncoder {
    /// Longest line a record can take (every number at its widest, every text byte escaped to
    /// six), so callers can size buffers: ~600 bytes of fixed keys and numbers, the metadata
    /// keys (~400), and 6 × the text arena.
    public static let maxLineLength = 1024 + 512 + 6 * FlowMetadata.textCapacity

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
        out.append(",\"end_reason\":\""); out.append(r.endReason.name)
        out.append("\",\"tunnel\":")
        if r.tunnel == .none {
            out.append("null")
        } else {
            out.append(UInt8(ascii: "\"")); out.append(r.tunnel.name); out.append(UInt8(ascii: "\""))
        }
        out.append(",\"fragments\":"); out.appendDecimal(UInt64(r.fragments))
        encodeApp(r.meta, to: &out)
        out.append("}\n")
    }

    /// `app`, `app_by`, the protocol's object and `l7_flags` (docs/RECORDS.md).
    func encodeApp(_ m: FlowMetadata, to out: inout ByteCursor) {
        if m.app == .unknown {
            out.append(",\"app\":null,\"app_by\":null")
        } else {
            out.append(",\"app\":\""); out.append(m.app.name)
            out.append(m.appBy == .port ? "\",\"app_by\":\"port\"" : "\",\"app_by\":\"payload\"")
        }
        if m.appBy == .payload {
            switch m.app {
            case .dns, .mdns, .llmnr:
                out.append(",\"dns\":{\"qname\":"); text(m, .dnsQName, &out)
                out.append(",\"qtype\":"); number(m.has(.dnsQName) ? Int(m.dnsQType) : -1, &out)
                out.append(",\"rcode\":"); number(m.dnsRCode == 0xFF ? -1 : Int(m.dnsRCode), &out)
                out.append(",\"answers\":"); number(m.dnsRCode == 0xFF ? -1 : Int(m.dnsAnswers), &out)
                out.append(",\"answer\":"); text(m, .dnsAnswer, &out)
                out.append("}")
            case .tls:
                tlsObject(m, &out)
            case .http, .ssdp:
                out.append(",\"http\":{\"method\":"); text(m, .httpMethod, &out)
                out.append(",\"host\":"); text(m, .httpHost, &out)
                out.append(",\"status\":"); number(m.httpStatus == 0 ? -1 : Int(m.httpStatus), &out)
                out.append(",\"user_agent\":"); text(m, .httpUserAgent, &out)
                out.append(",\"content_type\":"); text(m, .httpContentType, &out)
                out.append(",\"requests\":"); number(Int(m.httpRequests), &out)
                out.append("}")
                // TLS through a CONNECT tunnel: its hellos, beside the HTTP exchange that opened it.
                if m.tlsClientVersion != 0 || m.tlsVersion != 0 { tlsObject(m, &out) }
            case .quic:
                out.append(",\"quic\":{\"version\":"); number(m.quicVersion == 0 ? -1 : Int(m.quicVersion), &out)
                out.append(",\"sni\":"); text(m, .quicSNI, &out)
                out.append(",\"alpn\":"); text(m, .quicALPN, &out)
                out.append(",\"ja4\":"); text(m, .tlsJA4, &out)
                out.append("}")
            case .ssh:
                out.append(",\"ssh\":{\"client\":"); text(m, .sshClient, &out)
                out.append(",\"server\":"); text(m, .sshServer, &out)
                out.append("}")
            default:
                if m.has(.probeText) || m.probeValue != 0 {
                    out.append(",\"detail\":{\"text\":"); text(m, .probeText, &out)
                    out.append(",\"value\":"); number(Int(m.probeValue), &out)
                    out.append("}")
                }
            }
        }
        if m.flags.rawValue != 0 {
            out.append(",\"l7_flags\":[")
            var first = true
            for (bit, name) in Self.flagNames where m.flags.contains(bit) {
                if !first { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\"")); out.append(name); out.append(UInt8(ascii: "\""))
                first = false
            }
            out.append("]")
        }
    }

    static let flagNames: [(L7Flags, StaticString)] = [
        (.reassemblyOverflow, "reassembly_overflow"), (.textTruncated, "text_truncated"), (.malformed, "malformed"),
        (.dnsNameLoop, "dns_name_loop"), (.quicUndecrypted, "quic_undecrypted"), (.httpPipelined, "http_pipelined"),
        (.outOfOrder, "out_of_order"), (.budgetExhausted, "budget_exhausted"),
    ]

    /// A text field as a JSON string, or null when unset.
    private func tlsObject(_ m: FlowMetadata, _ out: inout ByteCursor) {
        out.append(",\"tls\":{\"sni\":"); text(m, .tlsSNI, &out)
        out.append(",\"alpn\":"); text(m, .tlsALPN, &out)
        out.append(",\"version\":"); version(m.tlsVersion, &out)
        out.append(",\"client_version\":"); version(m.tlsClientVersion, &out)
        out.append(",\"cipher\":"); number(m.tlsVersion == 0 ? -1 : Int(m.tlsCipher), &out)
        out.append(",\"ja4\":"); text(m, .tlsJA4, &out)
        out.append("}")
    }

    private func text(_ m: FlowMetadata, _ f: MetaField, _ out: inout ByteCursor) {
        if !m.has(f) { out.append("null"); return }
        out.append(UInt8(ascii: "\""))
        m.withText(f) { JSONString.appendEscaped($0, to: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// A number, or null for -1.
    private func number(_ v: Int, _ out: inout ByteCursor) {
        if v < 0 { out.append("null") } else { out.appendDecimal(UInt64(v)) }
    }

    /// A TLS version as "1.3" … "1.0", "ssl3", or "0x…" for others; null when unseen.
    private func version(_ v: UInt16, _ out: inout ByteCursor) {
        switch v {
        case 0: out.append("null")
        case 0x0304: out.append("\"1.3\"")
        case 0x0303: out.append("\"1.2\"")
        case 0x0302: out.append("\"1.1\"")
        case 0x0301: out.append("\"1.0\"")
        case 0x0300: out.append("\"ssl3\"")
        default: out.append("\"0x"); out.appendHex(v); out.append(UInt8(ascii: "\""))
        }
    }

    /// Appends one record and its newline to a byte array.
    public func encode(_ r: FlowRecord, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxLineLength) { buf in
            var cursor = ByteCursor(base: buf.baseAddress!, capacity: buf.count)
            encode(r, to: &cursor)
            out.append(contentsOf: UnsafeBufferPointer(start: buf.baseAddress!, count: cursor.count))
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
