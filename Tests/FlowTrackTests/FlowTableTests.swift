import Testing
import FlowTrack
import PacketCore

struct CollectingSink: FlowRecordSink {
    var records: [FlowRecord] = []
    mutating func emit(_ record: FlowRecord) { records.append(record) }
}

let sec: UInt64 = 1_000_000_000
let hostA = IPAddress(ipv4: 0x0A00_0001)
let hostB = IPAddress(ipv4: 0x0A00_0002)

func packet(_ src: IPAddress, _ sport: UInt16, _ dst: IPAddress, _ dport: UInt16, proto: UInt8 = 6,
            flags: UInt8 = 0x10, at ts: UInt64, wire: UInt32 = 100, vlan: UInt16 = 0) -> PacketInfo {
    var p = PacketInfo()
    p.timestampNs = ts
    p.wireLength = wire
    p.capturedLength = wire
    p.ipVersion = 4
    p.src = src; p.dst = dst; p.srcPort = sport; p.dstPort = dport
    p.ipProto = proto
    p.ipLength = wire - 14
    p.tcpFlags = proto == 6 ? flags : 0
    p.hasL4 = true
    p.vlan = vlan
    return p
}

@Suite struct FlowTableTests {
    @Test func bothDirectionsCountToOneFlowWithTheSYNSenderAsInitiator() {
        let t = FlowTable()
        var sink = CollectingSink()
        t.process(packet(hostA, 40000, hostB, 443, flags: 0x02, at: 1 * sec, wire: 74), into: &sink)
        t.process(packet(hostB, 443, hostA, 40000, flags: 0x12, at: 1 * sec + 10, wire: 74), into: &sink)
        t.process(packet(hostA, 40000, hostB, 443, flags: 0x10, at: 1 * sec + 20, wire: 66), into: &sink)
        #expect(t.count == 1)
        t.flush(into: &sink)
        #expect(sink.records.count == 1)
        let r = sink.records[0]
        #expect(r.src == hostA && r.sport == 40000 && r.dst == hostB && r.dport == 443)
        #expect(r.aPackets == 2 && r.aBytes == 140 && r.bPackets == 1 && r.bBytes == 74)
        #expect(r.aIPBytes == 112 && r.bIPBytes == 60)
        #expect(r.tcpFlagsA == 0x12 && r.tcpFlagsB == 0x12)
        #expect(r.startNs == 1 * sec && r.endNs == 1 * sec + 20)
        #expect(r.endReason == .shutdown)
    }

    @Test func aSYNACKSeenFirstMakesItsReceiverTheInitiator() {
        let t = FlowTable()
        var sink = CollectingSink()
        t.process(packet(hostB, 443, hostA, 40000, flags: 0x12, at: sec), into: &sink)
        t.flush(into: &sink)
        #expect(sink.records[0].src == hostA && sink.records[0].sport == 40000)
        #expect(sink.records[0].bPackets == 1 && sink.records[0].aPackets == 0)
    }

    @Test func vlanSeparatesFlows() {
        let t = FlowTable()
        var sink = CollectingSink()
        t.process(packet(hostA, 1, hostB, 2, proto: 17, at: sec, vlan: 10), into: &sink)
        t.process(packet(hostA, 1, hostB, 2, proto: 17, at: sec, vlan: 20), into: &sink)
        #expect(t.count == 2)
    }

    @Test func idleTimeoutEndsAFlowByPacketTime() {
        let t = FlowTable(config: FlowTableConfig(idleTimeoutNs: 10 * sec))
        var sink = CollectingSink()
        t.process(packet(hostA, 1, hostB, 2, proto: 17, at: 100 * sec), into: &sink)
        t.process(packet(hostA, 3, hostB, 4, proto: 17, at: 109 * sec), into: &sink)
        #expect(sink.records.isEmpty)
        t.process(packet(hostA, 3, hostB, 4, proto: 17, at: 110 * sec), into: &sink)
        #expect(sink.records.count == 1)
        #expect(sink.records[0].sport == 1 && sink.records[0].endReason == .idle)
        #expect(t.count == 1)
        // The same 5-tuple after the timeout is a new flow.
        t.process(packet(hostA, 1, hostB, 2, proto: 17, at: 111 * sec), into: &sink)
        #expect(t.count == 2)
        #expect(t.stats.flowsCreated == 3)
    }

    @Test func activeTimeoutCutsALongFlowAndGoesOn() {
        let t = FlowTable(config: FlowTableConfig(idleTimeoutNs: 100 * sec, activeTimeoutNs: 60 * sec))
        var sink = CollectingSink()
        for s in stride(from: UInt64(0), through: 130, by: 10) {
            t.process(packet(hostA, 1, hostB, 2, proto: 17, at: (1000 + s) * sec), into: &sink)
        }
        #expect(sink.records.count == 2)
        #expect(sink.records.allSatisfy { $0.endReason == .active })
        #expect(sink.records[0].aPackets == 6 && sink.records[1].aPackets == 6)
        t.flush(into: &sink)
        #expect(sink.records.map(\.aPackets).reduce(0, +) == 14)
    }

    @Test func finBothWaysAndRSTEndWithTheirReasons() {
        let t = FlowTable(config: FlowTableConfig(closedTimeoutNs: 5 * sec))
        var sink = CollectingSink()
        t.process(packet(hostA, 1, hostB, 80, flags: 0x02, at: sec), into: &sink)
        t.process(packet(hostA, 1, hostB, 80, flags: 0x11, at: 2 * sec), into: &sink)
        t.process(packet(hostB, 80, hostA, 1, flags: 0x11, at: 2 * sec), into: &sink)
        t.process(packet(hostA, 1, hostB, 80, flags: 0x10, at: 2 * sec), into: &sink)  // last ACK, same record
        t.process(packet(hostA, 5, hostB, 80, flags: 0x02, at: 3 * sec), into: &sink)
        t.process(packet(hostB, 80, hostA, 5, flags: 0x14, at: 3 * sec), into: &sink)
        #expect(sink.records.isEmpty)
        t.process(packet(hostA, 9, hostB, 9, proto: 17, at: 10 * sec), into: &sink)
        #expect(sink.records.count == 2)
        #expect(sink.records[0].endReason == .fin && sink.records[0].aPackets == 3)
        #expect(sink.records[1].endReason == .rst && sink.records[1].sport == 5)
    }

    @Test func aNewSYNOnAClosedTupleStartsANewFlow() {
        let t = FlowTable()
        var sink = CollectingSink()
        t.process(packet(hostA, 1, hostB, 80, flags: 0x02, at: sec), into: &sink)
        t.process(packet(hostB, 80, hostA, 1, flags: 0x04, at: sec), into: &sink)
        t.process(packet(hostA, 1, hostB, 80, flags: 0x02, at: 2 * sec), into: &sink)
        #expect(sink.records.count == 1 && sink.records[0].endReason == .rst)
        #expect(t.count == 1)
    }

    @Test func aFullTableEvictsTheLeastRecentlySeenFlow() {
        let t = FlowTable(config: FlowTableConfig(capacity: 4))
        var sink = CollectingSink()
        for p in UInt16(1)...4 { t.process(packet(hostA, p, hostB, 53, proto: 17, at: sec + UInt64(p)), into: &sink) }
        t.process(packet(hostA, 1, hostB, 53, proto: 17, at: 2 * sec), into: &sink)  // 1 becomes most recent
        t.process(packet(hostA, 5, hostB, 53, proto: 17, at: 2 * sec), into: &sink)
        #expect(sink.records.count == 1)
        #expect(sink.records[0].sport == 2 && sink.records[0].endReason == .evicted)
        #expect(t.stats.evictions == 1 && t.count == 4)
        t.flush(into: &sink)
        #expect(Set(sink.records.map(\.sport)) == [1, 2, 3, 4, 5])
    }

    @Test func manyFlowsInsertFindAndDeleteConsistently() {
        // Churn through far more flows than the capacity: index deletion must keep every chain intact.
        let t = FlowTable(config: FlowTableConfig(capacity: 1000, idleTimeoutNs: 5 * sec))
        var sink = CollectingSink()
        var packets: UInt64 = 0
        for round in UInt64(0)..<20 {
            for p in UInt16(0)..<1500 {
                let port = UInt16(truncatingIfNeeded: (UInt64(p) &* 7919 &+ round &* 13) % 3000)
                t.process(packet(hostA, port, hostB, 53, proto: 17, at: (round * 3 + 1) * sec), into: &sink)
                packets += 1
            }
        }
        t.flush(into: &sink)
        #expect(t.count == 0)
        #expect(sink.records.map { $0.aPackets + $0.bPackets }.reduce(0, +) == packets)
        #expect(t.stats.records == UInt64(sink.records.count))
    }

    @Test func laterFragmentsCountToTheFirstFragmentsFlow() {
        let t = FlowTable()
        var sink = CollectingSink()
        var first = packet(hostB, 53, hostA, 40000, proto: 17, at: sec, wire: 1514)
        first.isFragment = true; first.moreFragments = true; first.fragmentID = 77
        var second = packet(hostB, 0, hostA, 0, proto: 17, at: sec + 1, wire: 300)
        second.isFragment = true; second.fragmentOffset = 1480; second.fragmentID = 77; second.hasL4 = false
        var orphan = second
        orphan.fragmentID = 78
        t.process(packet(hostA, 40000, hostB, 53, proto: 17, at: sec - 5, wire: 80), into: &sink)
        t.process(first, into: &sink)
        t.process(second, into: &sink)
        t.process(orphan, into: &sink)
        t.flush(into: &sink)
        let dns = sink.records.first { $0.dport == 53 }!
        #expect(dns.aPackets == 1 && dns.bPackets == 2 && dns.bBytes == 1814 && dns.fragments == 1)
        #expect(t.stats.fragmentsMatched == 1 && t.stats.fragmentsOrphaned == 1)
        #expect(sink.records.count == 2)
    }
}
