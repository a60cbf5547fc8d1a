import Foundation

/// A sysfs/procfs tree in a temporary directory describing an invented machine.
final class FakeMachine {
    let root: String

    /// `nodes[n]` = CPUs of node n; `smt` = threads per core (siblings are id and id + cpusPerThread).
    init(nodes: [[Int]], smt: Int = 1) {
        root = NSTemporaryDirectory() + "tapline-topo-" + UUID().uuidString
        let all = nodes.flatMap { $0 }.sorted()
        write("sys/devices/system/cpu/online", "\(all.first!)-\(all.last!)\n")
        let half = all.count / smt
        for (n, cpus) in nodes.enumerated() {
            write("sys/devices/system/node/node\(n)/cpulist", Self.list(cpus))
            for c in cpus {
                let core = c % half
                let siblings = (0..<smt).map { core + $0 * half }
                let t = "sys/devices/system/cpu/cpu\(c)/topology"
                write("\(t)/physical_package_id", "\(n)\n")
                write("\(t)/core_id", "\(core)\n")
                write("\(t)/thread_siblings_list", Self.list(siblings))
            }
        }
        write("proc/interrupts", "           CPU0       CPU1\n  0:         10          0   IO-APIC   2-edge      timer\n")
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// A NIC with `queues` RX queues on `node` (nil: numa_node says -1), IRQ of queue q pinned to `irqCPU(q)`.
    func nic(_ name: String, queues: Int, node: Int?, irqCPU: ((Int) -> Int)? = nil, firstIRQ: Int = 40) {
        for q in 0..<queues { mkdir("sys/class/net/\(name)/queues/rx-\(q)"); mkdir("sys/class/net/\(name)/queues/tx-\(q)") }
        write("sys/class/net/\(name)/device/numa_node", "\(node ?? -1)\n")
        guard let irqCPU else { return }
        var interrupts = (try? String(contentsOfFile: path("proc/interrupts"), encoding: .utf8)) ?? ""
        for q in 0..<queues {
            let irq = firstIRQ + q
            interrupts += " \(irq):   5   7   PCI-MSI 524288-edge      \(name)-TxRx-\(q)\n"
            write("proc/irq/\(irq)/smp_affinity_list", "\(irqCPU(q))\n")
        }
        write("proc/interrupts", interrupts)
    }

    func process(_ pid: Int, _ comm: String) { write("proc/\(pid)/comm", comm + "\n") }

    func path(_ rel: String) -> String { root + "/" + rel }
    func mkdir(_ rel: String) { try! FileManager.default.createDirectory(atPath: path(rel), withIntermediateDirectories: true) }
    func write(_ rel: String, _ text: String) {
        mkdir((rel as NSString).deletingLastPathComponent)
        try! text.write(toFile: path(rel), atomically: false, encoding: .utf8)
    }

    static func list(_ cpus: [Int]) -> String {
        // Ranges where contiguous, as the kernel writes them.
        var parts: [String] = []
        var i = 0
        let s = cpus.sorted()
        while i < s.count {
            var j = i
            while j + 1 < s.count && s[j + 1] == s[j] + 1 { j += 1 }
            parts.append(i == j ? "\(s[i])" : "\(s[i])-\(s[j])")
            i = j + 1
        }
        return parts.joined(separator: ",") + "\n"
    }
}
