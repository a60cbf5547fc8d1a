import Testing
import AppProtocols

@Suite struct RTPProbeTests {
    /// RTP, PCMU, 20 ms (160 samples).
    static let pcmu: [UInt8] = hex("""
        80 00 1f 40   # V=2, no P/X/CC; M=0, PT 0; sequence 8000
        00 01 f4 00   # timestamp
        de ad be ef   # SSRC
        """) + fill(160, 0xFF)
    /// RTP, dynamic PT 111 (Opus) with marker and an RFC 8285 one-byte extension.
    static let opus: [UInt8] = hex("90 ef 00 01  00 00 03 c0  11 22 33 44  be de 00 01  10 ff 00 00") + fill(60, 0x78)
    /// RTCP compound: SR (sender info, no blocks) + SDES with one CNAME chunk.
    static let rtcp: [UInt8] = hex("""
        80 c8 00 06  de ad be ef   # SR, length 6 words, SSRC
        e9 8f 1d 10 00 00 00 00  00 01 f4 00  00 00 00 64  00 00 3e 80
        81 ca 00 03  de ad be ef   # SDES, 1 chunk, length 3 words
        01 03 61 62 63 00 00 00    # CNAME "abc", end, pad
        """)

    @Test func goldenMatches() {
        expectGolden(RTPProbe.probe, Self.pcmu, udp(16384, 16386))
        expectGolden(RTPProbe.probe, Self.opus, udp(50001, 50000))
        expectGolden(RTPProbe.probe, Self.rtcp, udp(16385, 16386))
        // Padding-only: four bytes of padding, the last counting them.
        expectGolden(RTPProbe.probe, hex("a0 60 00 02 00 00 00 10 de ad be ef") + fill(16, 0x11) + hex("00 00 00 04"), udp(16384, 16386))
    }

    @Test func framedOverTCP() {
        // RFC 4571: 2-byte length then the packet; PCMA with marker and SSRC 0 as some PBXes send.
        let pcma = hex("80 88 c6 23 64 48 ec a9 00 00 00 00") + fill(160, 0xD5)
        expectGolden(RTPProbe.probe, be16(pcma.count) + pcma, tcp(40252, 5000))
        expectMiss(RTPProbe.probe, be16(pcma.count) + pcma + [0], udp(40252, 5000))
        expectMiss(RTPProbe.probe, be16(pcma.count - 1) + pcma, tcp(40252, 5000))
    }

    @Test func nearMisses() {
        expectMiss(RTPProbe.probe, Self.pcmu + [0], udp(16384, 16386))   // 161 bytes of G.711
        var version = Self.pcmu
        version[0] = 0x40
        expectMiss(RTPProbe.probe, version, udp(16384, 16386))
        expectMiss(RTPProbe.probe, Self.pcmu, udp(16385, 16387))   // both ports odd
        expectMiss(RTPProbe.probe, Self.pcmu, udp(123, 16386))     // a privileged port
        expectMiss(RTPProbe.probe, Self.rtcp + fill(4), udp(16385, 16386))
        var ext = Self.opus
        ext[12] = 0x12   // unknown extension profile
        expectMiss(RTPProbe.probe, ext, udp(50001, 50000))
    }
}
