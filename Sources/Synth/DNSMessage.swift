/// DNS queries and responses (RFC 1035) with name compression in the answers.
enum DNSMessage {
    enum Answer {
        case a([UInt8])
        case aaaa([UInt8])
        case cname(String)
        case txt([UInt8])
    }

    static func encodeName(_ name: String, into out: inout [UInt8]) {
        for label in name.split(separator: ".") {
            out.u8(UInt8(label.utf8.count))
            out.append(contentsOf: Array(label.utf8))
        }
        out.u8(0)
    }

    /// A standard query with RD set and an EDNS0 OPT record when `edns`.
    static func query(id: UInt16, name: String, qtype: UInt16, edns: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.u16(id); out.u16(0x0100)
        out.u16(1); out.u16(0); out.u16(0); out.u16(edns ? 1 : 0)
        encodeName(name, into: &out)
        out.u16(qtype); out.u16(1)
        if edns { appendOPT(&out) }
        return out
    }

    private static func appendOPT(_ out: inout [UInt8]) {
        out.u8(0); out.u16(41); out.u16(1232); out.u32(0); out.u16(0)
    }

    /// A response echoing the question; answer owner names and CNAME targets are compressed
    /// with pointers to the question name or to the previous CNAME target.
    static func response(id: UInt16, name: String, qtype: UInt16, rcode: UInt8, answers: [Answer],
                         ttl: UInt32, edns: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.u16(id); out.u16(0x8180 | UInt16(rcode))
        out.u16(1); out.u16(answers.count); out.u16(0); out.u16(edns ? 1 : 0)
        encodeName(name, into: &out)
        out.u16(qtype); out.u16(1)
        var owner = 12  // offset of the current owner name (the question's)
        for answer in answers {
            out.u16(0xC000 | UInt16(owner))
            switch answer {
            case .a(let address):
                out.u16(1); out.u16(1); out.u32(ttl); out.u16(4); out.append(contentsOf: address)
            case .aaaa(let address):
                out.u16(28); out.u16(1); out.u32(ttl); out.u16(16); out.append(contentsOf: address)
            case .txt(let text):
                out.u16(16); out.u16(1); out.u32(ttl)
                var rdata: [UInt8] = []
                var rest = text[...]
                while !rest.isEmpty {
                    let chunk = rest.prefix(255)
                    rdata.u8(UInt8(chunk.count)); rdata.append(contentsOf: chunk)
                    rest = rest.dropFirst(chunk.count)
                }
                out.u16(rdata.count); out.append(contentsOf: rdata)
            case .cname(let target):
                out.u16(5); out.u16(1); out.u32(ttl)
                let lengthAt = out.count
                out.u16(0)
                let targetAt = out.count
                // Compress the target's suffix when it shares the question's parent domain.
                encodeCompressed(target, question: name, into: &out)
                out.set16(lengthAt, out.count - targetAt)
                owner = targetAt
            }
        }
        if edns { appendOPT(&out) }
        return out
    }

    /// Writes `target`, ending in a pointer to the question name's suffix when they share one.
    private static func encodeCompressed(_ target: String, question: String, into out: inout [UInt8]) {
        let targetLabels = target.split(separator: ".").map(String.init)
        let questionLabels = question.split(separator: ".").map(String.init)
        for skip in 0..<questionLabels.count {
            let suffix = Array(questionLabels[skip...])
            if suffix.count < targetLabels.count && Array(targetLabels.suffix(suffix.count)) == suffix && suffix.count >= 2 {
                var offset = 12
                for label in questionLabels[..<skip] { offset += 1 + label.utf8.count }
                for label in targetLabels.prefix(targetLabels.count - suffix.count) {
                    out.u8(UInt8(label.utf8.count)); out.append(contentsOf: Array(label.utf8))
                }
                out.u16(0xC000 | UInt16(offset))
                return
            }
        }
        encodeName(target, into: &out)
    }

    static func typeName(_ qtype: UInt16) -> String {
        switch qtype {
        case 1: return "A"
        case 28: return "AAAA"
        case 5: return "CNAME"
        case 16: return "TXT"
        default: return "TYPE\(qtype)"
        }
    }
}
