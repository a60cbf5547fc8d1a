import Export
import Foundation

/// The `tapline synth` engine: a deterministic traffic generator writing a capture file and a manifest.
///
/// Counting: exactly `config.flows` flows (at least 1) and exactly `max(config.packets, config.flows)`
/// frames. Flows are planned one after another; each gets a share of the packets still unassigned
/// (heavy-tailed around the remaining average) and the last flow takes the remainder exactly. When
/// the packets per flow are fewer than an application needs (a TLS flow needs about 15), that flow
/// falls back to a short UDP exchange (DNS, or minimal UDP for `small`) of the size left.
public enum Synthesizer {
    /// Generates `config` into `output` (pcap or pcapng) and, if given, the JSON manifest at `manifest`.
    public static func run(_ config: SynthConfig, output: String, manifest: String?) throws(SynthError) -> SynthSummary {
        guard config.flows >= 1 else { throw .invalidConfig("flows must be at least 1") }
        guard config.packets >= 0 else { throw .invalidConfig("packets must not be negative") }
        let writer: CaptureFileWriter
        do { writer = try CaptureFileWriter(path: output, format: config.format) } catch { throw .io(error) }
        var engine = SynthEngine(config: config)
        let assembler = FrameAssembler(writer: writer)
        let flows: [SynthManifest.Flow]
        do {
            flows = try engine.generate(into: assembler)
            try writer.close()
        } catch let error as SystemError {
            throw .io(error)
        } catch let error as SynthError {
            throw error
        } catch {
            throw .crypto("\(error)")
        }
        var ipBytes = 0, fragments = 0
        for f in flows { ipBytes += f.ip_bytes; fragments += f.fragments }
        let summary = SynthSummary(flows: flows.count, packets: assembler.packets, bytes: assembler.bytes,
                                   ipBytes: ipBytes, fragments: fragments,
                                   firstNs: flows.map(\.start_ns).min() ?? 0, lastNs: assembler.lastNs)
        if let manifest {
            let document = SynthManifest(generator: "tapline synth", profile: config.profile.rawValue, seed: config.seed,
                                         format: config.format.rawValue, packets: assembler.packets,
                                         bytes: assembler.bytes, flows: flows)
            do {
                var data = try document.encoded()
                data.append(0x0A)
                try data.write(to: URL(fileURLWithPath: manifest))
            } catch {
                throw .manifest("\(error)")
            }
        }
        return summary
    }
}
