import Testing
import AppProtocols

@Suite struct AppProtocolTests {
    @Test func namesAreUniqueLowercaseAndStable() {
        let names = AppProtocol.allCases.map { "\($0.name)" }
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0 == $0.lowercased() && !$0.isEmpty })
        #expect(AppProtocol.unknown.rawValue == 0 && AppProtocol.dns.rawValue == 1)
    }

    @Test func contextKnowsEitherPort() {
        let c = ProbeContext(ipProto: 17, srcPort: 5353, dstPort: 53, fromInitiator: true, packetIndex: 0)
        #expect(c.hasPort(53) && c.hasPort(5353) && !c.hasPort(80))
    }
}
