import Engine
import FlowTrack
import AppProtocols
import PacketCore

/// The end-of-run summary of an analysis, as text for people and JSON for scripts.
struct Summary {
    let report: AnalysisReport

    private var d: DecodeCounters { report.decode }

    var text: String {
        var s = ""
        let secs = Double(report.elapsedNs) / 1e9
        s += "tapline analyze: \(report.files) file(s), \(report.workers) worker(s), \(fmt(secs)) s"
        s += ", \(Int(report.packetsPerSecond)) packets/s\n"
        s += "  packets  \(d.packets)   bytes \(d.bytes)\n"
        s += "  ip       v4 \(d.ipv4)  v6 \(d.ipv6)  non-ip \(d.nonIP)  vlan-tagged \(d.vlanTagged)  mpls \(d.mpls)\n"
        s += "  l4       tcp \(d.tcp)  udp \(d.udp)  icmp \(d.icmp)  icmpv6 \(d.icmpv6)  sctp \(d.sctp)  other \(d.otherIP)\n"
        var tunnels: [String] = []
        for k in TunnelKind.allCases where k != .none && d.tunnels[Int(k.rawValue)] > 0 {
            tunnels.append("\(k.name) \(d.tunnels[Int(k.rawValue)])")
        }
        s += "  tunnels  \(tunnels.isEmpty ? "none" : tunnels.joined(separator: "  "))\n"
        let f = report.flows
        s += "  frags    \(d.fragments)  (later fragments matched \(f.fragmentsMatched), orphaned \(f.fragmentsOrphaned))\n"
        s += "  flows    \(f.flowsCreated)  records \(report.records)  peak held \(f.peakFlows)  evicted \(f.evictions)\n"
        s += "  ended    " + EndReason.allCases.map { "\($0.name) \(f.records(for: $0))" }.joined(separator: "  ") + "\n"
        s += "  anomaly  l4 header incomplete \(d.l4Incomplete) (counted to their flows by ports)\n"
        s += "  errors   truncated \(d.truncated)  malformed \(d.malformedTotal)  unsupported \(d.unsupported)"
        if d.malformedTotal > 0 {
            let parts = MalformedField.allCases.filter { d.malformed[Int($0.rawValue)] > 0 }
                .map { "\($0) \(d.malformed[Int($0.rawValue)])" }
            s += " (" + parts.joined(separator: ", ") + ")"
        }
        s += "\n"
        s += "  apps     " + appList(report.apps.byPayload, all: true) + "\n"
        let byPort = appList(report.apps.byPort, all: false)
        s += "  by port  " + (byPort.isEmpty ? "none" : byPort) + "\n"
        s += "  l7       payload packets \(report.l7.payloadPackets)  reassembly buffers peak \(report.l7.reassemblyPeakBuffers)"
        s += "  exhausted \(report.l7.reassemblyExhausted)"
        let ja4 = report.l7.ja4CacheHits + report.l7.ja4CacheMisses + report.l7.ja4Uncached
        if ja4 > 0 { s += "  ja4 hashes \(ja4), from cache \(report.l7.ja4CacheHits)" }
        s += "\n"
        if d.clippedToSlot > 0 { s += "  clipped  \(d.clippedToSlot) frames longer than a worker slot\n" }
        if !report.accountingBalances {
            s += "  ACCOUNTING MISMATCH: \(d.packets) read != \(f.packets) in flows + \(d.nonIP) non-ip + \(d.errors) errors\n"
        }
        if !report.fileErrors.isEmpty { s += "  file errors \(report.fileErrors.count)\n" }
        return s
    }

    var json: String {
        let f = report.flows
        var fields: [(String, String)] = [
            ("files", "\(report.files)"), ("workers", "\(report.workers)"),
            ("elapsed_ns", "\(report.elapsedNs)"), ("packets", "\(d.packets)"), ("bytes", "\(d.bytes)"),
            ("ipv4", "\(d.ipv4)"), ("ipv6", "\(d.ipv6)"), ("non_ip", "\(d.nonIP)"),
            ("vlan_tagged", "\(d.vlanTagged)"), ("mpls", "\(d.mpls)"),
            ("tcp", "\(d.tcp)"), ("udp", "\(d.udp)"), ("icmp", "\(d.icmp)"), ("icmpv6", "\(d.icmpv6)"),
            ("sctp", "\(d.sctp)"), ("other_ip", "\(d.otherIP)"), ("fragments", "\(d.fragments)"), ("l4_incomplete", "\(d.l4Incomplete)"),
            ("fragments_matched", "\(f.fragmentsMatched)"), ("fragments_orphaned", "\(f.fragmentsOrphaned)"),
            ("flow_packets", "\(f.packets)"), ("flows", "\(f.flowsCreated)"), ("records", "\(report.records)"),
            ("evictions", "\(f.evictions)"), ("peak_flows", "\(f.peakFlows)"),
            ("truncated", "\(d.truncated)"), ("malformed", "\(d.malformedTotal)"),
            ("unsupported", "\(d.unsupported)"), ("clipped_to_slot", "\(d.clippedToSlot)"),
            ("accounting_balances", "\(report.accountingBalances)"),
            ("file_errors", "\(report.fileErrors.count)"),
        ]
        let tunnels = TunnelKind.allCases.filter { $0 != .none }
            .map { "\"\($0.name)\":\(d.tunnels[Int($0.rawValue)])" }.joined(separator: ",")
        fields.append(("tunnels", "{\(tunnels)}"))
        let ended = EndReason.allCases.map { "\"\($0.name)\":\(f.records(for: $0))" }.joined(separator: ",")
        fields.append(("end_reasons", "{\(ended)}"))
        let apps = AppProtocol.allCases.filter { report.apps.byPayload[Int($0.rawValue)] + report.apps.byPort[Int($0.rawValue)] > 0 }
            .map { "\"\($0.name)\":{\"payload\":\(report.apps.byPayload[Int($0.rawValue)]),\"port\":\(report.apps.byPort[Int($0.rawValue)])}" }
            .joined(separator: ",")
        fields.append(("apps", "{\(apps)}"))
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}\n"
    }

    /// "tls 12  dns 40 …", largest first.
    private func appList(_ counts: [UInt64], all: Bool) -> String {
        AppProtocol.allCases.filter { counts[Int($0.rawValue)] > 0 }
            .sorted { counts[Int($0.rawValue)] > counts[Int($1.rawValue)] }
            .map { "\($0.name) \(counts[Int($0.rawValue)])" }.joined(separator: "  ")
    }

    private func fmt(_ v: Double) -> String { "\(Double(Int(v * 1000)) / 1000)" }
}
