import Foundation
import Outputs
import Testing

/// The TCP exporter against a collector that is absent at start, killed and restarted mid-run.
@Suite struct TCPExporterTests {
    /// A minimal IPFIX-over-TCP collector (a separate process, so the test can kill it): counts
    /// data records, writing the running total to a file after every message.
    static let collector = #"""
import socket, struct, sys
port, countfile = int(sys.argv[1]), sys.argv[2]
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port)); srv.listen(4)
total = 0
def readn(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d: return None
        b += d
    return b
while True:
    c, _ = srv.accept()
    templates = {}
    while True:
        h = readn(c, 16)
        if h is None: break
        ver, ln = struct.unpack(">HH", h[:4])
        body = readn(c, ln - 16)
        if body is None: break
        i = 0
        while i + 4 <= len(body):
            sid, sl = struct.unpack(">HH", body[i:i+4]); end = i + sl; p = i + 4
            if sid == 2:
                while end - p >= 4:
                    tid, cnt = struct.unpack(">HH", body[p:p+4]); p += 4; f = []
                    for _ in range(cnt):
                        e, l = struct.unpack(">HH", body[p:p+4]); p += 4
                        if e & 0x8000: p += 4
                        f.append(l)
                    templates[tid] = f
            elif sid >= 256:
                f = templates[sid]
                while p < end:
                    for l in f:
                        if l == 65535:
                            n = body[p]; p += 1
                            if n == 255: n = struct.unpack(">H", body[p:p+2])[0]; p += 2
                            p += n
                        else: p += l
                    total += 1
            i = end
        with open(countfile, "w") as o: o.write(str(total))
    c.close()
"""#

    static func count(_ path: String) -> Int {
        Int((try? String(contentsOfFile: path, encoding: .utf8)) ?? "0") ?? 0
    }

    static func waitFor(_ seconds: Double, _ cond: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end { if cond() { return true }; usleep(20_000) }
        return cond()
    }

    @Test func noCallerBlocksAndEveryRecordIsDeliveredOrCountedDropped() throws {
        let dir = try Support.tempDir("tcp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("collector.py").path
        try Self.collector.write(toFile: script, atomically: true, encoding: .utf8)
        let port = Support.freePort()
        var config = IPFIXExporterConfig(destination: .tcp(Endpoint(host: "127.0.0.1", port: port)))
        config.queueCapacity = 2048
        config.reconnectMinMs = 50
        config.reconnectMaxMs = 400
        let exporter = try IPFIXExporter(config: config)
        let records = sampleRecords(4000)
        var maxOfferNs: UInt64 = 0
        func offer(_ n: Int, pace: Bool) {
            for i in 0..<n {
                let t0 = DispatchTime.now().uptimeNanoseconds
                exporter.offer(records[i % records.count])
                maxOfferNs = max(maxOfferNs, DispatchTime.now().uptimeNanoseconds - t0)
                if pace && i % 100 == 99 { usleep(5_000) }
            }
        }

        // 1. No collector: records wait in the bounded queue; what does not fit is counted dropped.
        offer(5000, pace: false)
        #expect(exporter.stats.dropped >= 5000 - 2048)
        usleep(300_000)
        #expect(exporter.stats.connectFailures > 0)

        // 2. The collector comes up: the queue drains into it.
        let countA = dir.appendingPathComponent("a.count").path
        let first = try Support.spawn("/usr/bin/python3", [script, "\(port)", countA])
        #expect(Self.waitFor(15) { exporter.stats.queueDepth == 0 && exporter.stats.sent > 0 && Self.count(countA) == Int(exporter.stats.sent) })

        // 3. Killed mid-run; records keep coming while it is away.
        first.stop(SIGKILL)
        offer(3000, pace: true)

        // 4. Restarted on the same port: the exporter reconnects, sends templates again and goes on.
        let countB = dir.appendingPathComponent("b.count").path
        let second = try Support.spawn("/usr/bin/python3", [script, "\(port)", countB])
        defer { second.stop(SIGKILL) }
        #expect(Self.waitFor(15) { Self.count(countB) > 0 })
        offer(2000, pace: true)
        exporter.close()
        let s = exporter.stats
        #expect(Self.waitFor(10) { Self.count(countA) + Self.count(countB) == Int(s.sent) })

        let received = Self.count(countA) + Self.count(countB)
        #expect(s.offered == 10_000)
        #expect(s.offered == s.sent + s.dropped, "offered \(s.offered) sent \(s.sent) dropped \(s.dropped)")
        #expect(UInt64(received) == s.sent, "collectors received \(received), exporter sent \(s.sent)")
        #expect(s.connects >= 2)
        #expect(Self.count(countB) > 0)
        // The caller never waited on the network (a generous bound for a debug build on a shared machine).
        #expect(maxOfferNs < 20_000_000, "slowest offer \(maxOfferNs) ns")
    }
}
