import Testing
import AppProtocols

@Suite struct KerberosProbeTests {
    /// AS-REQ: [APPLICATION 10] SEQUENCE { pvno [1] 5, msg-type [2] 10, req-body [4] {…} }.
    static let asReq: [UInt8] = tlv(0x6A, tlv(0x30,
        hex("a1 03 02 01 05  a2 03 02 01 0a") +
        tlv(0xA4, tlv(0x30, hex("a0 07 03 05 00 50 80 00 10") +
            tlv(0xA2, tlv(0x1B, ascii("EXAMPLE.COM"))) +
            hex("a7 06 02 04 1f 2e 3d 4c")))))
    /// KRB-ERROR: [APPLICATION 30] SEQUENCE { pvno [0] 5, msg-type [1] 30, … }.
    static let error: [UInt8] = tlv(0x7E, tlv(0x30,
        hex("a0 03 02 01 05  a1 03 02 01 1e") + tlv(0xA6, hex("02 01 19")) + fill(0)))
    /// TGS-REP with a long-form length.
    static let tgsRep: [UInt8] = tlv(0x6D, tlv(0x30, hex("a0 03 02 01 05  a1 03 02 01 0d") + tlv(0xA5, fill(200, 0x11))))

    @Test func goldenMatches() {
        expectGolden(KerberosProbe.probe, Self.asReq, udp(40000, 88))
        expectGolden(KerberosProbe.probe, Self.error, udp(88, 40000))
        expectGolden(KerberosProbe.probe, Self.tgsRep, udp(88, 40000))
        expectGolden(KerberosProbe.probe, be32(Self.asReq.count) + Self.asReq, tcp(40000, 88))
        expectGolden(KerberosProbe.probe, be32(Self.tgsRep.count) + Self.tgsRep, tcp(88, 40000))
    }

    @Test func nearMisses() {
        var pvno4 = Self.asReq
        pvno4[8] = 4
        expectMiss(KerberosProbe.probe, pvno4, udp(40000, 88))
        var type = Self.asReq
        type[13] = 0x0b   // AS-REQ tag but AS-REP msg-type
        expectMiss(KerberosProbe.probe, type, udp(40000, 88))
        expectMiss(KerberosProbe.probe, Self.asReq + [0], udp(40000, 88))
        expectMiss(KerberosProbe.probe, be32(Self.asReq.count + 1) + Self.asReq + [0], tcp(40000, 88))
    }
}
