import Testing
import PacketCore

@Suite struct FlowKeyTests {
    let a = IPAddress(ipv4: 0x0A00_0001)
    let b = IPAddress(ipv4: 0x0A00_0002)

    @Test func bothDirectionsGiveOneKey() {
        let ab = FlowKey.make(src: a, sport: 1234, dst: b, dport: 80, proto: 6, vlan: 0)
        let ba = FlowKey.make(src: b, sport: 80, dst: a, dport: 1234, proto: 6, vlan: 0)
        #expect(ab.key == ba.key)
        #expect(ab.key.hashValue64 == ba.key.hashValue64)
        #expect(ab.senderIsLow != ba.senderIsLow)
    }

    @Test func samePortsAndAddressesTieBreakOnPort() {
        let x = FlowKey.make(src: a, sport: 53, dst: a, dport: 5353, proto: 17, vlan: 0)
        let y = FlowKey.make(src: a, sport: 5353, dst: a, dport: 53, proto: 17, vlan: 0)
        #expect(x.key == y.key)
        #expect(x.senderIsLow && !y.senderIsLow)
    }

    @Test func keysDifferByVLANAndProtocol() {
        let k1 = FlowKey.make(src: a, sport: 1, dst: b, dport: 2, proto: 17, vlan: 0).key
        let k2 = FlowKey.make(src: a, sport: 1, dst: b, dport: 2, proto: 17, vlan: 10).key
        let k3 = FlowKey.make(src: a, sport: 1, dst: b, dport: 2, proto: 6, vlan: 0).key
        #expect(k1 != k2 && k1 != k3)
        #expect(k1.hashValue64 != k2.hashValue64 && k1.hashValue64 != k3.hashValue64)
    }

    @Test func symmetricHashIgnoresDirection() {
        let v6 = IPAddress(high: 0x2001_0db8_0000_0000, low: 1, isIPv6: true)
        #expect(FlowHash.symmetric(a, v6, proto: 6) == FlowHash.symmetric(v6, a, proto: 6))
        #expect(FlowHash.symmetric(a, b, proto: 6) != FlowHash.symmetric(a, b, proto: 17))
    }

    @Test func ipv4SortsBeforeIPv6() {
        let v6 = IPAddress(high: 0, low: 1, isIPv6: true)
        #expect(a < v6)
        #expect(!(v6 < a))
    }
}
