import ArgumentParser
import Topology

/// `tapline plan -i IF`: which CPUs, queues and NUMA node a capture would use, and why.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show which CPU runs each queue's ingest thread and each worker, where the UMEM lives, and why.",
        discussion: """
            CPUs on the interface's NUMA node come first, one per physical core before SMT siblings; \
            in pipeline mode ingest threads stay off their queue's IRQ CPU, in run-to-completion mode \
            they sit on it. The machine is read from sysfs and procfs under --root.
            """)

    @Option(name: .shortAndLong, help: "Network interface.")
    var interface: String

    @Option(help: "RX queues, e.g. 0-3 or 0,2 (default: all).")
    var queues: String?

    @Option(help: "CPUs to use, e.g. 2,4,6 or 8-15 (default: chosen by the plan).")
    var cores: String?

    @Option(help: "Workers in pipeline mode (default: one per CPU left after the ingest threads).")
    var workers: Int?

    @Flag(help: "One thread per queue receives and dissects (no workers).")
    var runToCompletion = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Read sysfs/procfs under this directory instead of / (for describing other machines).")
    var root: String = "/"

    func run() throws {
        func list(_ text: String?, _ what: String) throws -> [Int]? {
            guard let text else { return nil }
            guard let l = CPUList.parse(text), !l.isEmpty else {
                throw ValidationError("--\(what) takes numbers and ranges like 0-3,8")
            }
            return l
        }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        let request = PlanRequest(queues: try list(queues, "queues"), cores: try list(cores, "cores"),
                                  workers: workers, runToCompletion: runToCompletion)
        do {
            let topology = try SystemTopology.read(root: root)
            let nic = root == "/" ? try CaptureCommand.interfaceTopology(interface)
                : try SystemTopology.interface(interface, root: root)
            let plan = try Planner.plan(topology, nic, request)
            print(json ? plan.json : plan.table, terminator: "")
        } catch {
            throw ToolError("plan: \(error)")
        }
    }
}
