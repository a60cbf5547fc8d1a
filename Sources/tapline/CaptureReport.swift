import AppProtocols
import Capture
import Engine
import FlowTrack
import Prefilter

/// The live stats line and the final account of a capture, as text and JSON.
enum CaptureReport {
    /// One line: rates since the previous account, losses by stage, flows, top protocols.
    static func liveLine(_ a: CaptureAccount, previous p: CaptureAccount, seconds: Double) -> String {
        let s = max(seconds, 0.001)
        let rx = Double(a.received &- p.received) / s
        let bits = Double(a.ingest.reduce(0) { $0 &+ $1.receivedBytes } &- p.ingest.reduce(0) { $0 &+ $1.receivedBytes }) * 8 / s
        let offered = Double(a.prefilter.seen.packets &- p.prefilter.seen.packets) / s
        let d = a.dissecting
        var line = "rx \(rate(rx)) pps \(rate(bits))bit/s (offered \(rate(offered)) pps)"
        line += " | drop xdp \(a.prefilter.dropped.packets) pass \(a.prefilter.passed.packets)"
        line += " socket \(a.socketLosses) ring \(a.ringOverflow)"
        line += " | flows \(d.flowsActive) ended \(a.records)"
        let top = topApps(a.apps, 3)
        if !top.isEmpty { line += " | " + top }
        return line
    }

    static func topApps(_ apps: AppCounts, _ n: Int) -> String {
        var pairs: [(String, UInt64)] = []
        for app in AppProtocol.allCases {
            let i = Int(app.rawValue)
            let c = apps.byPayload[i] &+ apps.byPort[i]
            if c > 0 && app != .unknown { pairs.append(("\(app.name)", c)) }
        }
        pairs.sort { $0.1 > $1.1 }
        return pairs.prefix(n).map { "\($0.0) \($0.1)" }.joined(separator: " ")
    }

    static func rate(_ v: Double) -> String {
        if v >= 1e9 { return fmt(v / 1e9) + "G" }
        if v >= 1e6 { return fmt(v / 1e6) + "M" }
        if v >= 1e3 { return fmt(v / 1e3) + "k" }
        return "\(Int(v))"
    }

    static func fmt(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return "\(r)"
    }

    /// The final account: every frame offered, where it went.
    static func text(_ a: CaptureAccount, interface: String) -> String {
        let p = a.prefilter
        let d = a.dissecting
        let secs = Double(a.elapsedNs) / 1e9
        var s = "tapline capture: \(interface), \(fmt(secs)) s\n"
        s += "  offered  \(p.seen.packets) frames (prefilter): dropped \(p.dropped.packets)  passed \(p.passed.packets)"
        s += "  captured \(p.captured.packets)\n"
        s += "           of the dropped: shunted \(p.shunted.packets)  sampled out \(p.sampleDropped.packets);"
        s += " parse errors \(p.parseErrors.packets)  no socket \(p.redirectFailures.packets)\n"
        for (i, st) in a.sockets.enumerated() {
            let t = i < a.ingest.count ? a.ingest[i] : ThreadCounters()
            s += "  queue \(i)  received \(t.received)  lost at socket \(st.receiveLosses)"
            s += " (no free frame \(st.rxDropped), rx ring full \(st.rxRingFull), invalid \(st.rxInvalid))"
            s += "  fill ring empty \(st.fillRingEmpty)"
            if !a.workers.isEmpty { s += "  lost at worker rings \(t.ringOverflow)" }
            s += "\n"
        }
        for (i, w) in a.workers.enumerated() {
            s += "  worker \(i) dissected \(w.decode.packets)  flows \(w.flows.flowsCreated)\n"
        }
        s += "  dissected \(d.decode.packets): ipv4 \(d.decode.ipv4)  ipv6 \(d.decode.ipv6)  non-ip \(d.decode.nonIP)"
        s += "  errors \(d.decode.errors)\n"
        s += "  flows    \(d.flows.flowsCreated)  records \(a.records)  evicted \(d.flows.evictions)\n"
        s += "  apps     \(topApps(a.apps, 8))\n"
        if a.shuntsAdded > 0 || a.shuntsRefused > 0 {
            s += "  shunts   \(a.shuntsAdded) flows shunted, \(a.prefilter.shunted.packets) frames counted in the kernel, "
            s += "\(a.shuntedPacketsRestored) added to records"
            if a.shuntsRefused > 0 || a.shuntsLost > 0 { s += " (refused \(a.shuntsRefused), counts lost \(a.shuntsLost))" }
            s += "\n"
        }
        if a.interfaceDropped > 0 || a.interfaceMissed > 0 {
            s += "  nic      dropped \(a.interfaceDropped)  missed \(a.interfaceMissed) (driver counters, before XDP)\n"
        }
        let m = a.mismatches
        s += m.isEmpty ? "  account  balanced: offered = dropped + passed + received + lost, every stage\n"
            : m.map { "  ACCOUNTING MISMATCH: \($0)\n" }.joined()
        return s
    }

    static func json(_ a: CaptureAccount, interface: String) -> String {
        let p = a.prefilter
        let d = a.dissecting
        var o: [String] = []
        o.append("\"interface\":\"\(interface)\"")
        o.append("\"elapsed_ns\":\(a.elapsedNs)")
        o.append("\"offered\":\(p.seen.packets)")
        o.append("\"prefilter\":{\"dropped\":\(p.dropped.packets),\"passed\":\(p.passed.packets),\"captured\":\(p.captured.packets),"
                 + "\"shunted\":\(p.shunted.packets),\"parse_errors\":\(p.parseErrors.packets),\"redirect_failures\":\(p.redirectFailures.packets)}")
        let queues = a.sockets.enumerated().map { (i, st) -> String in
            let t = i < a.ingest.count ? a.ingest[i] : ThreadCounters()
            return "{\"received\":\(t.received),\"received_bytes\":\(t.receivedBytes),\"socket_lost\":\(st.receiveLosses),"
                + "\"rx_dropped\":\(st.rxDropped),\"rx_ring_full\":\(st.rxRingFull),\"fill_ring_empty\":\(st.fillRingEmpty),"
                + "\"ring_overflow\":\(t.ringOverflow)}"
        }
        o.append("\"queues\":[\(queues.joined(separator: ","))]")
        o.append("\"received\":\(a.received)")
        o.append("\"socket_lost\":\(a.socketLosses)")
        o.append("\"ring_lost\":\(a.ringOverflow)")
        o.append("\"dissected\":\(d.decode.packets)")
        o.append("\"flows\":\(d.flows.flowsCreated)")
        o.append("\"records\":\(a.records)")
        o.append("\"interface_dropped\":\(a.interfaceDropped)")
        o.append("\"shunts\":{\"flows\":\(a.shuntsAdded),\"refused\":\(a.shuntsRefused),\"frames\":\(a.prefilter.shunted.packets),"
                 + "\"restored\":\(a.shuntedPacketsRestored),\"lost\":\(a.shuntsLost)}")
        o.append("\"balanced\":\(a.mismatches.isEmpty)")
        return "{" + o.joined(separator: ",") + "}\n"
    }
}
