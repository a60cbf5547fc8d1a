import AppProtocols

/// Plans flows one by one and merges their packets in time order into the assembler.
struct SynthEngine {
    let config: SynthConfig
    let plan: SynthProfilePlan
    private var random: SynthRandom
    private var remaining: Int
    private let totalPackets: Int
    /// Mean gap between flow starts: the plan's, or for line-rate profiles the gap that puts one
    /// frame on the wire every `lineRateGapNs` on average.
    private let meanInterarrivalNs: Double
    /// Gap between a line-rate flow's own frames: about `concurrentFlows` flows interleave.
    private let flowFrameGapNs: UInt64
    private var serverPool4: [[UInt8]] = []
    private var serverPool6: [[UInt8]] = []
    private var routerMACs: [[UInt8]] = []

    init(config: SynthConfig) {
        self.config = config
        plan = SynthProfilePlan(config.profile)
        random = SynthRandom(seed: config.seed)
        totalPackets = max(config.packets, config.flows)
        remaining = totalPackets
        if let gap = plan.lineRateGapNs {
            let perFlow = Double(totalPackets) / Double(max(1, config.flows))
            meanInterarrivalNs = gap * perFlow
            flowFrameGapNs = UInt64(gap * Double(SynthProfilePlan.concurrentFlows))
        } else {
            meanInterarrivalNs = plan.meanInterarrivalNs
            flowFrameGapNs = 0
        }
        let nets: [[UInt8]] = [[192, 0, 2], [198, 51, 100], [203, 0, 113]]
        for _ in 0..<64 { serverPool4.append(random.pick(nets) + [UInt8(random.int(1...254))]) }
        for _ in 0..<32 {
            var a: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0xff, UInt8(random.int(0...15)), 0, 0, 0, 0, 0, 0, 0, 0]
            a.append(UInt8(random.int(0...3))); a.append(UInt8(random.int(1...255)))
            serverPool6.append(a)
        }
        for _ in 0..<4 { routerMACs.append([0x02, 0x00, 0x5e] + random.bytes(3)) }
    }

    // MARK: Merge loop

    /// Totals over all flows, accumulated as flows end (the flows themselves are not kept).
    struct Totals {
        var flows = 0
        var ipBytes = 0
        var fragments = 0
        var firstNs: UInt64 = .max
    }

    /// Writes every flow's frames into `assembler` and, as each flow ends, its entry into `manifest`.
    /// Memory stays bounded by the flows open at once, whatever `config.flows` is.
    mutating func generate(into assembler: FrameAssembler, manifest: ManifestWriter?) throws -> Totals {
        var heap = FlowHeap()
        var totals = Totals()
        var created = 0
        var nextStart: UInt64 = config.startTimeNs
        while true {
            while created < config.flows && (heap.isEmpty || nextStart <= heap.top.nextTime) {
                let flow = try makeFlow(serial: created, startNs: nextStart)
                heap.push(flow)
                created += 1
                nextStart += UInt64(random.exponential(mean: meanInterarrivalNs)) + 1
            }
            if heap.isEmpty { break }
            let flow = heap.top
            try assembler.emit(flow)
            if flow.done {
                assert(flow.aPackets + flow.bPackets == flow.plannedFrames, "script and frames disagree")
                totals.flows += 1
                totals.ipBytes += flow.ipBytes
                totals.fragments += flow.fragments
                totals.firstNs = min(totals.firstNs, flow.firstNs)
                try manifest?.add(serial: flow.serial, record(flow))
                heap.popTop()
            } else {
                heap.siftTopDown()
            }
        }
        return totals
    }

    private func record(_ flow: SynthFlow) -> SynthManifest.Flow {
        let s = flow.spec
        let icmp = s.proto == 1 || s.proto == 58
        return SynthManifest.Flow(
            proto: Int(s.proto), src: AddressText.format(s.client), sport: icmp ? 0 : Int(s.clientPort),
            dst: AddressText.format(s.server), dport: icmp ? 0 : Int(s.serverPort),
            vlan: Int(s.vlanTags.first?.vid ?? 0), tunnel: s.tunnel.name,
            a_pkts: flow.aPackets, a_bytes: flow.aBytes, b_pkts: flow.bPackets, b_bytes: flow.bBytes,
            ip_bytes: flow.ipBytes, fragments: flow.fragments, end: s.end, app: s.app, meta: s.meta,
            start_ns: flow.firstNs, end_ns: flow.lastNs)
    }

    // MARK: Planning

    private mutating func makeFlow(serial: Int, startNs: UInt64) throws -> SynthFlow {
        let flowsAfter = config.flows - serial - 1
        let maxAllowed = max(1, remaining - flowsAfter)
        let isLast = flowsAfter == 0
        let average = Double(remaining) / Double(flowsAfter + 1)
        var app: SynthApp
        if isLast {
            app = remaining >= 40 ? plan.lastApp : plan.fallback
        } else {
            app = plan.pickApp(&random)
        }
        var target: Int
        if isLast {
            target = maxAllowed
        } else {
            target = drawTarget(app, average: average)
            target = min(max(1, target), maxAllowed)
        }
        var flowRandom = SynthRandom(seed: config.seed, stream: UInt64(serial))
        var (spec, script) = try buildFlow(serial: serial, app: app, target: target, random: &flowRandom)
        if script.frames > maxAllowed || (isLast && script.frames != maxAllowed) {
            app = plan.fallback
            target = isLast ? maxAllowed : min(target, maxAllowed)
            flowRandom = SynthRandom(seed: config.seed, stream: UInt64(serial) | (1 << 63))
            (spec, script) = try buildFlow(serial: serial, app: app, target: target, random: &flowRandom)
        }
        remaining -= script.frames
        let f = SynthFlow(serial: serial, spec: spec, startNs: startNs, events: script.events, random: flowRandom)
        f.plannedFrames = script.frames
        return f
    }

    private mutating func drawTarget(_ app: SynthApp, average: Double) -> Int {
        switch (config.profile, app) {
        case (.mix, .dnsUDP): return random.chance(0.08) ? 1 : 2
        case (.mix, .dnsTCP): return 9
        case (.elephant, _): return Int(average * (0.5 + random.unit()))
        default:
            // Pareto with shape 1.5 and mean 1, capped: many small flows, a few large ones.
            let u = max(random.unit(), 1e-9)
            let w = min(30.0, (1.0 / 3.0) / expApprox(logApprox(u) / 1.5))
            return Int(average * w + 0.5)
        }
    }

    private func buildFlow(serial: Int, app: SynthApp, target: Int, random r: inout SynthRandom) throws
        -> (FlowSpec, FlowScript) {
        var spec = makeSpec(serial: serial, app: app, random: &r)
        let rtt = UInt64(r.logUniform(plan.rttNs.low, plan.rttNs.high))
        let serialization: UInt64 = r.chance(0.5) ? 12_000 : 1_200
        var script = FlowScript(random: r, rtt: rtt, serialization: flowFrameGapNs != 0 ? flowFrameGapNs : serialization,
                                mss: spec.mss)
        try FlowApps.build(app, spec: &spec, script: &script, target: target)
        script.compress(to: SynthProfilePlan.maximumFlowDurationNs)
        r = script.random
        return (spec, script)
    }

    private func makeSpec(serial: Int, app: SynthApp, random r: inout SynthRandom) -> FlowSpec {
        var tunnel = SynthTunnel.none
        let t = r.unit()
        if app != .udpFragmented && !(app == .dnsUDP && config.profile == .dns) {
            if t < plan.gre {
                tunnel = .gre(outerClient: [10, 255, 0, 1], outerServer: [10, 255, 0, 2])
            } else if t < plan.gre + plan.vxlan {
                tunnel = .vxlan(outerClient: [10, 254, 0, 1], outerServer: [10, 254, 0, 2],
                                vni: UInt32(r.int(1_000...1_099)), sourcePort: UInt16(r.int(49_152...65_535)))
            }
        }
        var v6 = r.chance(plan.ipv6)
        if case .gre = tunnel { v6 = false }
        let proto: UInt8 = app == .icmp ? (v6 ? 58 : 1) : app.proto

        // Unique client endpoint per serial: 4096 hosts, and per host a distinct port for each flow.
        let host = serial % 4096
        var x = config.seed ^ UInt64(host) &* 0x9E37_79B9
        let salt = Int(SynthRandom.splitmix(&x) % 28_000)
        var clientPort = UInt16(32_768 + (serial / 4096 + salt) % 28_000)
        var client: [UInt8]
        if app == .icmp {
            // ICMP has no ports: a distinct client address per flow keeps the key unique.
            let n = UInt32(serial + 1)
            client = v6 ? [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 2, 0, 0, 0, 0] + bytes32(n)
                        : bytes32(0x0A80_0000 &+ n)
            clientPort = UInt16(r.int(1...65_535))  // echo identifier
        } else {
            client = v6 ? [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0] + bytes32(UInt32(0x1000 + host))
                        : bytes32(0x0A01_0001 &+ UInt32(host))
            // A client port the classifier knows (51820, WireGuard, is the one in range) would make
            // the flow's application "by port"; move it above the formula's range, where it stays unique.
            if Classifier.byPort(clientPort, ipProto: proto) != .unknown {
                clientPort = UInt16(60_768 + Int(clientPort) % 4_768)
            }
        }
        let server: [UInt8]
        let serverPort: UInt16
        switch app {
        case .dnsUDP, .dnsTCP:
            server = v6 ? [0x20, 0x01, 0x0d, 0xb8, 0, 0x53, 0, 0, 0, 0, 0, 0, 0, 0, 0, r.chance(0.5) ? 0x53 : 0x35]
                        : (r.chance(0.5) ? [192, 0, 2, 53] : [198, 51, 100, 53])
            serverPort = 53
        default:
            server = v6 ? r.pick(serverPool6) : r.pick(serverPool4)
            switch app {
            case .tls12, .tls13, .quic: serverPort = 443
            case .http: serverPort = r.chance(0.85) ? 80 : 8080
            case .ssh: serverPort = 22
            case .icmp: serverPort = 0
            case .udp, .udpFragmented: serverPort = UInt16(r.int(20_000...29_999))
            case .smallUDP, .flood, .imix: serverPort = UInt16(r.int(30_000...39_999))
            default: serverPort = UInt16(r.int(10_000...19_999))
            }
        }
        var spec = FlowSpec(proto: proto, client: client, server: server, clientPort: clientPort,
                            serverPort: serverPort, clientMAC: [0x02, 0x00, 0x0a, 0x01, UInt8(host >> 8), UInt8(host & 0xFF)],
                            serverMAC: r.pick(routerMACs))
        spec.tunnel = tunnel
        let v = r.unit()
        if v < plan.qinq {
            spec.vlanTags = [(0x88A8, UInt16(r.pick([100, 200, 300]))), (0x8100, UInt16(r.int(1...4094)))]
        } else if v < plan.qinq + plan.vlan {
            spec.vlanTags = [(0x8100, UInt16(r.pick([10, 20, 30, 100, 200, 300, 1001, 2050])))]
        }
        spec.clientTTL = r.chance(0.8) ? 64 : 128
        spec.serverTTL = UInt8(r.pick([64, 128, 255]) - r.int(3...20))
        spec.flowLabel = UInt32(truncatingIfNeeded: r.next()) & 0xFFFFF
        spec.minimal = plan.minimal
        return spec
    }

    private func bytes32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}

/// A binary min-heap of active flows ordered by (next packet time, serial): a deterministic merge.
struct FlowHeap {
    private var items: [SynthFlow] = []

    var isEmpty: Bool { items.isEmpty }
    var top: SynthFlow { items[0] }

    private static func less(_ a: SynthFlow, _ b: SynthFlow) -> Bool {
        let ta = a.nextTime, tb = b.nextTime
        return ta != tb ? ta < tb : a.serial < b.serial
    }

    mutating func push(_ flow: SynthFlow) {
        items.append(flow)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if !FlowHeap.less(items[i], items[parent]) { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func popTop() {
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            siftTopDown()
        }
    }

    /// Restores the order after the top flow's next time grew.
    mutating func siftTopDown() {
        var i = 0
        let n = items.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && FlowHeap.less(items[l], items[m]) { m = l }
            if r < n && FlowHeap.less(items[r], items[m]) { m = r }
            if m == i { return }
            items.swapAt(i, m)
            i = m
        }
    }
}
