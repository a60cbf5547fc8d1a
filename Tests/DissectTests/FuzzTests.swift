import Dissect
import PacketCore
import Testing

/// SplitMix64: a tiny deterministic PRNG, so every fuzz run mutates the same way.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Deterministic mutation fuzzing")
struct FuzzTests {
    static let iterations = 200_000
    /// Values that steer header fields toward edge cases: lengths, versions, tunnel and VLAN markers.
    static let interesting: [UInt8] = [0x00, 0x01, 0x04, 0x05, 0x06, 0x0F, 0x11, 0x21, 0x29, 0x2C, 0x2F, 0x3B,
                                       0x40, 0x45, 0x4F, 0x60, 0x7F, 0x80, 0x81, 0x86, 0x88, 0xA8, 0xDD, 0xFF]
    static let linkTypes: [LinkType] = [.ethernet, .raw, .ipv4, .ipv6, .linuxSLL, .linuxSLL2, .null, .loop]

    @Test("random mutations of golden frames never trap and keep the payload inside the frame")
    func mutations() {
        var rng = SplitMix64(state: 0x7A91_1E00_D155_EC7)
        let goldens = Golden.all + [Golden("GRE nest", HostileTests.greNest(5), headerEnd: 0) { _ in }]
        let decoder = PacketDecoder()
        var info = PacketInfo()
        var decoded = 0
        var failures = 0

        for iteration in 0..<Self.iterations {
            let golden = goldens[iteration % goldens.count]
            var bytes = golden.bytes
            let mutations = Int.random(in: 1...4, using: &rng)
            for _ in 0..<mutations {
                switch UInt8.random(in: 0..<20, using: &rng) {
                case 0:
                    bytes.removeLast(Int.random(in: 0...bytes.count, using: &rng))
                case 1:
                    for _ in 0..<Int.random(in: 1...16, using: &rng) { bytes.append(UInt8.random(in: 0...255, using: &rng)) }
                default:
                    guard !bytes.isEmpty else { break }
                    // Bias toward the headers, where the decoder looks.
                    let span = Bool.random(using: &rng) ? min(bytes.count, 80) : bytes.count
                    let position = Int.random(in: 0..<span, using: &rng)
                    bytes[position] = Bool.random(using: &rng)
                        ? Self.interesting[Int.random(in: 0..<Self.interesting.count, using: &rng)]
                        : UInt8.random(in: 0...255, using: &rng)
                }
            }
            let link = UInt8.random(in: 0..<16, using: &rng) == 0
                ? Self.linkTypes[Int.random(in: 0..<Self.linkTypes.count, using: &rng)] : golden.link

            info.timestampNs = UInt64(iteration)
            let ok: Bool = bytes.withUnsafeBytes { raw in
                do throws(ParseError) {
                    try decoder.decode(raw, linkType: link, into: &info)
                    return true
                } catch {
                    return false
                }
            }
            if ok {
                decoded += 1
                let end = Int(info.payloadOffset) + Int(info.payloadLength)
                if end > bytes.count || info.timestampNs != UInt64(iteration)
                    || (!info.hasL4 && (info.srcPort != 0 || info.dstPort != 0 || info.tcpFlags != 0))
                    || (info.ipVersion == 0 && (info.hasL4 || info.tunnel != .none)) {
                    failures += 1
                    if failures <= 5 { Issue.record("iteration \(iteration): inconsistent info for \(bytes)") }
                }
            }
        }
        #expect(failures == 0)
        // The mutations must leave many frames decodable, or the fuzz explores nothing past the first header.
        #expect(decoded > Self.iterations / 4)
    }
}
