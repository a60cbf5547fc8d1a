import Foundation

/// What the machine looks like to a capture plan: CPUs with their NUMA node, physical core and
/// SMT siblings, and for one interface its RX queues, NUMA node and queue IRQs with their affinity.
/// Everything is read from sysfs/procfs under `root`, so tests can describe any machine.
public struct SystemTopology: Sendable, Equatable {
    public struct CPU: Sendable, Equatable {
        public var id: Int
        /// NUMA node, or nil when the machine reports none.
        public var node: Int?
        public var package: Int
        public var core: Int
        /// The CPUs sharing this CPU's physical core (itself included).
        public var siblings: [Int]
    }

    public struct Interface: Sendable, Equatable {
        public var name: String
        /// RX queues (sysfs `queues/rx-N`), at least 1.
        public var rxQueues: Int
        /// The NIC's NUMA node; nil when unknown (virtual devices, -1 in sysfs, one-node machines).
        public var node: Int?
        /// IRQs whose name mentions the interface, with the CPUs each may run on, by queue when
        /// the name ends in a queue number.
        public var irqs: [IRQ]

        public init(name: String, rxQueues: Int, node: Int?, irqs: [IRQ]) {
            self.name = name
            self.rxQueues = rxQueues
            self.node = node
            self.irqs = irqs
        }
    }

    public struct IRQ: Sendable, Equatable {
        public var number: Int
        public var name: String
        public var queue: Int?
        public var affinity: [Int]
    }

    public var cpus: [CPU]
    /// Online NUMA nodes with their CPUs.
    public var nodes: [Int: [Int]]
    /// Whether an irqbalance process runs (it may move queue IRQs after the plan is made).
    public var irqbalanceRunning: Bool

    /// Reads the machine under `root` ("/" for this one).
    public static func read(root: String = "/") throws(TopologyError) -> SystemTopology {
        let fs = RootedFiles(root: root)
        guard let onlineText = fs.text("sys/devices/system/cpu/online"), let online = CPUList.parse(onlineText),
              !online.isEmpty
        else { throw TopologyError("cannot read the online CPUs from \(fs.path("sys/devices/system/cpu/online"))") }

        var nodes: [Int: [Int]] = [:]
        for entry in fs.list("sys/devices/system/node") where entry.hasPrefix("node") {
            guard let n = Int(entry.dropFirst(4)),
                  let list = fs.text("sys/devices/system/node/\(entry)/cpulist").flatMap(CPUList.parse)
            else { continue }
            nodes[n] = list.filter { online.contains($0) }
        }
        var cpus: [CPU] = []
        for id in online {
            let base = "sys/devices/system/cpu/cpu\(id)/topology"
            let package = fs.int("\(base)/physical_package_id") ?? 0
            let core = fs.int("\(base)/core_id") ?? id
            let siblings = fs.text("\(base)/thread_siblings_list").flatMap(CPUList.parse) ?? [id]
            let node = nodes.first { $0.value.contains(id) }?.key
            cpus.append(CPU(id: id, node: node, package: package, core: core, siblings: siblings))
        }
        var irqbalance = false
        for pid in fs.list("proc") where pid.allSatisfy(\.isNumber) {
            if fs.text("proc/\(pid)/comm")?.trimmingCharacters(in: .whitespacesAndNewlines) == "irqbalance" {
                irqbalance = true
                break
            }
        }
        return SystemTopology(cpus: cpus, nodes: nodes, irqbalanceRunning: irqbalance)
    }

    /// Reads interface `name` under `root`.
    public static func interface(_ name: String, root: String = "/") throws(TopologyError) -> Interface {
        let fs = RootedFiles(root: root)
        let dir = "sys/class/net/\(name)"
        guard !name.isEmpty, !name.contains("/"), fs.exists(dir) else {
            throw TopologyError("no network interface named '\(name)' (looked in \(fs.path("sys/class/net")))")
        }
        let rx = fs.list("\(dir)/queues").filter { $0.hasPrefix("rx-") }.count
        // -1 (or no file) means the kernel does not know the device's node.
        let node = fs.int("\(dir)/device/numa_node").flatMap { $0 >= 0 ? $0 : nil }
        var irqs: [IRQ] = []
        for line in (fs.text("proc/interrupts") ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first, first.hasSuffix(":"), let number = Int(first.dropLast()),
                  let irqName = fields.last, Self.irqName(String(irqName), belongsTo: name)
            else { continue }
            let affinity = fs.text("proc/irq/\(number)/smp_affinity_list").flatMap(CPUList.parse) ?? []
            irqs.append(IRQ(number: number, name: String(irqName), queue: Self.queueNumber(String(irqName)),
                            affinity: affinity))
        }
        return Interface(name: name, rxQueues: max(1, rx), node: node, irqs: irqs)
    }

    /// Driver IRQ names put the interface first ("eth0-TxRx-3", "ens5-rx-1", "eth0@pci…").
    static func irqName(_ irq: String, belongsTo interface: String) -> Bool {
        guard irq.hasPrefix(interface) else { return false }
        let rest = irq.dropFirst(interface.count)
        return rest.isEmpty || rest.first == "-" || rest.first == "@" || rest.first == "_"
    }

    /// The trailing number of an IRQ name ("eth0-TxRx-3" → 3), taken as its queue.
    static func queueNumber(_ irq: String) -> Int? {
        let digits = irq.reversed().prefix { $0.isNumber }
        guard !digits.isEmpty, digits.count < irq.count else { return nil }
        return Int(String(digits.reversed()))
    }
}

/// A topology that could not be read: what and where.
public struct TopologyError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Files under a root directory.
struct RootedFiles {
    let root: String

    func path(_ relative: String) -> String {
        root.hasSuffix("/") ? root + relative : root + "/" + relative
    }

    func text(_ relative: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path(relative)) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    func int(_ relative: String) -> Int? {
        text(relative).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    func list(_ relative: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path(relative)))?.sorted() ?? []
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }
}
