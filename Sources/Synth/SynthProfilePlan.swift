/// The mix of applications, encapsulations and timing of one profile.
struct SynthProfilePlan {
    var weights: [(app: SynthApp, weight: Double)]
    var ipv6: Double
    var vlan: Double
    var qinq: Double
    var gre: Double
    var vxlan: Double
    /// Mean gap between flow starts, so several flows are active at once.
    var meanInterarrivalNs: Double
    var rttNs: (low: Double, high: Double)
    /// The application of the last flow when it must absorb a large remainder exactly.
    var lastApp: SynthApp
    /// An application that can produce any number of frames from 1 up.
    var fallback: SynthApp
    var minimal: Bool
    /// Line-rate profiles: the mean gap between frames of the whole file (flow starts are spaced to
    /// give it); nil for profiles paced by `meanInterarrivalNs`.
    var lineRateGapNs: Double? = nil

    /// Flows interleaved at once in a line-rate profile.
    static let concurrentFlows = 64
    /// 10 Gb/s: 0.8 ns a byte; each frame also costs 4 bytes of FCS, 8 of preamble and 12 of gap.
    static func lineRateGap(meanFrameBytes: Double) -> Double { (meanFrameBytes + 4 + 20) * 0.8 }
    /// IMIX frames (captured bytes, without the 4-byte FCS: 64/570/1518 on the wire) and weights 7:4:1.
    static let imixFrames: [(bytes: Int, weight: Int)] = [(60, 7), (566, 4), (1514, 1)]

    /// RFC 7230-style flow durations stay under this, far below a 120 s idle timeout.
    static let maximumFlowDurationNs: UInt64 = 55_000_000_000

    init(_ profile: SynthProfile) {
        switch profile {
        case .mix:
            weights = [(.dnsUDP, 0.30), (.dnsTCP, 0.03), (.tls12, 0.07), (.tls13, 0.17), (.http, 0.10),
                       (.quic, 0.10), (.ssh, 0.03), (.icmp, 0.08), (.udp, 0.06), (.udpFragmented, 0.03),
                       (.smallTCP, 0.03)]
            ipv6 = 0.3; vlan = 0.2; qinq = 0.02; gre = 0.02; vxlan = 0.02
            meanInterarrivalNs = 5_000_000
            rttNs = (500_000, 150_000_000)
            lastApp = .tls13; fallback = .dnsUDP; minimal = false
        case .small:
            weights = [(.smallUDP, 0.6), (.smallTCP, 0.4)]
            ipv6 = 0; vlan = 0; qinq = 0; gre = 0; vxlan = 0
            meanInterarrivalNs = 200_000
            rttNs = (100_000, 2_000_000)
            lastApp = .smallUDP; fallback = .smallUDP; minimal = true
        case .dns:
            weights = [(.dnsUDP, 0.88), (.dnsTCP, 0.12)]
            ipv6 = 0.3; vlan = 0.1; qinq = 0; gre = 0; vxlan = 0
            meanInterarrivalNs = 2_000_000
            rttNs = (1_000_000, 50_000_000)
            lastApp = .dnsUDP; fallback = .dnsUDP; minimal = false
        case .elephant:
            weights = [(.tls13, 0.4), (.http, 0.3), (.ssh, 0.15), (.quic, 0.15)]
            ipv6 = 0.25; vlan = 0; qinq = 0; gre = 0; vxlan = 0
            meanInterarrivalNs = 200_000_000
            rttNs = (5_000_000, 80_000_000)
            lastApp = .http; fallback = .dnsUDP; minimal = false
        case .flood64:
            weights = [(.flood, 1)]
            ipv6 = 0; vlan = 0; qinq = 0; gre = 0; vxlan = 0
            meanInterarrivalNs = 0  // from the line rate
            rttNs = (100_000, 1_000_000)
            lastApp = .flood; fallback = .flood; minimal = true
            lineRateGapNs = SynthProfilePlan.lineRateGap(meanFrameBytes: 60)
        case .imix:
            weights = [(.imix, 1)]
            ipv6 = 0; vlan = 0; qinq = 0; gre = 0; vxlan = 0
            meanInterarrivalNs = 0
            rttNs = (100_000, 1_000_000)
            lastApp = .imix; fallback = .imix; minimal = true
            let frames = SynthProfilePlan.imixFrames
            let mean = Double(frames.reduce(0) { $0 + $1.bytes * $1.weight }) / Double(frames.reduce(0) { $0 + $1.weight })
            lineRateGapNs = SynthProfilePlan.lineRateGap(meanFrameBytes: mean)
        case .short:
            weights = [(.smallUDP, 0.5), (.smallTCP, 0.5)]
            ipv6 = 0.2; vlan = 0; qinq = 0; gre = 0; vxlan = 0
            meanInterarrivalNs = 2_000
            rttNs = (50_000, 1_000_000)
            lastApp = .smallTCP; fallback = .smallUDP; minimal = true
        case .tls:
            weights = [(.tls13, 0.45), (.tls12, 0.15), (.quic, 0.40)]
            ipv6 = 0.3; vlan = 0.1; qinq = 0; gre = 0; vxlan = 0
            meanInterarrivalNs = 1_000_000
            rttNs = (1_000_000, 150_000_000)
            lastApp = .tls13; fallback = .dnsUDP; minimal = false
        }
    }

    func pickApp(_ r: inout SynthRandom) -> SynthApp {
        var u = r.unit() * weights.reduce(0) { $0 + $1.weight }
        for (app, weight) in weights {
            if u < weight { return app }
            u -= weight
        }
        return weights[weights.count - 1].app
    }
}
