import Testing
import PacketCore

@Suite struct IPAddressTextTests {
    func v6(_ h: UInt64, _ l: UInt64) -> String { IPAddress(high: h, low: l, isIPv6: true).text }

    @Test func ipv4IsDottedQuad() {
        #expect(IPAddress(ipv4: 0xC0A8_0001).text == "192.168.0.1")
        #expect(IPAddress(ipv4: 0).text == "0.0.0.0")
        #expect(IPAddress(ipv4: 0xFFFF_FFFF).text == "255.255.255.255")
    }

    @Test func ipv6FollowsRFC5952() {
        #expect(v6(0x2001_0db8_0000_0000, 0x0000_0000_0000_0001) == "2001:db8::1")
        #expect(v6(0, 0) == "::")
        #expect(v6(0, 1) == "::1")
        #expect(v6(0xfe80_0000_0000_0000, 0) == "fe80::")
        // A single zero group is not shortened (§4.2.2).
        #expect(v6(0x2001_0db8_0000_0001, 0x0001_0001_0001_0001) == "2001:db8:0:1:1:1:1:1")
        // The longest run wins; the first on a tie (§4.2.3).
        #expect(v6(0x2001_0000_0000_0001, 0x0000_0000_0000_0001) == "2001:0:0:1::1")
        #expect(v6(0x2001_0db8_0000_0000, 0x0001_0000_0000_0001) == "2001:db8::1:0:0:1")
        #expect(v6(0x2a00_1450_4013_0c03, 0x0000_0000_0000_010a) == "2a00:1450:4013:c03::10a")
        #expect(v6(0, 0x0000_ffff_c000_0201) == "::ffff:192.0.2.1")
    }

    @Test func decimals() {
        var out: [UInt8] = []
        appendDecimal(0, to: &out); out.append(32)
        appendDecimal(UInt64.max, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "0 18446744073709551615")
    }

    /// Every digit count, at and next to each power of ten, where the digit count changes.
    @Test func decimalsAtPowersOfTen() {
        var values: [UInt64] = [1, 9, 10, 11, 99, 100, UInt64.max - 1, UInt64.max, 1 << 63, (1 << 63) - 1]
        var p: UInt64 = 10
        for _ in 1...19 {
            values += [p - 1, p, p + 1]
            if p > UInt64.max / 10 { break }
            p *= 10
        }
        for bits in 1..<64 { values += [(1 << UInt64(bits)) - 1, 1 << UInt64(bits)] }
        for v in values {
            var out: [UInt8] = []
            appendDecimal(v, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(v))
        }
    }
}
