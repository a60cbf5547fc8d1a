@testable import Prefilter
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
