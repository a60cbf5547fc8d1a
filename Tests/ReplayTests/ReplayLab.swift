import Foundation
import Glibc
@testable import Prefilter
import Synth
import TestLab

/// The replayer's kernel tests use the shared namespaced lab.
typealias ReplayLab = NamespaceLab

extension NamespaceLab {
    /// The receiver end runs the prefilter with `rules` natively (a veth delivers frames sent by
    /// AF_XDP or by XDP redirection only then); its counters see every frame.
    func prefilterReceiver(rules: String) throws -> PrefilterProgram {
        let p = try PrefilterProgram(config: PrefilterConfig())
        guard case .success(let set) = RuleParser.parse(rules) else { fatalError("rules: \(rules)") }
        try p.install(set)
        nonisolated(unsafe) var failure: (any Error)?
        try Self.inNamespace(rxPath) {
            do { _ = try p.attach(interface: self.rx, mode: .native) } catch { failure = error }
        }
        if let failure { throw failure }
        return p
    }
}

/// A synthesized pcap in the temporary directory (the caller deletes it).
func synthesizedFile(_ profile: SynthProfile, flows: Int, packets: Int, seed: UInt64) throws -> String {
    let path = NSTemporaryDirectory() + "tapline-replay-\(getpid())-\(UInt32.random(in: 0..<UInt32.max)).pcap"
    _ = try Synthesizer.run(SynthConfig(profile: profile, flows: flows, packets: packets, seed: seed, format: .pcap),
                            output: path, manifest: nil)
    return path
}
