// Throughput of the export paths, for Benchmarks/exports-bench.sh:
//   exports-bench ipfix RECORDS            records/s through the IPFIX encoder (messages built, not sent)
//   exports-bench ipfix-file RECORDS PATH  records/s through the exporter to an RFC 5655 file
//   exports-bench pcapng CAPTURE DIR       pcapng bytes/s: every frame of CAPTURE through the queue and writer
//   exports-bench synth PACKETS PATH       a `synth --profile mix` capture (pcap), without building the CLI
// Prints one line of key=value pairs.
import Export
import FlowTrack
import Ingest
import Outputs
import PacketCore
import Synth
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func record(_ i: Int) -> FlowRecord {
    let v6 = i % 4 == 0
    return FlowRecord(src: v6 ? IPAddress(high: 0x2001_0db8 << 32, low: UInt64(i), isIPv6: true) : IPAddress(ipv4: 0x0A00_0000 &+ UInt32(truncatingIfNeeded: i)),
                      dst: v6 ? IPAddress(high: 0x2001_0db8 << 32, low: 1, isIPv6: true) : IPAddress(ipv4: 0xC633_6401),
                      sport: UInt16(truncatingIfNeeded: i), dport: 443, proto: 6, vlan: 0, tunnel: .none,
                      startNs: 1_767_225_600_000_000_000, endNs: 1_767_225_601_000_000_000, aPackets: 10, aBytes: 1500,
                      bPackets: 8, bBytes: 9000, aIPBytes: 1360, bIPBytes: 8888, tcpFlagsA: 0x1B, tcpFlagsB: 0x1B,
                      fragments: 0, endReason: .fin, worker: 0)
}

let args = CommandLine.arguments
guard args.count >= 3 else {
    print("usage: exports-bench ipfix N | ipfix-file N PATH | pcapng CAPTURE DIR")
    exit(2)
}
switch args[1] {
case "ipfix":
    let n = Int(args[2])!
    let records = (0..<4096).map(record)
    let enc = IPFIXEncoder(maxMessageSize: IPFIX.defaultUDPMessageSize)
    var bytes = 0
    let t0 = now()
    var i = 0
    while i < n {
        enc.startMessage(exportTimeSeconds: 1)
        while i < n && enc.append(records[i & 4095]) { i += 1 }
        bytes += enc.finishMessage().count
    }
    let dt = now() - t0
    print("records=\(n) seconds=\(dt) records_per_s=\(Int(Double(n) / dt)) bytes=\(bytes)")
case "ipfix-file":
    let n = Int(args[2])!
    var c = IPFIXExporterConfig(destination: .file(args[3]))
    c.queueCapacity = 1 << 16
    let e = try IPFIXExporter(config: c)
    let records = (0..<4096).map(record)
    let t0 = now()
    for i in 0..<n { while !e.offer(records[i & 4095]) { sched_yield() } }
    e.close()
    let dt = now() - t0
    let s = e.stats
    print("records=\(s.sent) seconds=\(dt) records_per_s=\(Int(Double(s.sent) / dt)) bytes=\(s.bytes) queue_full_retries=\(s.dropped)")
case "pcapng":
    var c = PcapngRingConfig(directory: args[3])
    c.maxFileBytes = 1 << 30
    c.queueBytes = 256 << 20
    let w = try PcapngRingWriter(config: c)
    let reader = try CaptureFileReader(path: args[2])
    var packets = 0
    let t0 = now()
    while let p = try reader.next() {
        // Offer until taken: this measures the writer, so the queue must not drop.
        while !w.queue.offer(p.bytes, timestampNs: p.timestampNs, originalLength: p.wireLength, linkType: p.linkType, flowHash: 0) {
            sched_yield()
        }
        packets += 1
    }
    w.close()
    let dt = now() - t0
    let s = w.stats
    print("packets=\(s.packetsWritten) seconds=\(dt) bytes=\(s.bytesWritten) bytes_per_s=\(Int(Double(s.bytesWritten) / dt)) queue_full_retries=\(s.packetsLostQueueFull)")
case "synth":
    let n = Int(args[2])!
    let summary = try Synthesizer.run(SynthConfig(profile: .mix, flows: max(1, n / 20), packets: n, seed: 1, format: .pcap),
                                      output: args[3], manifest: nil)
    print(summary)
default:
    print("unknown mode \(args[1])")
    exit(2)
}
