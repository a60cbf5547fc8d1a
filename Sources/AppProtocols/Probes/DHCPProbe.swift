import PacketCore

/// DHCP (RFC 2131) over UDP: a BOOTP header whose fields are sane, then the magic cookie.
public enum DHCPProbe {
    /// The fixed BOOTP header before the options (RFC 2131 §2: 236 bytes + 4-byte cookie).
    static let headerLength = 240
    /// RFC 2131 §3: the first four option bytes.
    static let magicCookie: UInt32 = 0x6382_5363
    /// Relay agents drop messages past 16 hops (RFC 1542 §4.1.1).
    static let maxHops: UInt8 = 16

    /// Ports 67/68 are not required: the cookie at offset 236 is decisive on its own.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 17, payload.count >= headerLength else { return .noMatch }
        let op = payload.byte(0), htype = payload.byte(1), hlen = payload.byte(2)
        guard op == 1 || op == 2, htype >= 1, htype <= 32, hlen >= 1, hlen <= 16,
              payload.byte(3) <= maxHops,
              payload.loadBE32(236) == magicCookie else { return .noMatch }
        return .match
    }
}
