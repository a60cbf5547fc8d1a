import Testing
import AppProtocols

@Suite struct LDAPProbeTests {
    /// BindRequest: SEQUENCE { messageID 1, [APPLICATION 0] { version 3, name "", simple "" } }.
    static let bind: [UInt8] = tlv(0x30, hex("02 01 01") + tlv(0x60, hex("02 01 03  04 00  80 00")))
    /// SearchRequest over CLDAP with a 2-byte messageID.
    static let search: [UInt8] = tlv(0x30, hex("02 02 01 2c") + tlv(0x63,
        tlv(0x04, []) + hex("0a 01 00  0a 01 00  02 01 00  02 01 00  01 01 00") +
        tlv(0x87, ascii("objectClass")) + tlv(0x30, tlv(0x04, ascii("netlogon")))))
    /// UnbindRequest: a primitive [APPLICATION 2] NULL.
    static let unbind: [UInt8] = hex("30 05 02 01 07 42 00")

    @Test func goldenMatches() {
        expectGolden(LDAPProbe.probe, Self.bind, tcp(40000, 389))
        expectGolden(LDAPProbe.probe, Self.search, udp(40000, 389))
        expectGolden(LDAPProbe.probe, Self.search, tcp(40000, 3268))
        expectGolden(LDAPProbe.probe, Self.unbind, tcp(40000, 389))
    }

    @Test func nearMisses() {
        var unused = Self.bind
        unused[5] = 0x71   // [APPLICATION 17] is not defined
        expectMiss(LDAPProbe.probe, unused, tcp(40000, 389))
        var id = Self.bind
        id[2] = 0x04   // OCTET STRING, not INTEGER
        expectMiss(LDAPProbe.probe, id, tcp(40000, 389))
        expectMiss(LDAPProbe.probe, Self.search + [0], udp(40000, 389))
        expectMiss(LDAPProbe.probe, hex("30 05 02 01 07 62 00"), tcp(40000, 389))   // constructed unbind
    }
}
