import Anonymize
import PacketCore
import Testing

@Suite struct CryptoPAnTests {
    /// The sample key of the Crypto-PAn reference distribution.
    static let referenceKey: [UInt8] = [21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16,
                                        216, 152, 143, 131, 121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2]
    /// Address pairs from the reference distribution's sample_trace_raw / sample_trace_sanitized.
    static let referenceVectors: [(String, String)] = [
        ("128.11.68.132", "135.242.180.132"), ("129.118.74.4", "134.136.186.123"),
        ("130.132.252.244", "133.68.164.234"), ("141.223.7.43", "141.167.8.160"),
        ("141.233.145.108", "141.129.237.235"), ("152.163.225.39", "151.140.114.167"),
        ("156.29.3.236", "147.225.12.42"), ("165.247.96.84", "162.9.99.234"),
        ("166.107.77.190", "160.132.178.185"), ("192.102.249.13", "252.138.62.131"),
        ("192.215.32.125", "252.43.47.189"), ("192.233.80.103", "252.25.108.8"),
        ("192.41.57.43", "252.222.221.184"), ("193.150.244.223", "253.169.52.216"),
        ("195.205.63.100", "255.186.223.5"), ("198.200.171.101", "249.199.68.213"),
        ("198.26.132.101", "249.36.123.202"), ("198.36.213.5", "249.7.21.132"),
        ("198.51.77.238", "249.18.186.254"), ("199.217.79.101", "248.38.184.213"),
        ("202.49.198.20", "245.206.7.234"), ("203.12.160.252", "244.248.163.4"),
        ("204.184.162.189", "243.192.77.90"), ("204.202.136.230", "243.178.4.198"),
        ("204.29.20.4", "243.33.20.123"),
    ]

    static func v4(_ s: String) -> UInt32 {
        s.split(separator: ".").reduce(0) { $0 << 8 | UInt32($1)! }
    }

    @Test func ipv4MatchesTheReferenceVectors() throws {
        let pan = try CryptoPAn(key: Self.referenceKey)
        for (raw, sanitized) in Self.referenceVectors {
            #expect(pan.anonymize32(Self.v4(raw)) == Self.v4(sanitized), "\(raw)")
            #expect(pan.anonymize(IPAddress(ipv4: Self.v4(raw))) == IPAddress(ipv4: Self.v4(sanitized)))
        }
    }

    @Test func prefixesArePreservedForIPv4AndIPv6() throws {
        let pan = try CryptoPAn(key: Self.referenceKey)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            let a = IPAddress(high: rng.next(), low: rng.next(), isIPv6: true)
            let shared = Int.random(in: 0..<128)
            // b shares exactly `shared` leading bits with a.
            var bh = a.high, bl = a.low
            if shared < 64 { bh ^= 1 << (63 - shared); bl = rng.next() } else { bl ^= 1 << (127 - shared) }
            let b = IPAddress(high: bh, low: bl, isIPv6: true)
            let x = pan.anonymize(a), y = pan.anonymize(b)
            let diff = (x.high ^ y.high, x.low ^ y.low)
            let common = diff.0 != 0 ? diff.0.leadingZeroBitCount : 64 + diff.1.leadingZeroBitCount
            #expect(common == shared)
        }
        let a = Self.v4("10.1.2.3"), b = Self.v4("10.1.200.7")
        #expect((pan.anonymize32(a) ^ pan.anonymize32(b)).leadingZeroBitCount == (a ^ b).leadingZeroBitCount)
    }

    @Test func aKeyOfTheWrongLengthIsRefused() {
        #expect(throws: CryptoPAn.KeyError.self) { try CryptoPAn(key: [1, 2, 3]) }
    }

    @Test func rewriterChangesIPv4AddressesAndFixesTheHeaderChecksum() throws {
        let pan = try CryptoPAn(key: Self.referenceKey)
        // Ethernet + IPv4 (128.11.68.132 → 129.118.74.4) + 8 bytes UDP.
        var frame: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00,
                              0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 128, 11, 68, 132, 129, 118, 74, 4,
                              0x30, 0x39, 0, 53, 0, 8, 0, 0]
        frame.withUnsafeMutableBytes { #expect(AddressRewriter(anonymizer: pan).rewrite($0, linkType: .ethernet)) }
        #expect(Array(frame[26..<30]) == [135, 242, 180, 132])
        #expect(Array(frame[30..<34]) == [134, 136, 186, 123])
        var sum: UInt32 = 0
        for i in stride(from: 14, to: 34, by: 2) { sum += UInt32(frame[i]) << 8 | UInt32(frame[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        #expect(sum == 0xFFFF)
    }
}
