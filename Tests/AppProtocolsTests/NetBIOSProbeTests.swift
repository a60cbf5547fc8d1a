import Testing
import AppProtocols

/// First-level encoding (RFC 1001 §14.1): 15 characters padded with spaces, a suffix byte, each
/// nibble + 'A'; preceded by the length 0x20 and followed by the empty root label.
func netbiosName(_ name: String, suffix: UInt8) -> [UInt8] {
    var raw = Array(name.utf8.prefix(15))
    raw += [UInt8](repeating: 0x20, count: 15 - raw.count) + [suffix]
    var out: [UInt8] = [0x20]
    for b in raw {
        out.append(0x41 + (b >> 4))
        out.append(0x41 + (b & 0x0F))
    }
    out.append(0)
    return out
}

@Suite struct NetBIOSProbeTests {
    /// Name query for WORKGROUP<1D>, broadcast.
    static let query: [UInt8] = hex("""
        80 01   # transaction id
        01 10   # opcode query, recursion desired, broadcast
        00 01 00 00 00 00 00 00   # one question
        """) + netbiosName("WORKGROUP", suffix: 0x1D) + hex("00 20 00 01")
    /// Direct group datagram from PC1<00> to WORKGROUP<1D> carrying 8 bytes of SMB.
    static let datagram: [UInt8] = hex("""
        11 02 81 5e   # DIRECT_GROUP, flags first+node B, datagram id
        c0 a8 01 05   # source IP
        00 8a         # source port 138
        00 4c         # datagram length 76 (two names + 8)
        00 00         # offset
        """) + netbiosName("PC1", suffix: 0) + netbiosName("WORKGROUP", suffix: 0x1D) + fill(8, 0xFF)

    @Test func goldenMatches() {
        expectGolden(NetBIOSProbe.probe, Self.query, udp(137, 137))
        expectGolden(NetBIOSProbe.probe, Self.datagram, udp(138, 138))
    }

    @Test func nearMisses() {
        expectMiss(NetBIOSProbe.probe, Self.query, udp(40000, 53))
        var name = Self.query
        name[20] = 0x51   // 'Q' is outside 'A'…'P'
        expectMiss(NetBIOSProbe.probe, name, udp(137, 137))
        var opcode = Self.query
        opcode[2] = 0x19   // opcode 3 is unassigned
        expectMiss(NetBIOSProbe.probe, opcode, udp(137, 137))
        var type = Self.datagram
        type[0] = 0x17
        expectMiss(NetBIOSProbe.probe, type, udp(138, 138))
    }
}
