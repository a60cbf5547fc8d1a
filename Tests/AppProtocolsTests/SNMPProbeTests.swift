import Testing
import AppProtocols

@Suite struct SNMPProbeTests {
    /// v2c GetRequest for sysDescr.0 with community "public".
    static let get: [UInt8] = tlv(0x30, hex("02 01 01") + tlv(0x04, ascii("public")) + tlv(0xA0,
        hex("02 04 1a 2b 3c 4d  02 01 00  02 01 00") +
        tlv(0x30, tlv(0x30, hex("06 08 2b 06 01 02 01 01 01 00  05 00")))))
    /// v3 GetRequest: msgGlobalData then security parameters and scoped PDU (abridged).
    static let v3: [UInt8] = tlv(0x30, hex("02 01 03") +
        tlv(0x30, hex("02 04 00 00 30 39  02 03 00 ff e3  04 01 04  02 01 03")) +
        tlv(0x04, fill(12)) + tlv(0x30, fill(8)))

    @Test func goldenMatches() {
        expectGolden(SNMPProbe.probe, Self.get, udp(40000, 161))
        expectGolden(SNMPProbe.probe, Self.v3, udp(40000, 161))
        expectGolden(SNMPProbe.probe, Self.get, udp(40000, 1161))
    }

    @Test func nearMisses() {
        var version = Self.get
        version[4] = 2   // version 2 is not a wire value
        expectMiss(SNMPProbe.probe, version, udp(40000, 161))
        expectMiss(SNMPProbe.probe, Self.get + [0], udp(40000, 161))
        var pdu = Self.get
        pdu[13] = 0xA9
        expectMiss(SNMPProbe.probe, pdu, udp(40000, 161))
        expectMiss(SNMPProbe.probe, Self.get, tcp(40000, 161))
    }
}
