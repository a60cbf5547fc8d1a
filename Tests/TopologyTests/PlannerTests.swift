import Testing
import Topology

@Suite struct CPUListTests {
    @Test func parsesAndFormats() {
        #expect(CPUList.parse("0-3,8,10-11\n") == [0, 1, 2, 3, 8, 10, 11])
        #expect(CPUList.parse("") == [])
        #expect(CPUList.parse("3-1") == nil)
        #expect(CPUList.parse("a") == nil)
        #expect(CPUList.parse("0-99999999") == nil)
        #expect(CPUList.format([8, 0, 1, 2, 3, 10, 11]) == "0-3,8,10-11")
    }
}

@Suite struct PlannerTests {
    /// Two sockets, 64 CPUs: node 0 = 0-15 and 32-47, node 1 = 16-31 and 48-63; CPU c and c+32 are SMT siblings.
    func twoSocket() -> FakeMachine {
        FakeMachine(nodes: [Array(0..<16) + Array(32..<48), Array(16..<32) + Array(48..<64)], smt: 2)
    }

    func plan(_ m: FakeMachine, _ nic: String, _ req: PlanRequest) throws -> CapturePlan {
        let topo = try SystemTopology.read(root: m.root)
        return try Planner.plan(topo, try SystemTopology.interface(nic, root: m.root), req)
    }

    func cpus(_ p: CapturePlan) -> [Int] { p.assignments.map(\.cpu) }

    @Test func readsTheFakeMachine() throws {
        let m = twoSocket()
        m.nic("eth1", queues: 4, node: 1, irqCPU: { 16 + $0 })
        let topo = try SystemTopology.read(root: m.root)
        #expect(topo.cpus.count == 64 && topo.nodes.count == 2)
        #expect(topo.cpus.first { $0.id == 17 }?.siblings == [17, 49])
        #expect(topo.cpus.first { $0.id == 49 }?.node == 1)
        let nic = try SystemTopology.interface("eth1", root: m.root)
        #expect(nic.rxQueues == 4 && nic.node == 1)
        #expect(nic.irqs.map(\.queue) == [0, 1, 2, 3] && nic.irqs[2].affinity == [18])
    }

    @Test func nicOnNodeOneGetsNodeOneCoresAwayFromIRQsWithoutSMTSiblings() throws {
        let m = twoSocket()
        m.nic("eth1", queues: 4, node: 1, irqCPU: { 16 + $0 })
        let p = try plan(m, "eth1", PlanRequest(workers: 4))
        #expect(p.umemNode == 1)
        #expect(p.assignments.allSatisfy { $0.node == 1 })
        let used = cpus(p)
        #expect(Set(used).count == 8)
        #expect(Set(used).isDisjoint(with: [16, 17, 18, 19]))   // IRQ CPUs avoided in pipeline mode
        #expect(used.allSatisfy { $0 < 48 })                     // one thread per physical core first
        #expect(p.warnings.isEmpty)
    }

    @Test func runToCompletionSitsOnEachQueuesIRQCPU() throws {
        let m = twoSocket()
        m.nic("eth1", queues: 4, node: 1, irqCPU: { 20 + $0 })
        let p = try plan(m, "eth1", PlanRequest(runToCompletion: true))
        #expect(cpus(p) == [20, 21, 22, 23])
        #expect(p.assignments.allSatisfy { if case .ingest = $0.role { true } else { false } })
    }

    @Test func oneNodeMachine() throws {
        let m = FakeMachine(nodes: [Array(0..<8)])
        m.nic("eth0", queues: 2, node: 0)
        let p = try plan(m, "eth0", PlanRequest(workers: 2))
        #expect(cpus(p) == [0, 1, 2, 3])
        #expect(p.umemNode == 0 && p.warnings.isEmpty)
    }

    @Test func unknownNodeIsANormalAnswerWithAWarningOnTwoNodes() throws {
        let m = twoSocket()
        m.nic("veth0", queues: 1, node: nil)
        let p = try plan(m, "veth0", PlanRequest(workers: 1))
        #expect(p.umemNode == nil)
        #expect(p.umemReason.contains("unknown"))
        #expect(p.warnings.contains { $0.contains("no NUMA node") })
        #expect(p.assignments.count == 2)
    }

    @Test func tooFewCoresSharesAndWarns() throws {
        let m = FakeMachine(nodes: [[0, 1]])
        m.nic("eth0", queues: 2, node: 0)
        let p = try plan(m, "eth0", PlanRequest(workers: 2))
        #expect(p.assignments.count == 4)
        #expect(p.warnings.contains { $0.contains("threads share CPUs") })
        #expect(p.assignments.contains { $0.reason.contains("SHARED") })
    }

    @Test func givenCoresOffTheNICNodeWarn() throws {
        let m = twoSocket()
        m.nic("eth1", queues: 1, node: 1)
        let p = try plan(m, "eth1", PlanRequest(cores: [2, 3], workers: 1))
        #expect(cpus(p) == [2, 3])
        #expect(p.warnings.contains { $0.contains("not on eth1's NUMA node 1") })
    }

    @Test func irqbalanceIsReported() throws {
        let m = FakeMachine(nodes: [Array(0..<4)])
        m.nic("eth0", queues: 1, node: 0)
        m.process(4242, "irqbalance")
        let p = try plan(m, "eth0", PlanRequest(workers: 1))
        #expect(p.warnings.contains { $0.contains("irqbalance") })
    }

    @Test func errorsSayWhat() throws {
        let m = FakeMachine(nodes: [Array(0..<4)])
        m.nic("eth0", queues: 2, node: 0)
        #expect(throws: TopologyError.self) { try plan(m, "eth9", PlanRequest()) }
        #expect(throws: TopologyError.self) { try plan(m, "eth0", PlanRequest(queues: [5])) }
        #expect(throws: TopologyError.self) { try plan(m, "eth0", PlanRequest(cores: [99])) }
        do { _ = try plan(m, "eth9", PlanRequest()) } catch { #expect("\(error)".contains("eth9")) }
    }

    @Test func jsonAndTableNameEveryThread() throws {
        let m = twoSocket()
        m.nic("eth1", queues: 2, node: 1, irqCPU: { 16 + $0 })
        let p = try plan(m, "eth1", PlanRequest(workers: 2))
        #expect(p.table.contains("ingest q1") && p.table.contains("worker 1"))
        #expect(p.json.contains("\"umem_node\":1") && p.json.contains("\"role\":\"worker\""))
    }
}
