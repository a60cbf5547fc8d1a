import Capture
import Engine
import Prefilter
import FlowTrack
import MetricsEndpoint
import Outputs
import PacketCore

/// Every published counter as Prometheus samples (names: `tapline_` prefix, base units,
/// `_total` on counters, labels for kinds). Runs on the metrics server's task at each scrape.
enum MetricsCatalog {
    static func samples(_ s: StatsBoard.Snapshot, exporters: [(String, IPFIXExporterStats)],
                        pcap: PcapngRingStats?, capture: CaptureAccount? = nil) -> [MetricSample] {
        let d = s.decode, f = s.flows
        var out: [MetricSample] = []
        func c(_ name: String, _ v: UInt64, _ labels: [(String, String)] = [], _ help: String) {
            out.append(MetricSample(name, .counter, Double(v), labels: labels, help: help))
        }
        func g(_ name: String, _ v: Double, _ labels: [(String, String)] = [], _ help: String) {
            out.append(MetricSample(name, .gauge, v, labels: labels, help: help))
        }
        c("tapline_packets_total", d.packets, [], "Packets read")
        c("tapline_bytes_total", d.bytes, [], "Frame bytes read (original length)")
        let l3 = "Packets by network layer"
        c("tapline_network_packets_total", d.ipv4, [("layer", "ipv4")], l3)
        c("tapline_network_packets_total", d.ipv6, [("layer", "ipv6")], l3)
        c("tapline_network_packets_total", d.nonIP, [("layer", "non_ip")], l3)
        let l4 = "IP packets by transport protocol"
        for (name, v) in [("tcp", d.tcp), ("udp", d.udp), ("icmp", d.icmp), ("icmpv6", d.icmpv6),
                          ("sctp", d.sctp), ("other", d.otherIP)] {
            c("tapline_transport_packets_total", v, [("protocol", name)], l4)
        }
        c("tapline_vlan_tagged_packets_total", d.vlanTagged, [], "Packets with an 802.1Q/802.1ad tag")
        c("tapline_mpls_packets_total", d.mpls, [], "Packets with an MPLS label stack")
        c("tapline_ip_fragments_total", d.fragments, [], "IP fragments")
        c("tapline_l4_incomplete_packets_total", d.l4Incomplete, [], "Packets whose L4 header was cut short")
        for k in TunnelKind.allCases where k != .none {
            c("tapline_tunnel_packets_total", d.tunnels[Int(k.rawValue)], [("tunnel", "\(k.name)")], "Packets by outermost tunnel")
        }
        let errs = "Packets that failed decoding, by reason"
        c("tapline_decode_errors_total", d.truncated, [("reason", "truncated")], errs)
        c("tapline_decode_errors_total", d.unsupported, [("reason", "unsupported")], errs)
        for m in MalformedField.allCases {
            c("tapline_decode_errors_total", d.malformed[Int(m.rawValue)], [("reason", "malformed_\(m)")], errs)
        }
        c("tapline_clipped_to_slot_packets_total", d.clippedToSlot, [], "Frames longer than a worker slot")
        c("tapline_flow_packets_total", f.packets, [], "Packets counted to flows")
        c("tapline_flows_created_total", f.flowsCreated, [], "Flows created")
        c("tapline_flow_evictions_total", f.evictions, [], "Flows evicted from a full flow table")
        for r in EndReason.allCases {
            c("tapline_flow_records_by_reason_total", f.records(for: r), [("reason", "\(r.name)")], "Flow records by end reason")
        }
        c("tapline_flow_records_total", s.records, [], "Flow records handed to the outputs")
        c("tapline_fragments_matched_total", f.fragmentsMatched, [], "Later fragments matched to their flow")
        c("tapline_fragments_orphaned_total", f.fragmentsOrphaned, [], "Later fragments whose first fragment was not seen")
        c("tapline_fragment_table_overwrites_total", f.fragmentTableOverwrites, [], "First fragments that replaced a live entry")
        g("tapline_flows_active", Double(s.flowsActive), [], "Flows held in the flow tables now")
        g("tapline_flows_peak", Double(f.peakFlows), [], "Largest number of flows held at once")
        g("tapline_flow_table_capacity", Double(s.flowCapacity), [], "Flow-table capacity over all workers")
        g("tapline_workers", Double(s.workers), [], "Worker threads")
        for (dest, e) in exporters {
            let l = [("destination", dest)]
            c("tapline_ipfix_records_offered_total", e.offered, l, "Flow records given to the IPFIX exporter")
            c("tapline_ipfix_records_sent_total", e.sent, l, "Flow records sent in IPFIX messages")
            c("tapline_ipfix_records_dropped_total", e.dropped, l, "Flow records dropped (queue full or collector gone)")
            c("tapline_ipfix_messages_total", e.messages, l, "IPFIX messages sent")
            c("tapline_ipfix_bytes_total", e.bytes, l, "IPFIX bytes sent")
            c("tapline_ipfix_template_sends_total", e.templateSends, l, "Messages that carried templates")
            c("tapline_ipfix_connects_total", e.connects, l, "Connections (TCP) or sockets (UDP) opened")
            c("tapline_ipfix_connect_failures_total", e.connectFailures, l, "Failed TCP connection attempts")
            c("tapline_ipfix_send_errors_total", e.sendErrors, l, "Failed sends")
            g("tapline_ipfix_queue_depth", Double(e.queueDepth), l, "Records waiting in the exporter queue")
        }
        if let p = pcap {
            c("tapline_pcap_packets_written_total", p.packetsWritten, [], "Packets written to pcapng files")
            c("tapline_pcap_bytes_written_total", p.bytesWritten, [], "Bytes written to pcapng files")
            c("tapline_pcap_packets_cut_off_total", p.packetsCutOff, [], "Packets left out by the per-flow cut-off")
            let lost = "Packets lost on the way to pcapng files"
            c("tapline_pcap_packets_lost_total", p.packetsLostQueueFull, [("reason", "queue_full")], lost)
            c("tapline_pcap_packets_lost_total", p.packetsLostWriteError, [("reason", "write_error")], lost)
            c("tapline_pcap_files_total", p.filesOpened, [], "pcapng files opened")
            c("tapline_pcap_files_removed_total", p.filesRemoved, [], "pcapng files removed from the ring")
            g("tapline_pcap_queue_bytes", Double(p.queueDepthBytes), [], "Bytes waiting in the pcapng queue")
        }
        if let a = capture { captureSamples(a, c, g) }
        return out
    }

    /// Live capture: the prefilter's verdicts and per-rule hits, the sockets' and rings' losses.
    static func captureSamples(_ a: CaptureAccount, _ c: (String, UInt64, [(String, String)], String) -> Void,
                               _ g: (String, Double, [(String, String)], String) -> Void) {
        let p = a.prefilter
        let v = "Frames by prefilter verdict"
        c("tapline_prefilter_frames_total", p.dropped.packets, [("verdict", "drop")], v)
        c("tapline_prefilter_frames_total", p.passed.packets, [("verdict", "pass")], v)
        c("tapline_prefilter_frames_total", p.captured.packets, [("verdict", "capture")], v)
        c("tapline_prefilter_shunted_frames_total", p.shunted.packets, [], "Frames of shunted flows dropped in the kernel")
        c("tapline_prefilter_parse_errors_total", p.parseErrors.packets, [], "Frames the prefilter could not parse")
        c("tapline_prefilter_redirect_failures_total", p.redirectFailures.packets, [], "Captures with no socket on the queue")
        if !p.rules.isEmpty {
            for i in 0...RuleSet.maxRules {
                let hits = p.activeRule(i)
                guard hits.packets > 0 || i == RuleSet.maxRules else { continue }
                let rule = i == RuleSet.maxRules ? "default" : "\(i + 1)"
                c("tapline_prefilter_rule_frames_total", hits.packets, [("rule", rule)], "Frames decided by each rule (active set)")
                c("tapline_prefilter_rule_bytes_total", hits.bytes, [("rule", rule)], "Bytes decided by each rule (active set)")
            }
        }
        for (i, s) in a.sockets.enumerated() {
            let q = [("queue", "\(i)")]
            let lost = "Frames lost at the AF_XDP socket, by reason"
            c("tapline_socket_lost_frames_total", s.rxDropped, q + [("reason", "no_free_frame")], lost)
            c("tapline_socket_lost_frames_total", s.rxRingFull, q + [("reason", "rx_ring_full")], lost)
            c("tapline_socket_lost_frames_total", s.rxInvalid, q + [("reason", "invalid")], lost)
            c("tapline_socket_fill_ring_empty_total", s.fillRingEmpty, q, "Times the kernel found the fill ring empty")
        }
        for (i, t) in a.ingest.enumerated() {
            let q = [("queue", "\(i)")]
            c("tapline_received_frames_total", t.received, q, "Frames taken from the RX ring")
            c("tapline_ring_lost_frames_total", t.ringOverflow, q, "Frames lost because a worker ring was full")
        }
        for (i, w) in a.workers.enumerated() {
            g("tapline_worker_backlog_frames", Double(w.backlog), [("worker", "\(i)")], "Frames waiting for a worker")
        }
        c("tapline_interface_dropped_frames_total", a.interfaceDropped, [], "The interface's own receive drops")
    }
}
