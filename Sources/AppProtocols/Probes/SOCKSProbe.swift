import PacketCore

/// SOCKS over TCP, client side: a v5 method greeting (RFC 1928 §3) or request (§4), or a v4/v4a
/// CONNECT/BIND request ending in NUL-terminated user id (and host name for 4a).
public enum SOCKSProbe {
    /// RFC 1928 defines methods 0–9 and leaves 0x80–0xFE private; real greetings list a few.
    static let maxMethods = 10
    /// User ids and host names are short.
    static let maxString = 255

    /// No port requirement (1080 is usual); the exact lengths decide.
    public static func probe(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        guard context.ipProto == 6 else { return .noMatch }
        let p = payload
        guard p.count >= 1 else { return .needMore }
        switch p.byte(0) {
        case 5: return v5(p)
        case 4: return v4(p)
        default: return .noMatch
        }
    }

    static func v5(_ p: UnsafeRawBufferPointer) -> ProbeVerdict {
        guard p.count >= 2 else { return .needMore }
        let n = Int(p.byte(1))
        if n >= 1, n <= maxMethods {
            // Greeting: VER NMETHODS METHODS…
            if p.count < 2 + n {
                for i in 2..<p.count where !isMethod(p.byte(i)) { return .noMatch }
                return .needMore
            }
            if p.count == 2 + n {
                for i in 2..<p.count where !isMethod(p.byte(i)) { return .noMatch }
                return .match
            }
        }
        // Request: VER CMD(1–3) RSV(0) ATYP(1,3,4) ADDR PORT.
        guard n >= 1, n <= 3 else { return .noMatch }
        guard p.count >= 4 else { return p.count == 3 && p.byte(2) != 0 ? .noMatch : .needMore }
        guard p.byte(2) == 0 else { return .noMatch }
        let length: Int
        switch p.byte(3) {
        case 1: length = 10
        case 4: length = 22
        case 3:
            guard p.count >= 5 else { return .needMore }
            let name = Int(p.byte(4))
            guard name >= 1 else { return .noMatch }
            length = 5 + name + 2
        default: return .noMatch
        }
        if p.count < length { return .needMore }
        return p.count == length ? .match : .noMatch
    }

    static func v4(_ p: UnsafeRawBufferPointer) -> ProbeVerdict {
        guard p.count >= 2 else { return .needMore }
        guard p.byte(1) == 1 || p.byte(1) == 2 else { return .noMatch }
        guard p.count >= 9 else { return .needMore }
        // VER CMD PORT(2) IP(4) USERID NUL [HOST NUL for 4a: IP 0.0.0.x, x ≠ 0]
        let socks4a = p.loadBE32(4) & 0xFFFF_FF00 == 0 && p.byte(7) != 0
        var at = 8
        for field in 0..<(socks4a ? 2 : 1) {
            let start = at
            while true {
                guard at < p.count else { return at - start <= maxString ? .needMore : .noMatch }
                let b = p.byte(at)
                if b == 0 { break }
                guard b >= 0x20, b < 0x7F, at - start < maxString else { return .noMatch }
                at += 1
            }
            if field == 1, at == start { return .noMatch }   // 4a needs a host name
            at += 1
        }
        return at == p.count ? .match : .noMatch
    }

    @inline(__always) static func isMethod(_ b: UInt8) -> Bool { b <= 9 || (b >= 0x80 && b <= 0xFE) }
}
