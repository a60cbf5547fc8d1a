import Testing
import AppProtocols

/// A probe as the classifier's table holds it.
typealias Probe = @Sendable (UnsafeRawBufferPointer, ProbeContext) -> ProbeVerdict

/// Bytes from hex text; spaces, newlines and `#` comments to the end of a line are ignored.
func hex(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var nibble: UInt8? = nil
    var comment = false
    for c in text.utf8 {
        if comment { if c == 0x0A { comment = false }; continue }
        if c == 0x23 { comment = true; continue }
        let v: UInt8
        switch c {
        case 0x30...0x39: v = c - 0x30
        case 0x61...0x66: v = c - 0x61 + 10
        case 0x41...0x46: v = c - 0x41 + 10
        default: continue
        }
        if let hi = nibble { out.append(hi << 4 | v); nibble = nil } else { nibble = v }
    }
    precondition(nibble == nil, "odd number of hex digits")
    return out
}

/// The UTF-8 bytes of `text`.
func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

/// `n` bytes of `value`.
func fill(_ n: Int, _ value: UInt8 = 0) -> [UInt8] { [UInt8](repeating: value, count: n) }

func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

func tcp(_ src: UInt16, _ dst: UInt16, initiator: Bool = true) -> ProbeContext {
    ProbeContext(ipProto: 6, srcPort: src, dstPort: dst, fromInitiator: initiator, packetIndex: 0)
}

func udp(_ src: UInt16, _ dst: UInt16, initiator: Bool = true) -> ProbeContext {
    ProbeContext(ipProto: 17, srcPort: src, dstPort: dst, fromInitiator: initiator, packetIndex: 0)
}

/// The probe's verdict on `bytes`.
func run(_ probe: Probe, _ bytes: [UInt8], _ context: ProbeContext) -> ProbeVerdict {
    bytes.withUnsafeBytes { probe($0, context) }
}

/// The golden payload matches; every cut of it is never a match when empty, and over TCP never a
/// `.noMatch` (a segmented handshake must not be misclassified) — cut points are tested on an
/// exact-size copy so reads past the cut would show under sanitizers.
func expectGolden(_ probe: Probe, _ bytes: [UInt8], _ context: ProbeContext,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run(probe, bytes, context) == .match, sourceLocation: sourceLocation)
    for cut in 0..<bytes.count {
        let prefix = Array(bytes[0..<cut])
        let v = run(probe, prefix, context)
        if cut == 0 { #expect(v != .match, "empty payload", sourceLocation: sourceLocation) }
        if context.ipProto == 6 {
            #expect(v != .noMatch, "TCP cut at \(cut)", sourceLocation: sourceLocation)
        }
    }
}

/// The near-miss payload does not match.
func expectMiss(_ probe: Probe, _ bytes: [UInt8], _ context: ProbeContext,
                sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run(probe, bytes, context) == .noMatch, sourceLocation: sourceLocation)
}

/// Every prefix of `bytes` parses or throws; none traps. Returns how many prefixes threw.
func truncations<T>(_ bytes: [UInt8], _ parse: (UnsafeRawBufferPointer) throws -> T) -> Int {
    var threw = 0
    for cut in 0..<bytes.count {
        let prefix = Array(bytes[0..<cut])
        do { _ = try prefix.withUnsafeBytes { try parse($0) } } catch { threw += 1 }
    }
    return threw
}

/// The bytes of `range` in `bytes` as text.
func text(_ bytes: [UInt8], _ range: Range<Int>?) -> String? {
    guard let range else { return nil }
    return String(decoding: bytes[range], as: UTF8.self)
}
