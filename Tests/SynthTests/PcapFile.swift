import Foundation

/// A minimal reader for the files the synthesizer writes (pcap with nanosecond magic, and pcapng),
/// written by hand so the tests do not depend on the ingest module.
struct PcapFile {
    struct Record { var timestampNs: UInt64; var frame: [UInt8] }
    var records: [Record] = []

    init(path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func le32(_ o: Int) -> UInt32 {
            UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        if le32(0) == 0xA1B2_3C4D {
            var o = 24
            while o < bytes.count {
                let ts = UInt64(le32(o)) * 1_000_000_000 + UInt64(le32(o + 4))
                let caplen = Int(le32(o + 8))
                precondition(le32(o + 12) == UInt32(caplen))
                records.append(Record(timestampNs: ts, frame: Array(bytes[o + 16..<o + 16 + caplen])))
                o += 16 + caplen
            }
        } else {
            precondition(le32(0) == 0x0A0D_0D0A)
            var o = 0
            while o < bytes.count {
                let type = le32(o), total = Int(le32(o + 4))
                if type == 6 {
                    let ts = UInt64(le32(o + 12)) << 32 | UInt64(le32(o + 16))
                    let caplen = Int(le32(o + 20))
                    records.append(Record(timestampNs: ts, frame: Array(bytes[o + 28..<o + 28 + caplen])))
                }
                o += total
            }
        }
    }
}

/// Walks a frame's headers and checks every checksum it can.
struct FrameCheck {
    var ipv4HeaderOK = true
    var l4OK = true
    var l4Checked = false

    static func be16(_ b: [UInt8], _ o: Int) -> Int { Int(b[o]) << 8 | Int(b[o + 1]) }

    static func sum(_ b: ArraySlice<UInt8>, initial: UInt64 = 0) -> UInt16 {
        var s = initial
        var i = b.startIndex
        while i + 1 < b.endIndex { s += UInt64(b[i]) << 8 | UInt64(b[i + 1]); i += 2 }
        if i < b.endIndex { s += UInt64(b[i]) << 8 }
        while s >> 16 != 0 { s = (s & 0xFFFF) + (s >> 16) }
        return UInt16(s)
    }

    init(_ f: [UInt8]) {
        var o = 12
        var type = FrameCheck.be16(f, o)
        while type == 0x8100 || type == 0x88A8 { o += 4; type = FrameCheck.be16(f, o) }
        o += 2
        check(f, o, type)
    }

    private mutating func check(_ f: [UInt8], _ ip: Int, _ type: Int) {
        var proto: Int, l4: Int, l4Len: Int
        var pseudo: UInt64 = 0
        if type == 0x0800 {
            let ihl = Int(f[ip] & 0x0F) * 4
            if FrameCheck.sum(f[ip..<ip + ihl]) != 0xFFFF { ipv4HeaderOK = false }
            let total = FrameCheck.be16(f, ip + 2)
            let fragment = FrameCheck.be16(f, ip + 6)
            if fragment & 0x3FFF != 0 { return }  // a fragment: the datagram is checked whole elsewhere
            proto = Int(f[ip + 9])
            l4 = ip + ihl
            l4Len = total - ihl
            for i in stride(from: 12, to: 20, by: 2) { pseudo += UInt64(FrameCheck.be16(f, ip + i)) }
        } else if type == 0x86DD {
            proto = Int(f[ip + 6])
            if proto == 44 { return }
            l4 = ip + 40
            l4Len = FrameCheck.be16(f, ip + 4)
            for i in stride(from: 8, to: 40, by: 2) { pseudo += UInt64(FrameCheck.be16(f, ip + i)) }
        } else { return }
        pseudo += UInt64(l4Len) + UInt64(proto)
        switch proto {
        case 47:  // GRE
            check(f, l4 + 4, FrameCheck.be16(f, l4 + 2))
        case 6, 17, 58:
            l4Checked = true
            if FrameCheck.sum(f[l4..<l4 + l4Len], initial: pseudo) != 0xFFFF { l4OK = false }
            if proto == 17 && FrameCheck.be16(f, l4 + 2) == 4789 {
                check(f, l4 + 8 + 8 + 14, FrameCheck.be16(f, l4 + 8 + 8 + 12))
            }
        case 1:
            l4Checked = true
            if FrameCheck.sum(f[l4..<l4 + l4Len]) != 0xFFFF { l4OK = false }
        default: break
        }
    }
}
