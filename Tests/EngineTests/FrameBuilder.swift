import Foundation
import Export
import PacketCore

/// Minimal Ethernet/IPv4/UDP/TCP frames for engine tests (checksums are not needed by the decoder).
enum FrameBuilder {
    static func ipv4UDP(src: UInt32, dst: UInt32, sport: UInt16, dport: UInt16, payload: Int) -> [UInt8] {
        var f = ethernet(type: 0x0800)
        f += ipv4Header(src: src, dst: dst, proto: 17, payload: 8 + payload)
        f += be16(sport) + be16(dport) + be16(UInt16(8 + payload)) + [0, 0]
        f += [UInt8](repeating: 0xAB, count: payload)
        return f
    }

    static func ipv4TCP(src: UInt32, dst: UInt32, sport: UInt16, dport: UInt16, flags: UInt8, payload: Int) -> [UInt8] {
        var f = ethernet(type: 0x0800)
        f += ipv4Header(src: src, dst: dst, proto: 6, payload: 20 + payload)
        f += be16(sport) + be16(dport) + [0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0]
        f += [UInt8](repeating: 0x42, count: payload)
        return f
    }

    static func arp() -> [UInt8] { ethernet(type: 0x0806) + [UInt8](repeating: 0, count: 28) }

    static func ethernet(type: UInt16) -> [UInt8] {
        [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2] + be16(type)
    }

    static func ipv4Header(src: UInt32, dst: UInt32, proto: UInt8, payload: Int) -> [UInt8] {
        [0x45, 0] + be16(UInt16(20 + payload)) + [0, 1, 0x40, 0, 64, proto, 0, 0] + be32(src) + be32(dst)
    }

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
}

/// A unique temporary directory, removed when the value is released.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "tapline-engine-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}
