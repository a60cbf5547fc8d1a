import Export

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
        let totals: SynthEngine.Totals
        do {
            let stream = try manifest.map { path throws(SystemError) in
                try ManifestWriter(path: path, generator: "tapline synth", profile: config.profile.rawValue,
                                   seed: config.seed, format: config.format.rawValue)
            }
            totals = try engine.generate(into: assembler, manifest: stream)
            try writer.close()
            try stream?.finish(packets: assembler.packets, bytes: assembler.bytes)
        } catch let error as SystemError {
            throw .io(error)
        } catch let error as SynthError {
            throw error
        } catch {
            throw .crypto("\(error)")
        }
        let summary = SynthSummary(flows: totals.flows, packets: assembler.packets, bytes: assembler.bytes,
                                   ipBytes: totals.ipBytes, fragments: totals.fragments,
                                   firstNs: totals.flows == 0 ? 0 : totals.firstNs, lastNs: assembler.lastNs)
        return summary
    }
}
