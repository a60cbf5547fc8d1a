import Testing
import AppProtocols

@Suite struct MQTTProbeTests {
    /// CONNECT, MQTT 3.1.1: remaining length 15, "MQTT" level 4, clean session, keep-alive 60, id "abc".
    static let connect: [UInt8] = hex("""
        10 0f                      # CONNECT, remaining length 15
        00 04 4d 51 54 54 04       # "MQTT", level 4
        02 00 3c                   # flags: clean session; keep-alive 60
        00 03 61 62 63             # client id "abc"
        """)
    /// CONNECT, MQTT 3.1: "MQIsdp" level 3.
    static let connect31: [UInt8] = hex("10 11  00 06 4d 51 49 73 64 70 03  02 00 3c  00 03 61 62 63")
    /// CONNECT, MQTT 5 with a two-byte remaining length (200).
    static let connect5: [UInt8] = hex("10 c8 01  00 04 4d 51 54 54 05  02 00 3c  00") + fill(190, 0x61)

    @Test func goldenMatches() {
        expectGolden(MQTTProbe.probe, Self.connect, tcp(40000, 1883))
        expectGolden(MQTTProbe.probe, Self.connect31, tcp(40000, 1883))
        expectGolden(MQTTProbe.probe, Self.connect5, tcp(40000, 18830))
        expectGolden(MQTTProbe.probe, hex("20 02 00 00"), tcp(1883, 40000, initiator: false))
    }

    @Test func nearMisses() {
        var name = Self.connect
        name[6] = 0x58
        expectMiss(MQTTProbe.probe, name, tcp(40000, 1883))
        var level = Self.connect
        level[8] = 6
        expectMiss(MQTTProbe.probe, level, tcp(40000, 1883))
        var reserved = Self.connect
        reserved[9] = 0x03   // reserved flag bit set
        expectMiss(MQTTProbe.probe, reserved, tcp(40000, 1883))
        expectMiss(MQTTProbe.probe, hex("20 02 00 09"), tcp(1883, 40000))
        expectMiss(MQTTProbe.probe, hex("10 ff ff ff ff 7f"), tcp(40000, 1883))
    }
}
