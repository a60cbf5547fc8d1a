import Testing
import Foundation
import Engine
import Export
import FlowTrack
import PacketCore
import Synth
import AppProtocols

/// The whole pipeline on `tapline synth` output must match the generator's manifest exactly:
/// every flow, its packets and bytes each way, IP bytes, tunnel, fragments and how it ended, its
/// application protocol (decided by payload) and every metadata value the generator wrote.
@Suite struct SynthPipelineTests {
    struct Expected: Hashable {
        let key: String
        let aPkts: Int, aBytes: Int, bPkts: Int, bBytes: Int, ipBytes: Int
        let fragments: Int, tunnel: String, end: String, startNs: UInt64, endNs: UInt64
        /// Application and its metadata: "app by" then the manifest's meta keys that are set.
        let app: String
        let meta: [String: String]
    }

    /// The manifest's `meta` as strings, only the keys that are set.
    static func metaStrings(_ m: SynthFlowMeta) -> [String: String] {
        var out: [String: String] = [:]
        func put(_ k: String, _ v: (any CustomStringConvertible)?) { if let v { out[k] = v.description } }
        put("dns_qname", m.dns_qname); put("dns_qtype", m.dns_qtype); put("dns_rcode", m.dns_rcode)
        put("dns_answers", m.dns_answers); put("tls_sni", m.tls_sni); put("tls_alpn", m.tls_alpn)
        put("tls_version", m.tls_version); put("http_host", m.http_host); put("http_method", m.http_method)
        put("http_user_agent", m.http_user_agent); put("http_status", m.http_status); put("quic_sni", m.quic_sni)
        put("quic_alpn", m.quic_alpn); put("quic_version", m.quic_version); put("ssh_client", m.ssh_client)
        put("ssh_server", m.ssh_server)
        return out
    }

    /// A record's metadata in the manifest's terms.
    static func metaStrings(_ m: FlowMetadata) -> [String: String] {
        var out: [String: String] = [:]
        func text(_ k: String, _ f: MetaField) { if let v = m.string(f) { out[k] = v } }
        switch m.app {
        case .dns, .mdns, .llmnr:
            text("dns_qname", .dnsQName)
            if m.has(.dnsQName) { out["dns_qtype"] = "\(m.dnsQType)" }
            if m.dnsRCode != 0xFF { out["dns_rcode"] = "\(m.dnsRCode)"; out["dns_answers"] = "\(m.dnsAnswers)" }
        case .tls:
            text("tls_sni", .tlsSNI); text("tls_alpn", .tlsALPN)
            switch m.tlsVersion {
            case 0x0304: out["tls_version"] = "1.3"
            case 0x0303: out["tls_version"] = "1.2"
            case 0: break
            default: out["tls_version"] = "\(m.tlsVersion)"
            }
        case .http:
            text("http_host", .httpHost); text("http_method", .httpMethod); text("http_user_agent", .httpUserAgent)
            if m.httpStatus != 0 { out["http_status"] = "\(m.httpStatus)" }
        case .quic:
            text("quic_sni", .quicSNI); text("quic_alpn", .quicALPN)
            if m.quicVersion != 0 { out["quic_version"] = "\(m.quicVersion)" }
        case .ssh:
            text("ssh_client", .sshClient); text("ssh_server", .sshServer)
        default: break
        }
        return out
    }

    static func flowKey(_ proto: Int, _ src: String, _ sport: Int, _ dst: String, _ dport: Int, _ vlan: Int) -> String {
        "\(proto) \(src):\(sport) > \(dst):\(dport) vlan \(vlan)"
    }

    static func expected(_ m: SynthManifest) -> [String: Expected] {
        var out: [String: Expected] = [:]
        for f in m.flows {
            let k = flowKey(f.proto, f.src, f.sport, f.dst, f.dport, f.vlan)
            out[k] = Expected(key: k, aPkts: f.a_pkts, aBytes: f.a_bytes, bPkts: f.b_pkts, bBytes: f.b_bytes,
                              ipBytes: f.ip_bytes, fragments: f.fragments, tunnel: f.tunnel, end: f.end,
                              startNs: f.start_ns, endNs: f.end_ns,
                              app: f.app == "unknown" || f.app == "icmp" ? "none" : "\(f.app) payload",
                              meta: metaStrings(f.meta))
        }
        return out
    }

    static func observed(_ records: [FlowRecord]) -> [String: Expected] {
        var out: [String: Expected] = [:]
        for r in records {
            let k = flowKey(Int(r.proto), r.src.text, Int(r.sport), r.dst.text, Int(r.dport), Int(r.vlan))
            #expect(out[k] == nil, "two records for \(k)")
            // Flows still open at the end of the file are flushed: `shutdown` is the manifest's `none`.
            let end: String = switch r.endReason {
            case .fin: "fin"
            case .rst: "rst"
            case .shutdown, .idle: "none"
            default: "\(r.endReason)"
            }
            out[k] = Expected(key: k, aPkts: Int(r.aPackets), aBytes: Int(r.aBytes), bPkts: Int(r.bPackets),
                              bBytes: Int(r.bBytes), ipBytes: Int(r.aIPBytes + r.bIPBytes),
                              fragments: Int(r.fragments), tunnel: "\(r.tunnel.name)",
                              end: end, startNs: r.startNs, endNs: r.endNs,
                              app: r.meta.app == .unknown ? "none"
                                  : "\(r.meta.app.name) \(r.meta.appBy == .payload ? "payload" : "port")",
                              meta: metaStrings(r.meta))
        }
        return out
    }

    @Test(arguments: [("mix", 1), ("mix", 2), ("small", 2), ("dns", 1), ("elephant", 2),
                      ("flood64", 1), ("imix", 2), ("short", 2), ("tls", 1), ("tls", 2)])
    func analysisMatchesTheManifest(profile: String, workers: Int) throws {
        let dir = TempDir()
        let format: CaptureFileWriter.Format = workers == 1 ? .pcapng : .pcap
        let capture = dir.file("synth.\(format.rawValue)")
        let manifestPath = dir.file("synth.json")
        let flows = profile == "elephant" ? 6 : profile == "short" ? 10_000 : 1500
        _ = try Synthesizer.run(SynthConfig(profile: SynthProfile(rawValue: profile)!, flows: flows, packets: 40_000,
                                            seed: 42, format: format),
                                output: capture, manifest: manifestPath)
        let manifest = try SynthManifest.decode(Data(contentsOf: URL(fileURLWithPath: manifestPath)))

        var options = AnalysisOptions()
        options.workers = workers
        var sink = Collect()
        let report = try FileAnalysis.run(paths: [capture], options: options, output: &sink)

        #expect(report.fileErrors.isEmpty)
        #expect(report.decode.packets == UInt64(manifest.packets))
        #expect(report.decode.bytes == UInt64(manifest.bytes))
        #expect(report.decode.errors == 0 && report.decode.nonIP == 0)
        #expect(report.accountingBalances)
        #expect(report.flows.fragmentsOrphaned == 0)

        let want = Self.expected(manifest)
        let got = Self.observed(sink.records)
        #expect(got.count == want.count)
        var mismatches = 0
        for (k, w) in want where got[k] != w {
            mismatches += 1
            if mismatches <= 5 { Issue.record("flow \(k): manifest \(w), analysis \(String(describing: got[k]))") }
        }
        #expect(mismatches == 0)
        // The mix really exercises every application with metadata.
        let apps = Set(want.values.map(\.app))
        if profile == "mix" {
            #expect(apps.isSuperset(of: ["dns payload", "tls payload", "http payload", "quic payload", "ssh payload"]))
        }
        if profile == "tls" { #expect(apps.isSuperset(of: ["tls payload", "quic payload"])) }
        // The mix really exercises tunnels and fragments.
        if profile == "mix" {
            #expect(want.values.contains { $0.tunnel == "gre" } && want.values.contains { $0.tunnel == "vxlan" })
            #expect(want.values.contains { $0.fragments > 0 })
            #expect(report.decode.vlanTagged > 0 && report.decode.ipv6 > 0 && report.decode.icmpv6 > 0)
        }
    }
}
