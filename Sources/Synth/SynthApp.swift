/// The application scripts a flow can run.
enum SynthApp: CaseIterable {
    case dnsUDP, dnsTCP, tls12, tls13, http, quic, ssh, icmp, udp, udpFragmented, smallUDP, smallTCP
    /// One-way UDP of minimal frames, paced at line rate.
    case flood
    /// UDP of IMIX-sized frames both ways, paced at line rate.
    case imix

    var proto: UInt8 {
        switch self {
        case .dnsTCP, .tls12, .tls13, .http, .ssh, .smallTCP: return 6
        case .icmp: return 1
        default: return 17
        }
    }

    var name: String {
        switch self {
        case .dnsUDP, .dnsTCP: return "dns"
        case .tls12, .tls13: return "tls"
        case .http: return "http"
        case .quic: return "quic"
        case .ssh: return "ssh"
        case .icmp: return "icmp"
        case .udp, .udpFragmented, .smallUDP, .smallTCP, .flood, .imix: return "unknown"
        }
    }
}

/// Host names under reserved domains (RFC 2606, RFC 6761) for DNS, SNI and Host headers.
enum SynthNames {
    static let prefixes = ["www", "api", "cdn", "mail", "static", "img", "login", "assets", "m", "edge", "video", "auth"]
    static let middles = ["shop", "news", "cloud", "maps", "photos", "docs", "stream", "games", "bank", "travel",
                          "music", "weather", "social", "store", "learn", "health", "files", "status"]
    static let suffixes = ["example.com", "example.net", "example.org", "example", "test"]

    static func host(_ random: inout SynthRandom) -> String {
        "\(random.pick(prefixes)).\(random.pick(middles))\(random.int(1...40)).\(random.pick(suffixes))"
    }
}
