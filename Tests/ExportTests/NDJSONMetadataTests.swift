import Testing
import Foundation
import Export
import FlowTrack
import PacketCore
import AppProtocols

@Suite struct NDJSONMetadataTests {
    func escaped(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 6 * bytes.count + 8)
        return out.withUnsafeMutableBufferPointer { buf in
            var c = ByteCursor(base: buf.baseAddress!, capacity: buf.count)
            bytes.withUnsafeBytes { JSONString.appendEscaped($0, to: &c) }
            return String(decoding: UnsafeBufferPointer(start: buf.baseAddress!, count: c.count), as: UTF8.self)
        }
    }

    @Test func escapingQuotesControlsAndInvalidUTF8() {
        #expect(escaped(Array("a\"b\\c".utf8)) == #"a\"b\\c"#)
        #expect(escaped([0x00, 0x1F, 0x7F, 0x0A]) == #"\u0000\u001f\u007f\n"#)
        #expect(escaped(Array("é✓😀".utf8)) == "é✓😀")
        // Lone continuation, overlong, surrogate, truncated sequence.
        #expect(escaped([0x80, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xE2, 0x9C]) == String(repeating: #"\ufffd"#, count: 8))
    }

    @Test func everyByteStringIsValidJSON() throws {
        var state: UInt64 = 42
        for _ in 0..<2000 {
            var b: [UInt8] = []
            for _ in 0..<Int(state % 40) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                b.append(UInt8(truncatingIfNeeded: state >> 33))
            }
            state = state &* 6364136223846793005 &+ 1
            let json = "[\"" + escaped(b) + "\"]"
            #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(json.utf8)) }
        }
    }

    /// The escaping rules byte by byte, as before the eight-byte fast path.
    func referenceEscaped(_ bytes: [UInt8]) -> String {
        var out = ""
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x22: out += "\\\""; i += 1
            case 0x5C: out += "\\\\"; i += 1
            case 0x0A: out += "\\n"; i += 1
            case 0x0D: out += "\\r"; i += 1
            case 0x09: out += "\\t"; i += 1
            case 0..<0x20, 0x7F:
                out += "\\u00" + String(b >> 4, radix: 16) + String(b & 0xF, radix: 16); i += 1
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(b)); i += 1
            default:
                // Decode one scalar strictly; invalid → U+FFFD escape per byte.
                var it = bytes[i...].makeIterator()
                var dec = UTF8()
                if case .scalarValue(let u) = dec.decode(&it) {
                    out.unicodeScalars.append(u); i += String(u).utf8.count
                } else { out += "\\ufffd"; i += 1 }
            }
        }
        return out
    }

    @Test func fastPathMatchesByteByByteEscaping() {
        var state: UInt64 = 9
        let specials: [UInt8] = [0x22, 0x5C, 0x0A, 0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xE2, 0x9C, 0x93, 0xFF, 0x20, 0x7E]
        for _ in 0..<5000 {
            var b: [UInt8] = []
            state = state &* 6364136223846793005 &+ 1442695040888963407
            for _ in 0..<Int(state >> 58) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let r = Int(state >> 33)
                b.append(r % 8 == 0 ? specials[(r >> 3) % specials.count] : UInt8(0x21 + (r >> 3) % 94))
            }
            #expect(escaped(b) == referenceEscaped(b), "\(b)")
        }
    }

    @Test func aRecordCarriesItsProtocolObject() throws {
        var m = FlowMetadata()
        m.app = .tls; m.appBy = .payload
        m.set(.tlsSNI, "q\"uote.example"); m.set(.tlsALPN, "h2,http/1.1"); m.tlsVersion = 0x0304
        m.flags.insert(.outOfOrder)
        let r = FlowRecord(src: IPAddress(ipv4: 1), dst: IPAddress(ipv4: 2), sport: 1, dport: 443, proto: 6, vlan: 0,
                           tunnel: .none, startNs: 0, endNs: 1, aPackets: 1, aBytes: 1, bPackets: 0, bBytes: 0,
                           aIPBytes: 1, bIPBytes: 0, tcpFlagsA: 0, tcpFlagsB: 0, fragments: 0, endReason: .fin,
                           worker: 0, meta: m)
        var line: [UInt8] = []
        NDJSONEncoder().encode(r, to: &line)
        let o = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
        #expect(o["app"] as? String == "tls" && o["app_by"] as? String == "payload")
        let tls = o["tls"] as! [String: Any]
        #expect(tls["sni"] as? String == "q\"uote.example" && tls["version"] as? String == "1.3")
        #expect(tls["alpn"] as? String == "h2,http/1.1" && tls["ja4"] is NSNull)
        #expect(o["l7_flags"] as? [String] == ["out_of_order"])
    }
}
