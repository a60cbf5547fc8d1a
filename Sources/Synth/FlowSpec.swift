/// The tunnel a flow's packets travel in, with the outer endpoints.
enum SynthTunnel {
    case none
    case gre(outerClient: [UInt8], outerServer: [UInt8])
    case vxlan(outerClient: [UInt8], outerServer: [UInt8], vni: UInt32, sourcePort: UInt16)

    var name: String {
        switch self {
        case .none: return "none"
        case .gre: return "gre"
        case .vxlan: return "vxlan"
        }
    }
}

/// The unchanging description of one flow: addresses, ports, encapsulation, application.
struct FlowSpec {
    var proto: UInt8          // 6, 17, 1, 58
    var client: [UInt8]       // 4 or 16 bytes
    var server: [UInt8]
    var clientPort: UInt16
    var serverPort: UInt16
    var clientMAC: [UInt8]
    var serverMAC: [UInt8]
    /// 802.1Q/802.1ad tags, outermost first: (TPID, VLAN id).
    var vlanTags: [(tpid: UInt16, vid: UInt16)] = []
    var tunnel: SynthTunnel = .none
    var clientTTL: UInt8 = 64
    var serverTTL: UInt8 = 56
    var flowLabel: UInt32 = 0
    /// Small-frame floods use no optional bytes anywhere.
    var minimal = false
    var app: String = "unknown"
    var end: String = "none"
    var meta = SynthFlowMeta()

    var isIPv6: Bool { client.count == 16 }

    /// TCP maximum segment size that keeps every frame's IP packet at 1500 bytes.
    var mss: Int {
        var m = isIPv6 ? 1440 : 1460
        switch tunnel {
        case .none: break
        case .gre: m -= 24
        case .vxlan: m -= 50
        }
        return m
    }
}

/// A flow while it is being written: its script, a cursor, counters for the manifest.
final class SynthFlow {
    let serial: Int
    let spec: FlowSpec
    let startNs: UInt64
    var events: [PacketEvent]
    var cursor = 0
    var random: SynthRandom
    var ipID: (client: UInt16, server: UInt16)
    var aPackets = 0, aBytes = 0, bPackets = 0, bBytes = 0, ipBytes = 0, fragments = 0
    var firstNs: UInt64 = 0, lastNs: UInt64 = 0
    var plannedFrames = 0

    init(serial: Int, spec: FlowSpec, startNs: UInt64, events: [PacketEvent], random: SynthRandom) {
        self.serial = serial
        self.spec = spec
        self.startNs = startNs
        self.events = events
        self.random = random
        self.ipID = (UInt16(truncatingIfNeeded: self.random.next()), UInt16(truncatingIfNeeded: self.random.next()))
    }

    var nextTime: UInt64 { startNs &+ events[cursor].time }
    var done: Bool { cursor >= events.count }
}
