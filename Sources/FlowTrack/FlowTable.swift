public import PacketCore

/// A worker's flow table: fixed capacity, no locks, no allocation after `init`.
///
/// Flows live in a slab of entries whose indices never move; an open-addressing index (linear
/// probing, load ≤ 1/2, backward-shift deletion) maps a key's hash to its slab index. Each entry
/// sits on one of two recency lists — open flows and TCP flows closed by FIN/RST — ordered by
/// last packet time, so timeouts expire from the list heads and a full table evicts the least
/// recently seen flow. All time is packet time, so results from a file are reproducible.
public final class FlowTable {
    public let config: FlowTableConfig
    public private(set) var stats = FlowTableStats()
    /// Worker index written into records.
    public let worker: UInt16

    @usableFromInline typealias Index = Int32
    @usableFromInline static let nil_: Index = -1

    @usableFromInline struct Entry: BitwiseCopyable {
        var key: FlowKey
        var hash: UInt64
        var src: IPAddress       // initiator
        var dst: IPAddress
        var sport: UInt16
        var dport: UInt16
        var initiatorIsLow: Bool
        var tunnel: TunnelKind
        var startNs: UInt64
        var lastNs: UInt64
        var aPackets: UInt64
        var aBytes: UInt64
        var bPackets: UInt64
        var bBytes: UInt64
        var aIPBytes: UInt64
        var bIPBytes: UInt64
        var flagsA: UInt8
        var flagsB: UInt8
        /// Bit 0: FIN from a, bit 1: FIN from b, bit 2: RST seen.
        var closeState: UInt8
        var list: UInt8
        var fragments: UInt32
        /// The flow was offered for shunting, or found not to qualify once its L7 finished.
        var shuntDecided: Bool
        var prev: Index
        var next: Index
    }

    private static let listOpen: UInt8 = 0
    private static let listClosed: UInt8 = 1
    private static let finA: UInt8 = 1, finB: UInt8 = 2, rstSeen: UInt8 = 4

    private let slab: UnsafeMutablePointer<Entry>
    private let index: UnsafeMutablePointer<UInt64>   // 0 = empty, else hash low 32 << 32 | slab index + 1
    private let indexMask: Int
    /// Entries freed by ended flows, most recent first, chained through `next`.
    private var freeHead: Index
    /// Entries from here on have never held a flow and are not initialized: memory is touched
    /// only for entries ever used (the peak of flows held at once, not the capacity). Freed
    /// entries are taken first, so entries are handed out in the same order as from one free
    /// list of every entry in index order.
    private var neverUsed: Index = 0
    private var heads: (Index, Index) = (FlowTable.nil_, FlowTable.nil_)
    private var tails: (Index, Index) = (FlowTable.nil_, FlowTable.nil_)
    /// Flows held now.
    public private(set) var count = 0
    private var nowNs: UInt64 = 0
    private var nextSweepNs: UInt64 = 0
    private var fragments: FragmentTable
    /// Application-layer state and metadata, indexed like the slab.
    let l7: L7Dissector
    private let l7Enabled: Bool

    public init(config: FlowTableConfig = FlowTableConfig(), worker: UInt16 = 0) {
        precondition(config.capacity > 0 && config.capacity < Int(Int32.max) / 2, "flow table capacity out of range")
        self.config = config
        self.worker = worker
        slab = .allocate(capacity: config.capacity)
        var size = 2
        while size < config.capacity * 2 { size <<= 1 }
        indexMask = size - 1
        index = .allocate(capacity: size)
        index.initialize(repeating: 0, count: size)
        // Not initialized here: an entry is initialized when a flow first takes it (`insert`).
        freeHead = FlowTable.nil_
        fragments = FragmentTable(capacity: config.fragmentCapacity, timeoutNs: config.fragmentTimeoutNs)
        l7 = L7Dissector(capacity: config.capacity, config: config)
        l7Enabled = config.l7Enabled
        pending.reserveCapacity(4096)
        shuntRequests.reserveCapacity(FlowTable.shuntRequestCapacity)
    }

    deinit {
        slab.deallocate()
        index.deallocate()
    }

    // MARK: Per packet

    /// Counts one decoded packet to its flow, ending flows as timeouts, FIN/RST and eviction say.
    /// Packets without an IP layer are not flows; the caller counts them.
    public func process<S: FlowRecordSink>(_ info: PacketInfo, frame: UnsafeRawBufferPointer, into sink: inout S) {
        process(info, frame: frame)
        drain(into: &sink)
    }

    /// Counts a packet without its bytes (no L7 work).
    public func process<S: FlowRecordSink>(_ info: PacketInfo, into sink: inout S) {
        process(info, frame: UnsafeRawBufferPointer(start: nil, count: 0))
        drain(into: &sink)
    }

    /// Counts a packet without its bytes (no L7 work).
    public func process(_ info: PacketInfo) {
        process(info, frame: UnsafeRawBufferPointer(start: nil, count: 0))
    }

    /// Application-layer counters and reassembly pool use.
    public var l7Stats: L7Stats {
        var s = l7.stats
        s.reassemblyExhausted = l7.pool.exhausted
        s.reassemblyPeakBuffers = l7.pool.peakInUse
        s.reassemblyInUse = l7.pool.inUse
        s.ja4CacheHits = l7.ja4Cache.hits
        s.ja4CacheMisses = l7.ja4Cache.misses
        s.ja4Uncached = l7.ja4Cache.uncached
        return s
    }

    /// Flows offered for shunting and not yet taken (`config.shuntApps`); at most
    /// `shuntRequestCapacity` wait, a flow that finds it full is offered again on its next packet.
    public private(set) var shuntRequests: [ShuntRequest] = []
    public static let shuntRequestCapacity = 1024

    /// Hands every waiting shunt request to `body` and forgets them.
    public func takeShuntRequests(_ body: (ShuntRequest) -> Void) {
        for r in shuntRequests { body(r) }
        shuntRequests.removeAll(keepingCapacity: true)
    }

    /// Records ended and not yet drained. The table keeps them here so its per-packet code is not
    /// generic (a generic call across modules would not be specialized).
    public private(set) var pending: [FlowRecord] = []

    /// Hands every pending record to `sink`, oldest first.
    @inline(__always)
    public func drain<S: FlowRecordSink>(into sink: inout S) {
        if pending.isEmpty { return }
        // By index into the storage: `for r in pending` copies each 664-byte record out first.
        pending.withUnsafeBufferPointer { records in
            for k in records.indices { sink.emit(records[k]) }
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Counts one decoded packet to its flow and runs its L7 step on `frame` (the captured bytes
    /// `info` was decoded from); ended records wait in `pending`.
    public func process(_ info: PacketInfo, frame: UnsafeRawBufferPointer) {
        let ts = info.timestampNs
        if ts > nowNs { nowNs = ts }
        if nowNs >= nextSweepNs {
            expire(upTo: nowNs)
            nextSweepNs = nowNs &+ config.sweepIntervalNs
        }
        stats.packets &+= 1

        var sport = info.srcPort
        var dport = info.dstPort
        var isLaterFragment = false
        if info.isFragment {
            if info.fragmentOffset == 0 {
                if info.hasL4, fragments.remember(info) { stats.fragmentTableOverwrites &+= 1 }
            } else {
                isLaterFragment = true
                if let ports = fragments.lookup(info) {
                    (sport, dport) = ports
                    stats.fragmentsMatched &+= 1
                } else {
                    stats.fragmentsOrphaned &+= 1
                }
            }
        }

        let (key, senderIsLow) = FlowKey.make(src: info.src, sport: sport, dst: info.dst, dport: dport,
                                              proto: info.ipProto, vlan: info.vlan)
        let hash = key.hashValue64
        let flags = info.ipProto == 6 && info.hasL4 ? info.tcpFlags : 0
        var i = find(key, hash)

        if i != FlowTable.nil_ {
            let e = slab + Int(i)
            // A new connection on a closed 5-tuple (bare SYN) ends the old one first.
            if e.pointee.closeState != 0 && flags & 0x12 == 0x02 {
                end(i, reason: e.pointee.closeState & FlowTable.rstSeen != 0 ? .rst : .fin)
                i = FlowTable.nil_
            } else if ts &- e.pointee.startNs >= config.activeTimeoutNs && ts > e.pointee.startNs {
                emitRecord(i, reason: .active)
                resetCounters(e, at: ts)
            }
        }
        if i == FlowTable.nil_ {
            i = insert(key, hash, info: info, sport: sport, dport: dport, senderIsLow: senderIsLow, flags: flags)
        }

        let e = slab + Int(i)
        let fromA = senderIsLow == e.pointee.initiatorIsLow
        let wire = UInt64(info.wireLength)
        let ipBytes = UInt64(info.ipLength)
        if fromA {
            e.pointee.aPackets &+= 1; e.pointee.aBytes &+= wire; e.pointee.aIPBytes &+= ipBytes
            e.pointee.flagsA |= flags
        } else {
            e.pointee.bPackets &+= 1; e.pointee.bBytes &+= wire; e.pointee.bIPBytes &+= ipBytes
            e.pointee.flagsB |= flags
        }
        if isLaterFragment { e.pointee.fragments &+= 1 }
        else if l7Enabled && info.payloadLength != 0 || l7Enabled && flags & 0x02 != 0 {
            l7.process(Int(i), fromA: fromA, info: info, frame: frame, sport: e.pointee.sport, dport: e.pointee.dport)
        }
        if config.shuntApps != 0 && !e.pointee.shuntDecided { offerShunt(e, Int(i), info) }
        if ts > e.pointee.lastNs { e.pointee.lastNs = ts }
        if flags & 0x05 != 0 {  // FIN or RST
            let before = e.pointee.closeState
            if flags & 0x04 != 0 { e.pointee.closeState |= FlowTable.rstSeen }
            if flags & 0x01 != 0 { e.pointee.closeState |= fromA ? FlowTable.finA : FlowTable.finB }
            if isClosed(e.pointee.closeState) && !isClosed(before) {
                unlink(i)
                e.pointee.list = FlowTable.listClosed
            }
        }
        touch(i)
    }

    /// Ends every flow whose timeout has passed at packet time `now` (also called per packet).
    public func expire<S: FlowRecordSink>(upTo now: UInt64, into sink: inout S) {
        expire(upTo: now)
        drain(into: &sink)
    }

    /// Ends every flow whose timeout has passed at packet time `now`; records wait in `pending`.
    public func expire(upTo now: UInt64) {
        if now > nowNs { nowNs = now }
        var i = heads.0
        while i != FlowTable.nil_, slab[Int(i)].lastNs &+ config.idleTimeoutNs <= now {
            let next = slab[Int(i)].next
            end(i, reason: .idle)
            i = next
        }
        i = heads.1
        while i != FlowTable.nil_, slab[Int(i)].lastNs &+ config.closedTimeoutNs <= now {
            let next = slab[Int(i)].next
            end(i, reason: slab[Int(i)].closeState & FlowTable.rstSeen != 0 ? .rst : .fin)
            i = next
        }
    }

    /// Ends every flow: at the end of input or on exit.
    public func flush<S: FlowRecordSink>(into sink: inout S) {
        flush()
        drain(into: &sink)
    }

    /// Ends every flow; records wait in `pending`.
    public func flush() {
        for list in 0..<2 {
            var i = list == 0 ? heads.0 : heads.1
            while i != FlowTable.nil_ {
                let next = slab[Int(i)].next
                let s = slab[Int(i)].closeState
                // A closed TCP flow keeps its real end; only flows cut short say `shutdown`.
                end(i, reason: isClosed(s) ? (s & FlowTable.rstSeen != 0 ? .rst : .fin) : .shutdown)
                i = next
            }
        }
    }

    // MARK: Internals

    @inline(__always)
    private func isClosed(_ s: UInt8) -> Bool {
        s & FlowTable.rstSeen != 0 || s & (FlowTable.finA | FlowTable.finB) == (FlowTable.finA | FlowTable.finB)
    }

    @inline(__always)
    private func find(_ key: FlowKey, _ hash: UInt64) -> Index {
        let tag = hash & 0xFFFF_FFFF
        var p = Int(truncatingIfNeeded: hash) & indexMask
        while true {
            let v = index[p]
            if v == 0 { return FlowTable.nil_ }
            if v >> 32 == tag {
                let i = Int(v & 0xFFFF_FFFF) - 1
                if slab[i].key == key { return Index(i) }
            }
            p = (p + 1) & indexMask
        }
    }

    private func insert(_ key: FlowKey, _ hash: UInt64, info: PacketInfo,
                        sport: UInt16, dport: UInt16, senderIsLow: Bool, flags: UInt8) -> Index {
        if freeHead == FlowTable.nil_ && Int(neverUsed) == config.capacity {
            let victim = heads.0 != FlowTable.nil_ ? heads.0 : heads.1
            stats.evictions &+= 1
            end(victim, reason: .evicted)
        }
        let i: Index
        if freeHead != FlowTable.nil_ {
            i = freeHead
            freeHead = slab[Int(i)].next
        } else {
            i = neverUsed
            neverUsed += 1
        }
        let e = slab + Int(i)
        // Initiator: the sender of the first packet, except that a SYN+ACK first means the receiver opened.
        var initiatorIsLow = senderIsLow
        if flags & 0x12 == 0x12 { initiatorIsLow = !senderIsLow }
        let (src, dst, sp, dp) = initiatorIsLow == senderIsLow
            ? (info.src, info.dst, sport, dport) : (info.dst, info.src, dport, sport)
        // Entry is BitwiseCopyable: initializing over a freed entry's old value is also correct.
        e.initialize(to: Entry(key: key, hash: hash, src: src, dst: dst, sport: sp, dport: dp,
                               initiatorIsLow: initiatorIsLow, tunnel: info.tunnel,
                               startNs: info.timestampNs, lastNs: info.timestampNs,
                               aPackets: 0, aBytes: 0, bPackets: 0, bBytes: 0, aIPBytes: 0, bIPBytes: 0,
                               flagsA: 0, flagsB: 0, closeState: 0, list: FlowTable.listOpen, fragments: 0,
                               shuntDecided: false, prev: FlowTable.nil_, next: FlowTable.nil_))
        var p = Int(truncatingIfNeeded: hash) & indexMask
        while index[p] != 0 { p = (p + 1) & indexMask }
        index[p] = (hash & 0xFFFF_FFFF) << 32 | UInt64(i + 1)
        linkTail(i)
        l7.begin(Int(i))
        count += 1
        stats.flowsCreated &+= 1
        if count > stats.peakFlows { stats.peakFlows = count }
        return i
    }

    private func resetCounters(_ e: UnsafeMutablePointer<Entry>, at ts: UInt64) {
        e.pointee.startNs = ts
        e.pointee.aPackets = 0; e.pointee.aBytes = 0; e.pointee.bPackets = 0; e.pointee.bBytes = 0
        e.pointee.aIPBytes = 0; e.pointee.bIPBytes = 0
        e.pointee.flagsA = 0; e.pointee.flagsB = 0; e.pointee.fragments = 0
    }

    private func emitRecord(_ i: Index, reason: EndReason) {
        let e = slab[Int(i)]
        stats.count(reason)
        pending.append(FlowRecord(src: e.src, dst: e.dst, sport: e.sport, dport: e.dport, proto: e.key.proto,
                             vlan: e.key.vlan, tunnel: e.tunnel, startNs: e.startNs, endNs: e.lastNs,
                             aPackets: e.aPackets, aBytes: e.aBytes, bPackets: e.bPackets, bBytes: e.bBytes,
                             aIPBytes: e.aIPBytes, bIPBytes: e.bIPBytes, tcpFlagsA: e.flagsA, tcpFlagsB: e.flagsB,
                             fragments: e.fragments, endReason: reason, worker: worker,
                             meta: l7.recordMetadata(Int(i), sport: e.sport, dport: e.dport, proto: e.key.proto)))
    }

    /// Offers the flow for shunting once its application layer is done, when its protocol is one
    /// of `config.shuntApps`. Tunnelled flows are not offered (the prefilter sees the outer header).
    private func offerShunt(_ e: UnsafeMutablePointer<Entry>, _ i: Int, _ info: PacketInfo) {
        guard l7.isFinished(i) else { return }
        // Decided for good once L7 is finished: a flow that does not qualify is not looked at again.
        let app = l7.meta[i].app
        guard e.pointee.tunnel == .none, info.mplsDepth == 0, app != .unknown,
              config.shuntApps & (1 << UInt64(app.rawValue & 63)) != 0 else {
            e.pointee.shuntDecided = true
            return
        }
        guard e.pointee.aPackets &+ e.pointee.bPackets >= config.shuntAfterPackets,
              shuntRequests.count < FlowTable.shuntRequestCapacity else { return }
        e.pointee.shuntDecided = true
        shuntRequests.append(ShuntRequest(src: e.pointee.src, dst: e.pointee.dst, sport: e.pointee.sport,
                                          dport: e.pointee.dport, proto: e.pointee.key.proto, vlan: e.pointee.key.vlan))
    }

    /// Emits the flow's record and frees its entry.
    private func end(_ i: Index, reason: EndReason) {
        let e = slab + Int(i)
        emitRecord(i, reason: reason)
        l7.releaseBuffers(Int(i))
        removeFromIndex(i, hash: e.pointee.hash)
        unlink(i)
        e.pointee.next = freeHead
        freeHead = i
        count -= 1
    }

    private func removeFromIndex(_ i: Index, hash: UInt64) {
        let want = UInt64(i + 1)
        var p = Int(truncatingIfNeeded: hash) & indexMask
        while index[p] & 0xFFFF_FFFF != want { p = (p + 1) & indexMask }
        // Backward-shift deletion keeps every probe chain unbroken without tombstones.
        var hole = p
        var j = p
        while true {
            j = (j + 1) & indexMask
            let v = index[j]
            if v == 0 { break }
            let home = Int(truncatingIfNeeded: v >> 32) & indexMask
            // Move v into the hole unless its home lies cyclically in (hole, j].
            let inRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !inRange {
                index[hole] = v
                hole = j
            }
        }
        index[hole] = 0
    }

    @inline(__always)
    private func unlink(_ i: Index) {
        let e = slab + Int(i)
        let (p, n) = (e.pointee.prev, e.pointee.next)
        if p != FlowTable.nil_ { slab[Int(p)].next = n } else { setHead(e.pointee.list, n) }
        if n != FlowTable.nil_ { slab[Int(n)].prev = p } else { setTail(e.pointee.list, p) }
        e.pointee.prev = FlowTable.nil_
        e.pointee.next = FlowTable.nil_
    }

    @inline(__always)
    private func linkTail(_ i: Index) {
        let e = slab + Int(i)
        let t = e.pointee.list == 0 ? tails.0 : tails.1
        e.pointee.prev = t
        e.pointee.next = FlowTable.nil_
        if t != FlowTable.nil_ { slab[Int(t)].next = i } else { setHead(e.pointee.list, i) }
        setTail(e.pointee.list, i)
    }

    /// Moves a flow to the tail of its recency list (most recently seen).
    @inline(__always)
    private func touch(_ i: Index) {
        let list = slab[Int(i)].list
        if (list == 0 ? tails.0 : tails.1) == i { return }
        if slab[Int(i)].prev != FlowTable.nil_ || slab[Int(i)].next != FlowTable.nil_
            || (list == 0 ? heads.0 : heads.1) == i {
            unlink(i)
        }
        linkTail(i)
    }

    @inline(__always) private func setHead(_ l: UInt8, _ v: Index) { if l == 0 { heads.0 = v } else { heads.1 = v } }
    @inline(__always) private func setTail(_ l: UInt8, _ v: Index) { if l == 0 { tails.0 = v } else { tails.1 = v } }
}
