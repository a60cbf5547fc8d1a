/// Builds a flow's packet events in time order: a clock, TCP sequence numbers, and the common
/// exchanges (handshake, segmented messages, bulk transfer, teardown).
struct FlowScript {
    var events: [PacketEvent] = []
    var now: UInt64 = 0
    /// Round-trip time between the capture point and the server, in nanoseconds.
    var rtt: UInt64
    /// Time to put one full-size frame on the wire (link rate), in nanoseconds.
    var serialization: UInt64
    var mss: Int
    var clientSeq: UInt32 = 0
    var serverSeq: UInt32 = 0
    var clientWindow: UInt16 = 64_240
    var serverWindow: UInt16 = 65_160
    var random: SynthRandom

    init(random: SynthRandom, rtt: UInt64, serialization: UInt64, mss: Int) {
        self.random = random
        self.rtt = rtt
        self.serialization = serialization
        self.mss = mss
        clientSeq = UInt32(truncatingIfNeeded: self.random.next())
        serverSeq = UInt32(truncatingIfNeeded: self.random.next())
    }

    /// Frames written so far (a fragmented datagram counts each fragment).
    var frames = 0

    /// Moves the clock forward by `ns` plus up to 10% jitter.
    mutating func wait(_ ns: UInt64) {
        let jitter = ns / 10
        now += ns + (jitter > 0 ? UInt64(random.int(0...Int(jitter))) : 0)
    }

    mutating func halfRTT() { wait(rtt / 2) }
    mutating func fullRTT() { wait(rtt) }
    /// A short host turnaround (stack and application latency), 20-200 microseconds.
    mutating func turnaround() { now += UInt64(random.int(20_000...200_000)) }

    // MARK: Datagrams

    mutating func datagram(fromClient: Bool, _ payload: PayloadSource, fragments: UInt8 = 0, icmpSeq: UInt32 = 0) {
        events.append(PacketEvent(time: now, fromClient: fromClient, seq: icmpSeq, fragments: fragments,
                                  payload: payload))
        frames += max(1, Int(fragments))
    }

    // MARK: TCP

    /// One TCP segment; sequence numbers advance by its payload (and by one for SYN and FIN).
    mutating func segment(fromClient: Bool, flags: UInt8, _ payload: PayloadSource = .none, synOptions: Bool = false) {
        let length = UInt32(payload.count)
        let seq = fromClient ? clientSeq : serverSeq
        let ack = (flags & TCPFlag.ack) != 0 ? (fromClient ? serverSeq : clientSeq) : 0
        events.append(PacketEvent(time: now, fromClient: fromClient, tcpFlags: flags, seq: seq, ack: ack,
                                  window: fromClient ? clientWindow : serverWindow, synOptions: synOptions,
                                  payload: payload))
        frames += 1
        let advance = length &+ ((flags & (TCPFlag.syn | TCPFlag.fin)) != 0 ? 1 : 0)
        if fromClient { clientSeq &+= advance } else { serverSeq &+= advance }
    }

    /// SYN, SYN/ACK one RTT later, ACK: 3 packets.
    mutating func handshake() {
        segment(fromClient: true, flags: TCPFlag.syn, synOptions: true)
        fullRTT()
        segment(fromClient: false, flags: TCPFlag.syn | TCPFlag.ack, synOptions: true)
        turnaround()
        segment(fromClient: true, flags: TCPFlag.ack)
    }

    /// Sends `bytes` as MSS-sized segments back to back, PSH on the last; the peer ACKs every
    /// second segment and the last one. Returns the number of packets.
    @discardableResult
    mutating func message(fromClient: Bool, _ bytes: [UInt8], ackEach: Bool = true) -> Int {
        var start = 0
        var sent = 0
        var packets = 0
        while start < bytes.count {
            let end = min(start + mss, bytes.count)
            let last = end == bytes.count
            segment(fromClient: fromClient, flags: TCPFlag.ack | (last ? TCPFlag.psh : 0), .slice(bytes[start..<end]))
            packets += 1
            sent += 1
            let length = end - start
            start = end
            now += serialization * UInt64(length + 64) / 1500 + UInt64(random.int(1_000...5_000))
            if ackEach && (sent % 2 == 0 || last) {
                segment(fromClient: !fromClient, flags: TCPFlag.ack)
                packets += 1
                now += UInt64(random.int(1_000...20_000))
            }
        }
        return packets
    }

    /// Packets `message` will produce for a message of `length` bytes.
    func messagePackets(_ length: Int, ackEach: Bool = true) -> Int {
        let segments = (length + mss - 1) / mss
        return ackEach ? segments + (segments + 1) / 2 : segments
    }

    /// Data segments in a bulk phase of `packets` packets (pattern: data, data, ack).
    static func bulkDataSegments(_ packets: Int) -> Int { (packets / 3) * 2 + min(packets % 3, 2) }

    /// Exactly `packets` packets of bulk transfer from one side: bursts that grow like slow start,
    /// one RTT apart, each data pair answered by an ACK. `segmentSize` gives each data segment's
    /// payload (index, total).
    mutating func bulk(fromClient: Bool, packets: Int, payload: (Int) -> PayloadSource) {
        var window = 10
        var inBurst = 0
        var dataIndex = 0
        for i in 0..<packets {
            if i % 3 == 2 {
                segment(fromClient: !fromClient, flags: TCPFlag.ack)
                now += UInt64(random.int(500...3_000))
            } else {
                segment(fromClient: fromClient, flags: TCPFlag.ack | ((i % 3 == 1) ? TCPFlag.psh : 0),
                        payload(dataIndex))
                dataIndex += 1
                inBurst += 1
                now += serialization + UInt64(random.int(0...Int(serialization / 4 + 1)))
                if inBurst >= window {
                    inBurst = 0
                    window = min(window * 2, 256)
                    wait(rtt)
                }
            }
        }
    }

    /// Closes with FIN from `fromClient`'s side and FIN/ACK back, then the last ACK: 3 packets.
    mutating func finish(fromClient: Bool) {
        turnaround()
        segment(fromClient: fromClient, flags: TCPFlag.fin | TCPFlag.ack)
        if fromClient { halfRTT(); halfRTT() } else { turnaround() }
        segment(fromClient: !fromClient, flags: TCPFlag.fin | TCPFlag.ack)
        if fromClient { turnaround() } else { fullRTT() }
        segment(fromClient: fromClient, flags: TCPFlag.ack)
    }

    /// Aborts with one RST/ACK: 1 packet.
    mutating func reset(fromClient: Bool) {
        turnaround()
        segment(fromClient: fromClient, flags: TCPFlag.rst | TCPFlag.ack)
    }

    /// Keeps the whole flow under `limit` ns by compressing its timeline (ordering is kept).
    mutating func compress(to limit: UInt64) {
        guard let last = events.last, last.time > limit else { return }
        let scale = Double(limit) / Double(last.time)
        var previous: UInt64 = 0
        for i in events.indices {
            var t = UInt64(Double(events[i].time) * scale)
            if t < previous { t = previous }
            events[i].time = t
            previous = t
        }
        now = previous
    }
}
