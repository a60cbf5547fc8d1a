import AppProtocols
import Benchmark
import Dissect
import FlowTrack
import Foundation
import PacketCore
import Rings
import Synchronization

// Per-packet benchmarks. Names use only [a-z0-9.-]: the threshold files are named after them
// (Thresholds/PacketPath.<name>.p90.json). Every sample runs its operation `scaledIterations` (1000) times, so the
// reported figures are per packet (per message, per flow, per batch), and a per-packet allocation
// shows in every sample: the allocation gate (check-allocations.sh) compares mallocCountTotal's
// p90 against 0 with Thresholds/*.p90.json.

/// Timing and allocations; the allocation gate asks for `--metric mallocCountTotal` only.
private let perPacket = Benchmark.Configuration(
    metrics: [.wallClock, .cpuTotal, .instructions, .mallocCountTotal, .throughput],
    scalingFactor: .kilo,
    maxDuration: .seconds(2),
    maxIterations: 2_000)

/// The frame decoder as the workers use it.
private let decoder = PacketDecoder()

private func decodeBenchmark(_ name: String, _ bytes: @escaping () -> [UInt8]) {
    var frame: FrameBuffer!
    Benchmark("decode.\(name)", configuration: perPacket, closure: { benchmark in
        var info = PacketInfo()
        info.wireLength = UInt32(frame.bytes.count)
        info.capturedLength = UInt32(frame.bytes.count)
        for _ in benchmark.scaledIterations {
            try? decoder.decode(frame.bytes, linkType: .ethernet, into: &info)
            blackHole(info.srcPort)
        }
    }, setup: {
        frame = FrameBuffer(bytes())
        var info = PacketInfo()
        try decoder.decode(frame.bytes, linkType: .ethernet, into: &info)
        precondition(info.hasL4, "\(name): the frame must decode to L4")
    })
}

private func parserBenchmark(_ name: String, _ bytes: @escaping () throws -> [UInt8],
                             check: @escaping (UnsafeRawBufferPointer) -> Bool,
                             run: @escaping (UnsafeRawBufferPointer) -> Void) {
    var message: FrameBuffer!
    Benchmark("parse.\(name)", configuration: perPacket, closure: { benchmark in
        for _ in benchmark.scaledIterations { run(message.bytes) }
    }, setup: {
        message = FrameBuffer(try bytes())
        precondition(check(message.bytes), "\(name): the message must parse")
    })
}

// MARK: Flow table

/// Flows keyed by index: 10.x.y.z:40000 → 192.0.2.1:443, TCP ACK without payload (no L7 work).
@inline(__always)
private func flowPacket(_ i: Int, at ns: UInt64) -> PacketInfo {
    var p = PacketInfo()
    p.timestampNs = ns
    p.wireLength = 66
    p.capturedLength = 66
    p.ipVersion = 4
    p.src = IPAddress(ipv4: 0x0A00_0000 &+ UInt32(truncatingIfNeeded: i))
    p.dst = IPAddress(ipv4: 0xC000_0201)
    p.ipProto = 6
    p.ipLength = 52
    p.srcPort = 40_000
    p.dstPort = 443
    p.tcpFlags = 0x10
    p.hasL4 = true
    return p
}

/// Timeouts far beyond any run, so no flow ends while a benchmark runs.
private func tableConfig(capacity: Int) -> FlowTableConfig {
    let never: UInt64 = 1 << 62
    return FlowTableConfig(capacity: capacity, idleTimeoutNs: never, activeTimeoutNs: never, closedTimeoutNs: never)
}

private let startNs: UInt64 = 1_767_225_600_000_000_000

private func flowTableBenchmarks(flows: Int, label: String, samples: Int) {
    // Insert: a fresh table of capacity `flows` (built outside the measurement) filled with
    // `flows` new flows, one packet each. Reported per inserted flow (1K, 1M) or per fill (10M:
    // there is no ten-million scaling factor).
    let scaling: BenchmarkScalingFactor = flows == 1_000 ? .kilo : flows == 1_000_000 ? .mega : .one
    let insertConfig = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .throughput, .peakMemoryResident],
        scalingFactor: scaling, maxDuration: .seconds(5), maxIterations: samples)
    Benchmark("flowtable.insert-\(label)", configuration: insertConfig) { benchmark in
        let table = FlowTable(config: tableConfig(capacity: flows))
        benchmark.startMeasurement()
        var ns = startNs
        for i in 0..<flows {
            table.process(flowPacket(i, at: ns))
            ns &+= 100
        }
        benchmark.stopMeasurement()
        precondition(table.count == flows && table.stats.packets == UInt64(flows))
        withExtendedLifetime(table) {}
    }

    // Lookup: a table holding `flows` flows (filled once in setup); each packet belongs to an
    // existing flow, visited in a scattered order so large tables miss the caches as real traffic does.
    var table: FlowTable!
    var next = 0
    var clock = startNs
    Benchmark("flowtable.lookup-\(label)", configuration: perPacket, closure: { benchmark in
        for _ in benchmark.scaledIterations {
            // Multiplicative step (odd, coprime to any count) walks every flow in a scattered order.
            next = (next &+ 0x9E37_79B1) % flows
            clock &+= 100
            table.process(flowPacket(next, at: clock))
        }
    }, setup: {
        table = FlowTable(config: tableConfig(capacity: flows))
        for i in 0..<flows {
            table.process(flowPacket(i, at: clock))
            clock &+= 100
        }
        precondition(table.count == flows)
    }, teardown: {
        precondition(table.count == flows, "lookups must not create flows")
        table = nil
    })
}

// MARK: SPSC ring

/// A producer thread that pushes the items asked for through a ring, for the two-thread benchmark.
private final class RingProducer: @unchecked Sendable {
    let ring = SPSCRing<UInt64>(minimumCapacity: 1024)
    let requested = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
    let stopped = Atomic<Bool>(false)

    func start() {
        let thread = Thread { [self] in
            var produced = 0
            let batch = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 32)
            batch.initialize(repeating: 7)
            while !stop.load(ordering: .relaxed) {
                let target = requested.load(ordering: .acquiring)
                if produced == target { sched_yield(); continue }
                let n = min(32, target - produced)
                produced += ring.push(contentsOf: UnsafeBufferPointer(rebasing: batch[0..<n]))
            }
            batch.deallocate()
            stopped.store(true, ordering: .releasing)
        }
        thread.start()
    }
}

private func ringBenchmarks() {
    // One thread pushes a batch of 32 descriptors and pops them: the ring's own cost, no sharing.
    let ring = SPSCRing<UInt64>(minimumCapacity: 1024)
    let batchIn = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 32)
    batchIn.initialize(repeating: 1)
    let batchOut = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 32)
    batchOut.initialize(repeating: 0)
    Benchmark("ring.push-pop-32-one-thread", configuration: perPacket) { benchmark in
        for _ in benchmark.scaledIterations {
            let pushed = ring.push(contentsOf: UnsafeBufferPointer(batchIn))
            let popped = ring.pop(into: batchOut)
            blackHole(pushed &+ popped)
        }
    }

    // Two threads: a producer thread pushes 32 × 1000 items per sample, this thread pops them in
    // batches of 32 as a worker does. Reported per batch of 32.
    var producer: RingProducer!
    var received = 0
    Benchmark("ring.transfer-32-two-threads", configuration: perPacket, closure: { benchmark in
        let target = received + 32 * benchmark.scaledIterations.count
        producer.requested.store(target, ordering: .releasing)
        while received < target {
            let n = producer.ring.pop(into: batchOut)
            if n == 0 { continue }
            received += n
        }
        blackHole(batchOut[0])
    }, setup: {
        producer = RingProducer()
        producer.start()
    }, teardown: {
        producer.stop.store(true, ordering: .releasing)
        while !producer.stopped.load(ordering: .acquiring) { sched_yield() }
    })
}

// MARK: All benchmarks

let benchmarks = {
    decodeBenchmark("tcp-ipv4", { Frames.tcpIPv4() })
    decodeBenchmark("udp-ipv6", { Frames.udpIPv6() })
    decodeBenchmark("vlan-tcp-ipv4", { Frames.tcpIPv4(vlan: 100) })
    decodeBenchmark("vxlan-tcp-ipv4", { Frames.vxlan() })

    parserBenchmark("dns-response", { Frames.dnsResponse() },
                    check: { var s = DNSSummary(); return DNSMessage.parse($0, into: &s) == .done && s.answers == 3 },
                    run: { m in
                        var s = DNSSummary()
                        blackHole(DNSMessage.parse(m, into: &s))
                        blackHole(s.firstAnswerType)
                    })
    parserBenchmark("http-request-head", { Frames.httpRequest() },
                    check: { var h = HTTPHead(); return HTTPMessage.parse($0, into: &h) == .done },
                    run: { m in
                        var h = HTTPHead()
                        blackHole(HTTPMessage.parse(m, into: &h))
                    })
    parserBenchmark("tls-clienthello-ja4", { Frames.tlsClientHelloRecord() },
                    check: { m in
                        let (status, range) = TLSHello.handshake(in: m, type: 1)
                        guard status == .done else { return false }
                        var hello = TLSClientHello()
                        return TLSHello.parseClientHello(UnsafeRawBufferPointer(rebasing: m[range]), quic: false,
                                                         into: &hello) == .done && hello.ja4[0] == UInt8(ascii: "t")
                    },
                    run: { m in
                        let (_, range) = TLSHello.handshake(in: m, type: 1)
                        var hello = TLSClientHello()
                        blackHole(TLSHello.parseClientHello(UnsafeRawBufferPointer(rebasing: m[range]), quic: false,
                                                            into: &hello))
                        blackHole(hello.ja4[35])
                    })
    // QUIC: decrypting the client Initial and parsing its ClientHello + JA4, with one workspace (a
    // worker's): keys are derived once per client connection ID, so after the first sample this
    // measures header protection removal, AES-128-GCM and the parse.
    let crypto = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 64)
    final class Workspace { var w = QUICInitialWorkspace() }
    let ws = Workspace()
    parserBenchmark("quic-initial-decrypt-clienthello-ja4", { try Frames.quicInitial() },
                    check: { m in
                        var filled = ByteRanges(), end = 0
                        let r = QUICInitial.decryptClientInitials(m, workspace: &ws.w, crypto: crypto, filled: &filled,
                                                                  cryptoEnd: &end)
                        var hello = TLSClientHello()
                        return r.decrypted && TLSHello.parseClientHello(
                            UnsafeRawBufferPointer(rebasing: crypto[0..<filled.contiguous]), quic: true, into: &hello) == .done
                            && hello.ja4[0] == UInt8(ascii: "q")
                    },
                    run: { m in
                        var filled = ByteRanges(), end = 0
                        blackHole(QUICInitial.decryptClientInitials(m, workspace: &ws.w, crypto: crypto, filled: &filled,
                                                                  cryptoEnd: &end))
                        var hello = TLSClientHello()
                        blackHole(TLSHello.parseClientHello(UnsafeRawBufferPointer(rebasing: crypto[0..<filled.contiguous]),
                                                            quic: true, into: &hello))
                    })
    parserBenchmark("ssh-banner", { Frames.sshBanner() },
                    check: { SSHBanner.parse($0).0 == .done },
                    run: { m in blackHole(SSHBanner.parse(m)) })

    flowTableBenchmarks(flows: 1_000, label: "1K", samples: 2_000)
    flowTableBenchmarks(flows: 1_000_000, label: "1M", samples: 20)
    flowTableBenchmarks(flows: 10_000_000, label: "10M", samples: 3)

    ringBenchmarks()
}
