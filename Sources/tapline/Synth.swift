import ArgumentParser
import Engine
import Export
import Synth

/// `tapline synth`: deterministic, replayable traffic written to a pcap or pcapng file.
struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate deterministic traffic into a pcap/pcapng file, with a JSON manifest of every flow.",
        discussion: """
            The same arguments give the same bytes on every machine. Exactly --flows flows and \
            max(--packets, --flows) frames are written. Profiles: mix (DNS over UDP and TCP, TLS 1.2/1.3, \
            HTTP/1.1, QUIC v1 Initials, SSH, ICMP/ICMPv6, IPv4 and IPv6, VLAN and QinQ, GRE and VXLAN, \
            IP fragments), small (minimal frames), dns, elephant (few long bulk flows), flood64 (64-byte \
            frames at 10 Gb/s line rate), imix (64/570/1518-byte frames 7:4:1 at line rate), short (many \
            short flows: flow-table stress), tls (TLS 1.2/1.3 and QUIC). Memory stays bounded for any \
            --flows (flows are generated and the manifest written as they go). The format \
            follows the file name (.pcap or .pcapng) unless --format is given.
            """)

    @Option(name: .shortAndLong, help: "Capture file to write.")
    var output: String

    @Option(help: "Traffic profile: \(SynthProfile.allCases.map(\.rawValue).joined(separator: ", ")).")
    var profile: String = "mix"

    @Option(help: "Flows to generate.")
    var flows: Int = 1_000

    @Option(help: "Frames to generate in all (at least one per flow).")
    var packets: Int = 100_000

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 1

    @Option(help: "pcap or pcapng (default: from the file name, else pcap).")
    var format: String?

    @Option(help: "Write the manifest (JSON: every flow with its counts and metadata) here.")
    var manifest: String?

    func validate() throws {
        guard SynthProfile(rawValue: profile) != nil else {
            throw ValidationError("unknown profile '\(profile)'; choose one of \(SynthProfile.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard flows >= 1 && flows <= 50_000_000 else { throw ValidationError("--flows must be between 1 and 50000000") }
        guard packets >= 0 && packets <= 2_000_000_000 else { throw ValidationError("--packets must be between 0 and 2000000000") }
        if let format, CaptureFileWriter.Format(rawValue: format) == nil {
            throw ValidationError("--format must be pcap or pcapng")
        }
    }

    func run() throws {
        let fileFormat = format.flatMap(CaptureFileWriter.Format.init(rawValue:))
            ?? (output.hasSuffix(".pcapng") ? .pcapng : .pcap)
        let config = SynthConfig(profile: SynthProfile(rawValue: profile)!, flows: flows, packets: packets,
                                 seed: seed, format: fileFormat)
        do {
            let s = try Synthesizer.run(config, output: output, manifest: manifest)
            writeStandardError("synth: wrote \(s.packets) packets, \(s.bytes) bytes, \(s.flows) flows "
                               + "(\(s.fragments) later fragments) to \(output) as \(fileFormat.rawValue)"
                               + (manifest.map { "; manifest \($0)" } ?? "") + "\n")
        } catch {
            throw ToolError("synth: \(error)")
        }
    }
}
