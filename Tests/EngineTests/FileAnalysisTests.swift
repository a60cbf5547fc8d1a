import Testing
import Foundation
import Engine
import Export
import FlowTrack
import PacketCore

struct Collect: FlowRecordSink {
    var records: [FlowRecord] = []
    mutating func emit(_ record: FlowRecord) { records.append(record) }
}

/// A record reduced to what must not depend on the worker count.
struct RecordKey: Hashable, Comparable {
    let text: String
    init(_ r: FlowRecord) {
        text = "\(r.src.text) \(r.sport) \(r.dst.text) \(r.dport) \(r.proto) \(r.vlan) \(r.startNs) \(r.endNs) "
            + "\(r.aPackets) \(r.aBytes) \(r.bPackets) \(r.bBytes) \(r.aIPBytes) \(r.bIPBytes) "
            + "\(r.tcpFlagsA) \(r.tcpFlagsB) \(r.endReason) \(r.tunnel) \(r.fragments)"
    }
    static func < (a: RecordKey, b: RecordKey) -> Bool { a.text < b.text }
}

func analyze(_ paths: [String], workers: Int, capacity: Int = 1 << 16) throws -> (AnalysisReport, [FlowRecord]) {
    var options = AnalysisOptions()
    options.workers = workers
    options.ringCapacity = 64          // small rings, so back-pressure paths run
    options.recordRingCapacity = 16
    options.flowTable.capacity = capacity
    var sink = Collect()
    let report = try FileAnalysis.run(paths: paths, options: options, output: &sink)
    return (report, sink.records)
}

/// Many interleaved flows: UDP request/response pairs and TCP connections that close with FIN.
func writeManyFlows(_ path: String, flows: Int, format: CaptureFileWriter.Format = .pcap) throws {
    let w = try CaptureFileWriter(path: path, format: format)
    var t: UInt64 = 1_700_000_000_000_000_000
    for round in 0..<4 {
        for i in 0..<flows {
            let client = 0x0A00_0000 | UInt32(i)
            let server: UInt32 = 0xC000_0201 + UInt32(i % 7)
            let sport = UInt16(20000 + i % 40000)
            t += 1000
            if i % 2 == 0 {
                try w.write(frame: FrameBuilder.ipv4UDP(src: client, dst: server, sport: sport, dport: 53, payload: 30 + round), timestampNs: t)
                try w.write(frame: FrameBuilder.ipv4UDP(src: server, dst: client, sport: 53, dport: sport, payload: 90), timestampNs: t + 10)
            } else {
                let flags: UInt8 = round == 0 ? 0x02 : (round == 3 ? 0x11 : 0x18)
                try w.write(frame: FrameBuilder.ipv4TCP(src: client, dst: server, sport: sport, dport: 443, flags: flags, payload: round * 10), timestampNs: t)
                try w.write(frame: FrameBuilder.ipv4TCP(src: server, dst: client, sport: 443, dport: sport, flags: round == 0 ? 0x12 : (round == 3 ? 0x11 : 0x10), payload: 0), timestampNs: t + 10)
            }
        }
        try w.write(frame: FrameBuilder.arp(), timestampNs: t + 20)
    }
    try w.close()
}

@Suite struct FileAnalysisTests {
    @Test(arguments: [1, 2, 3])
    func everyPacketIsAccountedAndEveryFlowRecorded(workers: Int) throws {
        let dir = TempDir()
        let path = dir.file("many.pcap")
        try writeManyFlows(path, flows: 3000)
        let (report, records) = try analyze([path], workers: workers)
        #expect(report.decode.packets == 3000 * 8 + 4)
        #expect(report.decode.nonIP == 4)
        #expect(report.accountingBalances)
        #expect(records.count == 3000)
        #expect(report.records == 3000)
        #expect(records.map { $0.aPackets + $0.bPackets }.reduce(0, +) == 3000 * 8)
        let tcp = records.filter { $0.proto == 6 }
        #expect(tcp.count == 1500 && tcp.allSatisfy { $0.endReason == .fin && $0.tcpFlagsA == 0x1B })
        #expect(report.fileErrors.isEmpty)
    }

    @Test func oneAndSeveralWorkersGiveTheSameRecords() throws {
        let dir = TempDir()
        let path = dir.file("many.pcapng")
        try writeManyFlows(path, flows: 2000, format: .pcapng)
        let (_, one) = try analyze([path], workers: 1)
        let (_, two) = try analyze([path], workers: 2)
        let (_, four) = try analyze([path], workers: 4)
        let a = one.map(RecordKey.init).sorted()
        #expect(a == two.map(RecordKey.init).sorted())
        #expect(a == four.map(RecordKey.init).sorted())
        // Both workers got flows.
        #expect(Set(two.map(\.worker)).count == 2)
    }

    @Test(arguments: [1, 2])
    func aSmallTableEvictsAndStillCountsEverything(workers: Int) throws {
        let dir = TempDir()
        let path = dir.file("many.pcap")
        try writeManyFlows(path, flows: 1000)
        let (report, records) = try analyze([path], workers: workers, capacity: 64)
        #expect(report.flows.evictions > 0)
        #expect(report.accountingBalances)
        #expect(records.map { $0.aPackets + $0.bPackets }.reduce(0, +) == 8000)
    }

    @Test(arguments: [1, 2])
    func aTruncatedFileKeepsTheRecordsBeforeTheError(workers: Int) throws {
        let dir = TempDir()
        let whole = dir.file("whole.pcap")
        try writeManyFlows(whole, flows: 100)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        bytes.removeLast(7)
        let cut = dir.file("cut.pcap")
        try bytes.write(to: URL(fileURLWithPath: cut))
        let (report, records) = try analyze([cut, dir.file("missing.pcap")], workers: workers)
        #expect(report.fileErrors.count == 2)
        #expect(report.fileErrors[0].path == cut)
        #expect(report.fileErrors[0].offset > 24 && report.fileErrors[0].offset < UInt64(bytes.count))
        #expect(report.fileErrors[1].path.hasSuffix("missing.pcap"))
        #expect(report.decode.packets == 803)  // 804 frames, the last one (an ARP frame) cut
        #expect(records.map { $0.aPackets + $0.bPackets }.reduce(0, +) == 800)  // every IP frame; 3 ARP frames are non-IP
        #expect(records.count == 100)
    }
}
