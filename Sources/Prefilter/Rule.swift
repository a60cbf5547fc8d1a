public import PacketCore
import CPrefilter

/// What the prefilter does with a frame.
public enum RuleAction: Equatable, Sendable, CustomStringConvertible {
    /// XDP_DROP.
    case drop
    /// XDP_PASS: to the kernel's network stack.
    case pass
    /// XDP_REDIRECT into the AF_XDP socket of the frame's RX queue.
    case capture
    /// Capture 1 flow in N (chosen by the symmetric flow hash), drop the others.
    case sample(UInt32)

    public var description: String {
        switch self {
        case .drop: "drop"
        case .pass: "pass"
        case .capture: "capture"
        case .sample(let n): "sample \(n)"
        }
    }
}

/// An address prefix: `address/length`, host bits zero.
public struct CIDR: Equatable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var length: Int

    public init(address: IPAddress, length: Int) {
        self.address = address
        self.length = length
    }

    public var isIPv6: Bool { address.isIPv6 }
    /// 32 or 128.
    public var maxLength: Int { address.isIPv6 ? 128 : 32 }

    /// The address with every bit past `bits` cleared.
    static func masked(_ a: IPAddress, to bits: Int) -> IPAddress {
        if a.isIPv6 {
            let hiMask: UInt64 = bits >= 64 ? ~0 : (bits == 0 ? 0 : ~0 << UInt64(64 - bits))
            let loMask: UInt64 = bits <= 64 ? 0 : (bits >= 128 ? ~0 : ~0 << UInt64(128 - bits))
            return IPAddress(high: a.high & hiMask, low: a.low & loMask, isIPv6: true)
        }
        let m: UInt64 = bits == 0 ? 0 : (0xFFFF_FFFF << UInt64(32 - bits)) & 0xFFFF_FFFF
        return IPAddress(high: 0, low: a.low & m, isIPv6: false)
    }

    /// Whether every address of `other` is inside this prefix.
    public func contains(_ other: CIDR) -> Bool {
        other.isIPv6 == isIPv6 && other.length >= length
            && CIDR.masked(other.address, to: length) == address
    }

    /// The address in network byte order, 16 bytes (IPv4 in the first 4).
    var networkBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        if address.isIPv6 {
            for i in 0..<8 {
                out[i] = UInt8(truncatingIfNeeded: address.high >> UInt64(56 - 8 * i))
                out[8 + i] = UInt8(truncatingIfNeeded: address.low >> UInt64(56 - 8 * i))
            }
        } else {
            for i in 0..<4 { out[i] = UInt8(truncatingIfNeeded: address.low >> UInt64(24 - 8 * i)) }
        }
        return out
    }

    public var description: String {
        var text: [UInt8] = []
        address.appendText(to: &text)
        return String(decoding: text, as: UTF8.self) + "/\(length)"
    }
}

/// An inclusive port range; a single port has `lower == upper`.
public struct PortRange: Equatable, Sendable {
    public var lower: UInt16
    public var upper: UInt16
    public init(_ lower: UInt16, _ upper: UInt16) {
        self.lower = lower
        self.upper = upper
    }
}

/// One rule: an action and the fields it matches (nil = any).
public struct Rule: Equatable, Sendable {
    public var action: RuleAction
    public var source: CIDR?
    public var destination: CIDR?
    public var proto: UInt8?
    public var sourcePort: PortRange?
    public var destinationPort: PortRange?
    public var vlan: UInt16?
    /// Where the rule was written (1-based line; 0 when built in code).
    public var line: Int

    public init(action: RuleAction, source: CIDR? = nil, destination: CIDR? = nil, proto: UInt8? = nil,
                sourcePort: PortRange? = nil, destinationPort: PortRange? = nil, vlan: UInt16? = nil,
                line: Int = 0) {
        self.action = action
        self.source = source
        self.destination = destination
        self.proto = proto
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.vlan = vlan
        self.line = line
    }
}

/// Ordered rules (the first that matches decides) and the action when none does.
public struct RuleSet: Equatable, Sendable {
    /// The program's capacity: four 64-bit words of candidate bitmask.
    public static let maxRules = Int(TL_MAX_RULES)

    public var rules: [Rule]
    public var defaultAction: RuleAction

    public init(rules: [Rule] = [], defaultAction: RuleAction = .pass) {
        self.rules = rules
        self.defaultAction = defaultAction
    }
}
