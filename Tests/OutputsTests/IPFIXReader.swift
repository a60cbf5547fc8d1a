import Foundation

/// A minimal IPFIX reader for tests (RFC 7011): messages, template sets, data sets decoded by
/// their templates into field values keyed by (enterprise, element).
struct IPFIXReader {
    struct FieldKey: Hashable { var enterprise: UInt32; var element: UInt16 }
    struct Message { var length: Int; var exportTime: UInt32; var sequence: UInt32; var domain: UInt32; var dataRecords: Int; var hadTemplates: Bool }
    struct Record {
        var templateID: UInt16
        var values: [FieldKey: [UInt8]]
        func uint(_ e: UInt16, pen: UInt32 = 0) -> UInt64 {
            (values[FieldKey(enterprise: pen, element: e)] ?? []).reduce(0) { $0 << 8 | UInt64($1) }
        }
        func bytes(_ e: UInt16, pen: UInt32 = 0) -> [UInt8]? { values[FieldKey(enterprise: pen, element: e)] }
    }
    enum ReadError: Error { case malformed(String) }

    var templates: [UInt16: [(FieldKey, UInt16)]] = [:]
    var messages: [Message] = []
    var records: [Record] = []

    /// Reads a stream of messages (a file per RFC 5655, or a TCP stream).
    mutating func read(_ data: [UInt8]) throws {
        var at = 0
        while at < data.count {
            guard data.count - at >= 16 else { throw ReadError.malformed("short header at \(at)") }
            let len = Int(be16(data, at + 2))
            guard be16(data, at) == 10, len >= 16, at + len <= data.count else { throw ReadError.malformed("bad message at \(at)") }
            try readMessage(Array(data[at..<(at + len)]))
            at += len
        }
    }

    mutating func readMessage(_ m: [UInt8]) throws {
        var msg = Message(length: m.count, exportTime: be32(m, 4), sequence: be32(m, 8), domain: be32(m, 12),
                          dataRecords: 0, hadTemplates: false)
        var at = 16
        while at < m.count {
            guard m.count - at >= 4 else { throw ReadError.malformed("short set") }
            let id = be16(m, at), len = Int(be16(m, at + 2))
            guard len >= 4, at + len <= m.count else { throw ReadError.malformed("bad set length") }
            let end = at + len
            var p = at + 4
            if id == 2 {
                msg.hadTemplates = true
                while end - p >= 4 {
                    let tid = be16(m, p), count = Int(be16(m, p + 2)); p += 4
                    var fields: [(FieldKey, UInt16)] = []
                    for _ in 0..<count {
                        var e = be16(m, p); let l = be16(m, p + 2); p += 4
                        var pen: UInt32 = 0
                        if e & 0x8000 != 0 { e &= 0x7FFF; pen = be32(m, p); p += 4 }
                        fields.append((FieldKey(enterprise: pen, element: e), l))
                    }
                    templates[tid] = fields
                }
            } else if id >= 256 {
                guard let fields = templates[id] else { throw ReadError.malformed("data set \(id) before its template") }
                while p < end {
                    var values: [FieldKey: [UInt8]] = [:]
                    var ok = true
                    for (k, l) in fields {
                        var n = Int(l)
                        if l == 65535 {
                            guard p < end else { ok = false; break }
                            n = Int(m[p]); p += 1
                            if n == 255 { n = Int(be16(m, p)); p += 2 }
                        }
                        guard p + n <= end else { ok = false; break }
                        values[k] = Array(m[p..<(p + n)]); p += n
                    }
                    if !ok { break }  // padding
                    records.append(Record(templateID: id, values: values))
                    msg.dataRecords += 1
                }
            }
            at = end
        }
        messages.append(msg)
    }

    private func be16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) << 8 | UInt16(b[i + 1]) }
    private func be32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(be16(b, i)) << 16 | UInt32(be16(b, i + 2)) }
}
