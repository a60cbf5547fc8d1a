import PacketCore

/// DHCPv6 (RFC 8415) over UDP 546/547: a known message type and options that tile the payload.
public enum DHCPv6Probe {
    /// Solicit (1) through Relay-Reply (13), RFC 8415 §7.3.
    static let maxMessageType: UInt8 = 13
    /// Relay messages carry hop count and two addresses before their options (RFC 8415 §9).
    static let relayHeaderLength = 34
    /// A bound on the option walk; real messages carry a dozen.
    static let maxOptions = 64
    /// Option codes in use are far below this (IANA registry).
    static let maxOptionCode: UInt16 = 256

    /// Ports are required: a type byte and a 24-bit transaction id say little on their own.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 17, context.hasPort(546) || context.hasPort(547),
              let start = optionsStart(payload) else { return .noMatch }
        return walkOptions(payload, from: start) != nil ? .match : .noMatch
    }

    /// Where the options start, or nil when the type is unknown or the header is cut.
    static func optionsStart(_ p: UnsafeRawBufferPointer) -> Int? {
        guard p.count >= 4 else { return nil }
        let type = p.byte(0)
        guard type >= 1, type <= maxMessageType else { return nil }
        let start = type >= 12 ? relayHeaderLength : 4
        return p.count >= start + 4 ? start : nil
    }

    /// The number of options when they exactly tile `from..<count` with sane codes, else nil.
    static func walkOptions(_ p: UnsafeRawBufferPointer, from: Int) -> Int? {
        var at = from, n = 0
        while at < p.count {
            guard n < maxOptions, at + 4 <= p.count else { return nil }
            let code = p.loadBE16(at), length = Int(p.loadBE16(at + 2))
            guard code != 0, code < maxOptionCode, at + 4 + length <= p.count else { return nil }
            at += 4 + length
            n += 1
        }
        return n > 0 ? n : nil
    }
}
