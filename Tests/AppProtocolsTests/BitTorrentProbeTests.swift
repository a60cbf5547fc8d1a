import Testing
import AppProtocols

@Suite struct BitTorrentProbeTests {
    /// Peer wire handshake: pstrlen 19, "BitTorrent protocol", reserved, info hash, peer id.
    static let handshake: [UInt8] = hex("13") + ascii("BitTorrent protocol") +
        hex("00 00 00 00 00 10 00 05") + fill(20, 0xAA) + ascii("-qB4650-") + fill(12, 0x31)
    /// DHT ping query (BEP 5).
    static let ping: [UInt8] = ascii("d1:ad2:id20:") + fill(20, 0x41) + ascii("e1:q4:ping1:t2:aa1:y1:qe")
    /// uTP ST_SYN, version 1, no extension (BEP 29): 20 bytes.
    static let utpSyn: [UInt8] = hex("""
        41 00 30 39        # type ST_SYN, version 1; no extension; connection id 12345
        00 0f 42 40        # timestamp (µs)
        00 00 00 00        # timestamp difference
        00 10 00 00        # window
        00 01 00 00        # seq 1, ack 0
        """)

    @Test func goldenMatches() {
        expectGolden(BitTorrentProbe.probe, Self.handshake, tcp(40000, 6881))
        expectGolden(BitTorrentProbe.probe, Self.ping, udp(40000, 6881))
        expectGolden(BitTorrentProbe.probe, Self.utpSyn, udp(40000, 6881))
        // ST_DATA with the selective-ack extension (next 0, length 4) and data.
        let data = hex("01 01") + Array(Self.utpSyn[2...]) + hex("00 04 ff ff ff ff") + fill(100, 0x55)
        expectGolden(BitTorrentProbe.probe, data, udp(40000, 6881))
        let connect = hex("00 00 04 17 27 10 19 80  00 00 00 00  12 34 56 78")
        expectGolden(BitTorrentProbe.probe, connect, udp(40000, 6969))
    }

    @Test func nearMisses() {
        var handshake = Self.handshake
        handshake[19] = 0x58
        expectMiss(BitTorrentProbe.probe, handshake, tcp(40000, 6881))
        var syn = Self.utpSyn
        syn[0] = 0x51   // type 5 does not exist
        expectMiss(BitTorrentProbe.probe, syn, udp(40000, 6881))
        expectMiss(BitTorrentProbe.probe, Self.utpSyn + [0], udp(40000, 6881))   // SYN carries no data
        expectMiss(BitTorrentProbe.probe, Array(Self.ping.dropLast()), udp(40000, 6881))
        expectMiss(BitTorrentProbe.probe, Self.handshake, udp(40000, 6881))
        // A DHCP request opens with 01 01 like uTP ST_DATA with an extension; its zeros at 20…
        // are not a valid extension.
        expectMiss(BitTorrentProbe.probe, DHCPProbeTests.request, udp(68, 67))
        // A STUN success response (01 01) is not uTP either.
        expectMiss(BitTorrentProbe.probe, STUNProbeTests.success, udp(3478, 40000))
    }

    @Test func localServiceDiscovery() {
        let search = ascii("BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: 0123456789abcdef0123456789abcdef01234567\r\n\r\n\r\n")
        expectGolden(BitTorrentProbe.probe, search, udp(6771, 6771))
    }
}
