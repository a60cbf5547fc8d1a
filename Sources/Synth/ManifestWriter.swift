import Export

/// Streams the JSON manifest: the header, then one flow object a line in order of first packet,
/// then the totals known only at the end. Flows end out of order, so a finished flow waits in a
/// small reorder buffer until every earlier flow has been written; the buffer holds at most the
/// flows that end while an earlier one is still open (bounded by the longest flow's duration over
/// the mean interarrival), never the whole run, so 10 M flows need no more memory than 1 K.
///
/// Layout: `{"generator":…,"profile":…,"seed":…,"format":…,"flows":[<flow>,…],"packets":N,"bytes":N}`.
/// Key order is fixed by this writer (JSON readers do not depend on it); the same run gives the same bytes.
final class ManifestWriter {
    private let sink: FileSink
    private var waiting: [Int: SynthManifest.Flow] = [:]
    private var nextSerial = 0
    private var line: [UInt8] = []
    /// Most flows held in the reorder buffer at once (reported by tests).
    private(set) var peakWaiting = 0

    init(path: String, generator: String, profile: String, seed: UInt64, format: String) throws(SystemError) {
        sink = try FileSink(path: path)
        line.reserveCapacity(1024)
        line.append(contentsOf: "{\"generator\":".utf8); ManifestWriter.string(generator, into: &line)
        line.append(contentsOf: ",\"profile\":".utf8); ManifestWriter.string(profile, into: &line)
        line.append(contentsOf: ",\"seed\":\(seed),\"format\":".utf8); ManifestWriter.string(format, into: &line)
        line.append(contentsOf: ",\"flows\":[".utf8)
        try sink.write(line)
    }

    /// Takes flow `serial`'s entry; writes it and every later one already waiting once all earlier have come.
    func add(serial: Int, _ flow: SynthManifest.Flow) throws(SystemError) {
        if serial != nextSerial {
            waiting[serial] = flow
            peakWaiting = max(peakWaiting, waiting.count)
            return
        }
        try write(flow)
        while let next = waiting.removeValue(forKey: nextSerial) { try write(next) }
    }

    /// Writes the totals and closes the file; every flow must have been added.
    func finish(packets: Int, bytes: Int) throws(SystemError) {
        precondition(waiting.isEmpty, "manifest: flows missing before \(waiting.keys.min() ?? 0)")
        try sink.write(Array("\n],\"packets\":\(packets),\"bytes\":\(bytes)}\n".utf8))
        try sink.close()
    }

    private func write(_ f: SynthManifest.Flow) throws(SystemError) {
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: (nextSerial == 0 ? "\n" : ",\n").utf8)
        ManifestWriter.encode(f, into: &line)
        try sink.write(line)
        nextSerial += 1
    }

    // MARK: Encoding

    static func encode(_ f: SynthManifest.Flow, into o: inout [UInt8]) {
        o.append(contentsOf: "{\"proto\":\(f.proto),\"src\":".utf8); string(f.src, into: &o)
        o.append(contentsOf: ",\"sport\":\(f.sport),\"dst\":".utf8); string(f.dst, into: &o)
        o.append(contentsOf: ",\"dport\":\(f.dport),\"vlan\":\(f.vlan),\"tunnel\":".utf8); string(f.tunnel, into: &o)
        o.append(contentsOf: (",\"a_pkts\":\(f.a_pkts),\"a_bytes\":\(f.a_bytes),\"b_pkts\":\(f.b_pkts)"
                              + ",\"b_bytes\":\(f.b_bytes),\"ip_bytes\":\(f.ip_bytes),\"fragments\":\(f.fragments)"
                              + ",\"end\":").utf8)
        string(f.end, into: &o)
        o.append(contentsOf: ",\"app\":".utf8); string(f.app, into: &o)
        o.append(contentsOf: ",\"meta\":{".utf8)
        var first = true
        func key(_ k: String) {
            o.append(contentsOf: (first ? "\"" : ",\"").utf8)
            o.append(contentsOf: k.utf8)
            o.append(contentsOf: "\":".utf8)
            first = false
        }
        func text(_ k: String, _ v: String?) { if let v { key(k); string(v, into: &o) } }
        func number(_ k: String, _ v: Int?) { if let v { key(k); o.append(contentsOf: "\(v)".utf8) } }
        let m = f.meta
        text("dns_qname", m.dns_qname); number("dns_qtype", m.dns_qtype); number("dns_rcode", m.dns_rcode)
        number("dns_answers", m.dns_answers)
        text("tls_sni", m.tls_sni); text("tls_alpn", m.tls_alpn); text("tls_version", m.tls_version)
        text("http_host", m.http_host); text("http_method", m.http_method); text("http_user_agent", m.http_user_agent)
        number("http_status", m.http_status)
        text("quic_sni", m.quic_sni); text("quic_alpn", m.quic_alpn); number("quic_version", m.quic_version)
        text("ssh_client", m.ssh_client); text("ssh_server", m.ssh_server)
        o.append(contentsOf: "},\"start_ns\":\(f.start_ns),\"end_ns\":\(f.end_ns)}".utf8)
    }

    /// A JSON string (RFC 8259 §7): quote, backslash and control characters escaped, other UTF-8 as is.
    static func string(_ s: String, into o: inout [UInt8]) {
        o.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: o.append(contentsOf: [0x5C, 0x22])
            case 0x5C: o.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: o.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: o.append(contentsOf: [0x5C, 0x72])
            case 0x09: o.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                o.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: o.append(b)
            }
        }
        o.append(0x22)
    }
}
