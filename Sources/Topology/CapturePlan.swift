/// Which CPU runs each queue's ingest thread and each worker, where the UMEM lives, and why.
public struct CapturePlan: Sendable, Equatable {
    public enum Role: Sendable, Equatable {
        /// The thread receiving RX queue `queue` (in run-to-completion mode it also dissects).
        case ingest(queue: Int)
        /// Dissection worker `index` (pipeline mode).
        case worker(index: Int)
    }

    public struct Assignment: Sendable, Equatable {
        public var role: Role
        public var cpu: Int
        public var node: Int?
        public var reason: String
    }

    public var interface: String
    public var runToCompletion: Bool
    public var queues: [Int]
    /// NUMA node for the UMEM; nil when the NIC's node is unknown (memory then comes from the local
    /// node of the thread that allocates it, the kernel default).
    public var umemNode: Int?
    public var umemReason: String
    public var assignments: [Assignment]
    public var warnings: [String]
}

/// What an operator asks of a plan (the `plan` and `capture` options).
public struct PlanRequest: Sendable {
    /// RX queues to capture; nil for all of the interface's.
    public var queues: [Int]?
    /// CPUs to use; nil to choose them.
    public var cores: [Int]?
    /// Workers in pipeline mode; nil for one per CPU left after the ingest threads (at least 1).
    public var workers: Int?
    /// One thread per queue receives and dissects; no workers, no rings.
    public var runToCompletion: Bool

    public init(queues: [Int]? = nil, cores: [Int]? = nil, workers: Int? = nil, runToCompletion: Bool = false) {
        self.queues = queues
        self.cores = cores
        self.workers = workers
        self.runToCompletion = runToCompletion
    }
}

/// Makes capture plans: NUMA-local CPUs first, one thread per physical core before SMT siblings,
/// ingest threads away from their queue's IRQ CPU (in pipeline mode: the softirq would compete)
/// or on it (run to completion: the frames are hot in that CPU's cache).
public enum Planner {
    /// An IRQ whose affinity names more CPUs than this is not pinned: it says nothing about where it runs.
    public static let pinnedIRQMaxCPUs = 2

    public static func plan(_ topology: SystemTopology, _ interface: SystemTopology.Interface,
                            _ request: PlanRequest) throws(TopologyError) -> CapturePlan {
        var warnings: [String] = []
        let allQueues = Array(0..<interface.rxQueues)
        let queues = request.queues ?? allQueues
        for q in queues where !allQueues.contains(q) {
            throw TopologyError("\(interface.name) has RX queues 0-\(interface.rxQueues - 1); queue \(q) does not exist")
        }
        guard !queues.isEmpty else { throw TopologyError("no RX queue to capture") }
        let cpuByID = Dictionary(uniqueKeysWithValues: topology.cpus.map { ($0.id, $0) })

        // Candidate CPUs, best first.
        var candidates: [Int]
        var localNote: String
        if let cores = request.cores {
            for c in cores where cpuByID[c] == nil {
                throw TopologyError("CPU \(c) is not online (online: \(CPUList.format(topology.cpus.map(\.id))))")
            }
            candidates = cores
            localNote = "CPU given with --cores"
            if let node = interface.node, cores.contains(where: { cpuByID[$0]?.node != node }) {
                warnings.append("some --cores CPUs are not on \(interface.name)'s NUMA node \(node): "
                                + "frames will cross the interconnect")
            }
        } else if let node = interface.node, let local = topology.nodes[node], !local.isEmpty {
            candidates = smtSpread(local, cpuByID)
            localNote = "on \(interface.name)'s NUMA node \(node)"
        } else {
            candidates = smtSpread(topology.cpus.map(\.id), cpuByID)
            localNote = interface.node == nil ? "NIC's NUMA node unknown: any CPU" : "any CPU"
        }

        // IRQ CPUs per queue (only pinned IRQs say where the softirq runs).
        var irqCPUs: [Int: [Int]] = [:]
        for irq in interface.irqs where !irq.affinity.isEmpty && irq.affinity.count <= pinnedIRQMaxCPUs {
            if let q = irq.queue { irqCPUs[q, default: []] += irq.affinity }
        }
        let anyIRQCPU = Set(irqCPUs.values.flatMap { $0 })

        var used: [Int] = []
        var assignments: [CapturePlan.Assignment] = []
        func take(preferring wanted: [Int], avoiding avoid: Set<Int>) -> (Int, Bool) {
            for c in wanted where !used.contains(c) { return (c, true) }
            let usedSiblings = Set(used.flatMap { cpuByID[$0]?.siblings ?? [] })
            for c in candidates where !used.contains(c) && !avoid.contains(c) && !usedSiblings.contains(c) { return (c, true) }
            for c in candidates where !used.contains(c) && !avoid.contains(c) { return (c, true) }
            for c in candidates where !used.contains(c) { return (c, true) }
            return (candidates[used.count % candidates.count], false)
        }

        for q in queues {
            let irq = irqCPUs[q] ?? []
            let (cpu, fresh): (Int, Bool)
            var reason: String
            if request.runToCompletion, let onIRQ = irq.first(where: { candidates.contains($0) }) {
                (cpu, fresh) = take(preferring: [onIRQ], avoiding: [])
                reason = "\(localNote); on queue \(q)'s IRQ CPU (run to completion: frames are cache-hot there)"
            } else {
                (cpu, fresh) = take(preferring: [], avoiding: Set(irq).union(request.runToCompletion ? [] : anyIRQCPU))
                reason = localNote
                if !irq.isEmpty && !request.runToCompletion { reason += "; away from queue \(q)'s IRQ CPU \(CPUList.format(irq))" }
            }
            if !fresh { reason += "; SHARED with another thread (too few CPUs)" }
            used.append(cpu)
            assignments.append(.init(role: .ingest(queue: q), cpu: cpu, node: cpuByID[cpu]?.node, reason: reason))
        }

        if !request.runToCompletion {
            let left = candidates.filter { !used.contains($0) }.count
            let workers = request.workers ?? max(1, left)
            for w in 0..<workers {
                let (cpu, fresh) = take(preferring: [], avoiding: anyIRQCPU)
                var reason = localNote
                if let c = cpuByID[cpu], c.siblings.count > 1, used.contains(where: { c.siblings.contains($0) }) {
                    reason += "; SMT sibling of a used CPU (no free physical core left)"
                }
                if !fresh { reason += "; SHARED with another thread (too few CPUs)" }
                used.append(cpu)
                assignments.append(.init(role: .worker(index: w), cpu: cpu, node: cpuByID[cpu]?.node, reason: reason))
            }
        }

        let threads = assignments.count
        if threads > candidates.count {
            warnings.append("\(threads) threads on \(candidates.count) CPU(s) \(localNote): threads share CPUs; "
                            + "expect drops under load (use fewer queues/workers or more --cores)")
        }
        if topology.irqbalanceRunning {
            warnings.append("irqbalance is running: it may move queue IRQs onto the chosen CPUs later "
                            + "(stop it, or ban these CPUs with IRQBALANCE_BANNED_CPULIST)")
        }
        if interface.node == nil && topology.nodes.count > 1 {
            warnings.append("\(interface.name) reports no NUMA node on a \(topology.nodes.count)-node machine: "
                            + "the plan cannot keep frames node-local")
        }
        let umemReason = interface.node.map { "\(interface.name) is on node \($0)" }
            ?? "\(interface.name)'s node is unknown: allocated where the ingest thread runs"
        return CapturePlan(interface: interface.name, runToCompletion: request.runToCompletion, queues: queues,
                           umemNode: interface.node, umemReason: umemReason, assignments: assignments,
                           warnings: warnings)
    }

    /// CPUs ordered one per physical core first (lowest id of each core), then the other SMT siblings.
    static func smtSpread(_ cpus: [Int], _ byID: [Int: SystemTopology.CPU]) -> [Int] {
        var first: [Int] = []
        var rest: [Int] = []
        var seenCores = Set<[Int]>()
        for c in cpus.sorted() {
            let key = (byID[c]?.siblings ?? [c]).sorted()
            if seenCores.insert(key).inserted { first.append(c) } else { rest.append(c) }
        }
        return first + rest
    }
}

extension CapturePlan {
    /// The plan as a table for people.
    public var table: String {
        var s = "interface \(interface): \(queues.count) RX queue(s) \(CPUList.format(queues)), "
            + (runToCompletion ? "run to completion" : "pipeline") + "\n"
        s += "UMEM on node \(umemNode.map(String.init) ?? "unknown") (\(umemReason))\n"
        s += "thread        cpu  node  why\n"
        for a in assignments {
            let role: String = switch a.role {
            case .ingest(let q): "ingest q\(q)"
            case .worker(let w): "worker \(w)"
            }
            s += role.padding(13) + " " + "\(a.cpu)".padding(4) + " " + (a.node.map(String.init) ?? "-").padding(5)
                + " " + a.reason + "\n"
        }
        for w in warnings { s += "warning: \(w)\n" }
        return s
    }

    /// The plan as JSON for scripts.
    public var json: String {
        func esc(_ t: String) -> String {
            var o = ""
            for ch in t.unicodeScalars {
                switch ch {
                case "\"": o += "\\\""
                case "\\": o += "\\\\"
                case "\n": o += "\\n"
                default: o.unicodeScalars.append(ch)
                }
            }
            return "\"" + o + "\""
        }
        let items = assignments.map { a -> String in
            let role: String = switch a.role {
            case .ingest(let q): "\"role\":\"ingest\",\"queue\":\(q)"
            case .worker(let w): "\"role\":\"worker\",\"worker\":\(w)"
            }
            return "{\(role),\"cpu\":\(a.cpu),\"node\":\(a.node.map(String.init) ?? "null"),\"reason\":\(esc(a.reason))}"
        }
        return "{\"interface\":\(esc(interface)),\"run_to_completion\":\(runToCompletion),"
            + "\"queues\":[\(queues.map(String.init).joined(separator: ","))],"
            + "\"umem_node\":\(umemNode.map(String.init) ?? "null"),\"umem_reason\":\(esc(umemReason)),"
            + "\"threads\":[\(items.joined(separator: ","))],"
            + "\"warnings\":[\(warnings.map(esc).joined(separator: ","))]}\n"
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
