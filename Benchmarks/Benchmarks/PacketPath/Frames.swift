import AppProtocols
import Crypto

/// Frames and L7 messages the benchmarks run on, built here byte by byte (never read from files).
enum Frames {
    // MARK: Byte helpers

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be24(_ v: Int) -> [UInt8] { [UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { be16(UInt16(v >> 16)) + be16(UInt16(v & 0xFFFF)) }
    static func prefixed16(_ b: [UInt8]) -> [UInt8] { be16(UInt16(b.count)) + b }
    static func prefixed8(_ b: [UInt8]) -> [UInt8] { [UInt8(b.count)] + b }

    static let clientMAC: [UInt8] = [0x02, 0x00, 0x0a, 0x01, 0x00, 0x01]
    static let routerMAC: [UInt8] = [0x02, 0x00, 0x5e, 0x00, 0x00, 0x01]

    // MARK: L2–L4

    static func ethernet(_ type: UInt16, vlan: UInt16? = nil) -> [UInt8] {
        var h = routerMAC + clientMAC
        if let vlan { h += be16(0x8100) + be16(vlan) }
        return h + be16(type)
    }

    static func ipv4(proto: UInt8, src: [UInt8], dst: [UInt8], payload: Int) -> [UInt8] {
        var h: [UInt8] = [0x45, 0] + be16(UInt16(20 + payload)) + be16(0x1c46) + [0x40, 0, 64, proto, 0, 0] + src + dst
        var sum: UInt32 = 0
        for i in stride(from: 0, to: 20, by: 2) { sum += UInt32(h[i]) << 8 | UInt32(h[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let checksum = be16(~UInt16(sum))
        h[10] = checksum[0]; h[11] = checksum[1]
        return h
    }

    static func ipv6(next: UInt8, src: [UInt8], dst: [UInt8], payload: Int) -> [UInt8] {
        [0x60, 0x01, 0x23, 0x45] + be16(UInt16(payload)) + [next, 64] + src + dst
    }

    static func tcp(sport: UInt16, dport: UInt16, flags: UInt8) -> [UInt8] {
        be16(sport) + be16(dport) + be32(0x1000_0000) + be32(0x2000_0000) + [0x50, flags] + be16(64_240) + [0, 0, 0, 0]
    }

    static func udp(sport: UInt16, dport: UInt16, payload: Int) -> [UInt8] {
        be16(sport) + be16(dport) + be16(UInt16(8 + payload)) + [0, 0]
    }

    static let client4: [UInt8] = [10, 1, 0, 1], server4: [UInt8] = [192, 0, 2, 10]
    static let client6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x10, 0x01]
    static let server6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53]

    /// Ethernet / IPv4 / TCP ACK+PSH with 100 bytes of payload.
    static func tcpIPv4(vlan: UInt16? = nil) -> [UInt8] {
        let payload = [UInt8](repeating: 0x61, count: 100)
        return ethernet(0x0800, vlan: vlan) + ipv4(proto: 6, src: client4, dst: server4, payload: 20 + payload.count)
            + tcp(sport: 51_000, dport: 443, flags: 0x18) + payload
    }

    /// Ethernet / IPv6 / UDP carrying a DNS query.
    static func udpIPv6() -> [UInt8] {
        let payload = dnsQuery()
        return ethernet(0x86DD) + ipv6(next: 17, src: client6, dst: server6, payload: 8 + payload.count)
            + udp(sport: 53_000, dport: 53, payload: payload.count) + payload
    }

    /// VXLAN (RFC 7348) over IPv4/UDP 4789 carrying an Ethernet / IPv4 / TCP frame.
    static func vxlan() -> [UInt8] {
        let inner = tcpIPv4()
        let vxlanHeader: [UInt8] = [0x08, 0, 0, 0, 0x00, 0x03, 0xE8, 0]  // I flag, VNI 1000
        let udpPayload = vxlanHeader.count + inner.count
        return ethernet(0x0800) + ipv4(proto: 17, src: [10, 254, 0, 1], dst: [10, 254, 0, 2], payload: 8 + udpPayload)
            + udp(sport: 50_123, dport: 4789, payload: udpPayload) + vxlanHeader + inner
    }

    // MARK: L7 messages

    static func dnsName(_ name: String) -> [UInt8] {
        var out: [UInt8] = []
        for label in name.split(separator: ".") { out += prefixed8(Array(label.utf8)) }
        return out + [0]
    }

    /// A recursive query for an A record with an EDNS(0) OPT record.
    static func dnsQuery() -> [UInt8] {
        [0x12, 0x34, 0x01, 0x00] + be16(1) + be16(0) + be16(0) + be16(1) + dnsName("www.shop12.example.com")
            + be16(1) + be16(1) + [0] + be16(41) + be16(1232) + [0, 0, 0, 0] + be16(0)
    }

    /// A response: the question, a CNAME and two A records (compressed names), and EDNS(0).
    static func dnsResponse() -> [UInt8] {
        var m: [UInt8] = [0x12, 0x34, 0x81, 0x80] + be16(1) + be16(3) + be16(0) + be16(1)
        m += dnsName("www.shop12.example.com") + be16(1) + be16(1)
        m += [0xC0, 12] + be16(5) + be16(1) + be32(300) + prefixed16(dnsName("edge3.cdn.example.net"))
        let target = UInt8(12 + 24 + 4 + 12)  // offset of the CNAME's target name
        for last: UInt8 in [10, 11] { m += [0xC0, target] + be16(1) + be16(1) + be32(60) + be16(4) + [198, 51, 100, last] }
        return m + [0] + be16(41) + be16(1232) + [0, 0, 0, 0] + be16(0)
    }

    static func httpRequest() -> [UInt8] {
        Array(("GET /static/app.js?v=42 HTTP/1.1\r\nHost: www.shop12.example.com\r\n"
               + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
               + "Accept: */*\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n"
               + "Connection: keep-alive\r\nReferer: https://www.shop12.example.com/\r\n\r\n").utf8)
    }

    static func sshBanner() -> [UInt8] { Array("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n".utf8) }

    static func extensionBlock(_ type: UInt16, _ body: [UInt8]) -> [UInt8] { be16(type) + prefixed16(body) }

    /// A browser-like ClientHello handshake message (type, length, body): GREASE, SNI, ALPN,
    /// supported_versions, key_share; for QUIC also quic_transport_parameters.
    static func clientHello(sni: String, alpn: [String], quic: Bool) -> [UInt8] {
        var body: [UInt8] = be16(0x0303) + [UInt8](repeating: 0x5A, count: 32)
        body += quic ? [0] : prefixed8([UInt8](repeating: 0xA5, count: 32))
        let suites: [UInt16] = [0x2A2A, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8,
                                0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035]
        body += prefixed16(suites.flatMap(be16)) + [1, 0]
        var ext = extensionBlock(0x3A3A, [])
        let host = Array(sni.utf8)
        ext += extensionBlock(0x0000, prefixed16([0] + prefixed16(host)))
        ext += extensionBlock(0x0017, [])
        ext += extensionBlock(0xFF01, [0])
        ext += extensionBlock(0x000A, prefixed16([0x4A4A, 0x001D, 0x0017, 0x0018].flatMap(be16)))
        ext += extensionBlock(0x000B, prefixed8([0]))
        ext += extensionBlock(0x0023, [])
        ext += extensionBlock(0x0010, prefixed16(alpn.flatMap { prefixed8(Array($0.utf8)) }))
        ext += extensionBlock(0x0005, [1, 0, 0, 0, 0])
        ext += extensionBlock(0x000D, prefixed16([0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601].flatMap(be16)))
        ext += extensionBlock(0x0012, [])
        ext += extensionBlock(0x0033, prefixed16(be16(0x001D) + prefixed16([UInt8](repeating: 0x33, count: 32))))
        ext += extensionBlock(0x002D, prefixed8([1]))
        ext += extensionBlock(0x002B, prefixed8([0x5A5A, 0x0304, 0x0303].flatMap(be16)))
        ext += extensionBlock(0x001B, prefixed8(be16(2)))
        if quic { ext += extensionBlock(0x0039, [0x01, 0x04, 0x80, 0x00, 0x75, 0x30, 0x0F, 0x08] + [UInt8](repeating: 7, count: 8)) }
        ext += extensionBlock(0x1A1A, [0])
        body += prefixed16(ext)
        return [1] + be24(body.count) + body
    }

    /// The ClientHello in a TLS record, as it starts a TLS connection's first client segment.
    static func tlsClientHelloRecord() -> [UInt8] {
        let hello = clientHello(sni: "www.shop12.example.com", alpn: ["h2", "http/1.1"], quic: false)
        return [0x16, 0x03, 0x01] + prefixed16(hello)
    }

    static func quicVarint2(_ v: Int) -> [UInt8] { be16(UInt16(0x4000 | v)) }

    /// A QUIC v1 client Initial (RFC 9000 §17.2.2) carrying the ClientHello in a CRYPTO frame,
    /// padded to 1200 bytes and protected as RFC 9001 §5 says (AES-128-GCM, AES header protection).
    static func quicInitial() throws -> [UInt8] {
        let dcid: [UInt8] = [0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08]
        let scid: [UInt8] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]
        let keys = QUICInitialKeys(dcid: dcid)
        let hello = clientHello(sni: "video.stream7.example.net", alpn: ["h3"], quic: true)
        var frames: [UInt8] = [0x06, 0x00] + quicVarint2(hello.count) + hello
        var header: [UInt8] = [0xC3] + be32(1) + prefixed8(dcid) + prefixed8(scid) + [0]
        let fixed = header.count + 2 + 4 + 16
        if fixed + frames.count < 1200 { frames += [UInt8](repeating: 0, count: 1200 - fixed - frames.count) }
        header += quicVarint2(4 + frames.count + 16)
        let pnOffset = header.count
        let packetNumber: UInt32 = 0
        header += be32(packetNumber)
        let sealed = try AES.GCM.seal(frames, using: SymmetricKey(data: keys.key),
                                      nonce: AES.GCM.Nonce(data: keys.nonce(packetNumber: UInt64(packetNumber))),
                                      authenticating: header)
        var packet = header + Array(sealed.ciphertext) + Array(sealed.tag)
        let mask = try keys.mask(sample: Array(packet[pnOffset + 4..<pnOffset + 20]))
        packet[0] ^= mask[0] & 0x0F
        for i in 0..<4 { packet[pnOffset + i] ^= mask[1 + i] }
        return packet
    }
}

/// Bytes kept in one allocation for the whole benchmark process (never freed): the per-packet
/// loops read them through a raw buffer, as the engine reads UMEM frames.
struct FrameBuffer {
    let bytes: UnsafeRawBufferPointer

    init(_ array: [UInt8]) {
        let m = UnsafeMutableRawBufferPointer.allocate(byteCount: array.count, alignment: 64)
        m.copyBytes(from: array)
        bytes = UnsafeRawBufferPointer(m)
    }
}
