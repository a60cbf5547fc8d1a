public import Foundation

/// The JSON manifest: exactly what a synth run wrote, flow by flow, in order of first packet.
/// `ManifestWriter` streams it (one flow a line); this type reads it back.
public struct SynthManifest: Codable, Sendable, Equatable {
    public struct Flow: Codable, Sendable, Equatable {
        public var proto: Int
        public var src: String
        public var sport: Int
        public var dst: String
        public var dport: Int
        public var vlan: Int
        public var tunnel: String
        public var a_pkts: Int
        public var a_bytes: Int
        public var b_pkts: Int
        public var b_bytes: Int
        public var ip_bytes: Int
        public var fragments: Int
        public var end: String
        public var app: String
        public var meta: SynthFlowMeta
        public var start_ns: UInt64
        public var end_ns: UInt64
    }

    public var generator: String
    public var profile: String
    public var seed: UInt64
    public var format: String
    public var packets: Int
    public var bytes: Int
    public var flows: [Flow]

    public static func decode(_ data: Data) throws -> SynthManifest {
        try JSONDecoder().decode(SynthManifest.self, from: data)
    }
}
