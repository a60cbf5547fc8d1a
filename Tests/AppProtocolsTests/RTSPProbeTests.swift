import Testing
import AppProtocols

@Suite struct RTSPProbeTests {
    static let options = ascii("OPTIONS rtsp://192.0.2.10:554/live/stream1 RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: LibVLC/3.0.20\r\n\r\n")
    static let reply = ascii("RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n")

    @Test func goldenMatches() {
        expectGolden(RTSPProbe.probe, Self.options, tcp(40000, 554))
        expectGolden(RTSPProbe.probe, Self.options, tcp(40000, 8554))
        expectGolden(RTSPProbe.probe, Self.reply, tcp(554, 40000, initiator: false))
        expectGolden(RTSPProbe.probe, ascii("GET_PARAMETER * RTSP/1.0\r\nCSeq: 9\r\n\r\n"), tcp(40000, 554))
    }

    @Test func nearMisses() {
        expectMiss(RTSPProbe.probe, ascii("OPTIONS rtsp://x/ HTTP/1.1\r\n\r\n"), tcp(40000, 554))
        expectMiss(RTSPProbe.probe, ascii("OPTIONS * SIP/2.0\r\n\r\n"), tcp(40000, 554))
        expectMiss(RTSPProbe.probe, ascii("RTSP/1.0 OK\r\n\r\n"), tcp(554, 40000))
        expectMiss(RTSPProbe.probe, ascii("PLAYX rtsp://x RTSP/1.0\r\n"), tcp(40000, 554))
    }
}
