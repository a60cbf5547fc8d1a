import Testing
import AppProtocols

@Suite struct SMB2ProbeTests {
    /// NetBIOS session message + SMB2 NEGOTIATE header (64 bytes) + 36-byte request.
    static let negotiate: [UInt8] = hex("""
        00 00 00 64              # session message, length 100
        fe 53 4d 42 40 00 00 00  # 0xFE 'SMB', header length 64, credit charge 0
        00 00 00 00 00 00 1f 00  # status, command NEGOTIATE (0), credits 31
        """) + fill(48) + hex("24 00 02 00 01 00 00 00") + fill(28)
    /// SMB1 NEGOTIATE (dialect list) as old clients send first.
    static let smb1: [UInt8] = hex("00 00 00 2f  ff 53 4d 42 72 00 00 00 00 18 43 c8") + fill(20) +
        hex("00 00 00 00 00 00 00 0c 00 02") + ascii("NT LM 0.12") + [0]

    @Test func goldenMatches() {
        expectGolden(SMB2Probe.probe, Self.negotiate, tcp(40000, 445))
        expectGolden(SMB2Probe.probe, Self.smb1, tcp(40000, 139))
    }

    @Test func nearMisses() {
        var magic = Self.negotiate
        magic[7] = 0x43
        expectMiss(SMB2Probe.probe, magic, tcp(40000, 445))
        var type = Self.negotiate
        type[0] = 0x85   // NetBIOS keepalive, not a message
        expectMiss(SMB2Probe.probe, type, tcp(40000, 445))
        expectMiss(SMB2Probe.probe, hex("00 00 00 10 fe 53 4d 42") + fill(12), tcp(40000, 445))
    }
}
