import ArgumentParser

/// `tapline synth`: deterministic replayable traffic (filled in with the Synth module's API).
struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate deterministic traffic into a pcap/pcapng file.")
    func run() throws {}
}
