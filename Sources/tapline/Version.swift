import ArgumentParser
import CXDP
import CNUMA
import Engine

/// `tapline version`: the tool's version and the libraries it runs on.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print versions of Tapline and the libraries it uses.")

    func run() throws {
        print("tapline \(TaplineVersion.string)")
        print("libbpf \(libbpf_major_version()).\(libbpf_minor_version())")
        let numa = numa_available() >= 0 ? "\(numa_num_configured_nodes()) node(s)" : "not available"
        print("libnuma: \(numa)")
        print("cpus allowed: \(CPUPlan.allowedCount)")
    }
}
