/// TLS ClientHello and ServerHello handshake messages (RFC 8446, RFC 5246), with the extensions
/// that browsers send, GREASE (RFC 8701) sometimes.
enum TLSHello {
    static let greaseValues: [UInt16] = [0x0A0A, 0x1A1A, 0x2A2A, 0x3A3A, 0x4A4A, 0x5A5A, 0x6A6A, 0x7A7A,
                                         0x8A8A, 0x9A9A, 0xAAAA, 0xBABA, 0xCACA, 0xDADA, 0xEAEA, 0xFAFA]

    private static func ext(_ out: inout [UInt8], _ type: UInt16, _ body: [UInt8]) {
        out.u16(type); out.lengthPrefixed(2, body)
    }

    /// The ClientHello handshake message (type 1, 3-byte length), without a record header.
    /// `quic` adds transport parameters and drops the legacy session ID, as RFC 9001 requires.
    static func clientHello(random: inout SynthRandom, sni: String, alpn: [String], tls13: Bool, grease: Bool,
                            quic: Bool = false, quicSourceCID: [UInt8] = []) -> [UInt8] {
        let g1 = grease ? random.pick(greaseValues) : 0
        let g2 = grease ? random.pick(greaseValues) : 0
        var body: [UInt8] = []
        body.u16(0x0303)
        body.append(contentsOf: random.bytes(32))
        body.lengthPrefixed(1, (tls13 && !quic) ? random.bytes(32) : [])
        var suites: [UInt8] = []
        if grease { suites.u16(g1) }
        if tls13 { for s: UInt16 in [0x1301, 0x1302, 0x1303] { suites.u16(s) } }
        if !quic {
            for s: UInt16 in [0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035] {
                suites.u16(s)
            }
        }
        body.lengthPrefixed(2, suites)
        body.u8(1); body.u8(0)  // compression: null

        var exts: [UInt8] = []
        if grease { ext(&exts, g2, []) }
        var sniBody: [UInt8] = []
        var entry: [UInt8] = [0]
        entry.lengthPrefixed(2, Array(sni.utf8))
        sniBody.lengthPrefixed(2, entry)
        ext(&exts, 0, sniBody)
        if !quic {
            ext(&exts, 23, [])                 // extended_master_secret
            ext(&exts, 0xFF01, [0])            // renegotiation_info
        }
        var groups: [UInt8] = []
        if grease { groups.u16(g1) }
        for grp: UInt16 in [0x001D, 0x0017, 0x0018] { groups.u16(grp) }
        var groupList: [UInt8] = []
        groupList.lengthPrefixed(2, groups)
        ext(&exts, 10, groupList)              // supported_groups
        if !quic {
            ext(&exts, 11, [1, 0])             // ec_point_formats
            ext(&exts, 35, [])                 // session_ticket
        }
        var protocols: [UInt8] = []
        for p in alpn { protocols.lengthPrefixed(1, Array(p.utf8)) }
        var alpnBody: [UInt8] = []
        alpnBody.lengthPrefixed(2, protocols)
        ext(&exts, 16, alpnBody)               // ALPN
        ext(&exts, 5, [1, 0, 0, 0, 0])         // status_request
        var sigs: [UInt8] = []
        for s: UInt16 in [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601] { sigs.u16(s) }
        var sigBody: [UInt8] = []
        sigBody.lengthPrefixed(2, sigs)
        ext(&exts, 13, sigBody)                // signature_algorithms
        if tls13 {
            var shares: [UInt8] = []
            if grease { shares.u16(g1); shares.lengthPrefixed(2, [0]) }
            shares.u16(0x001D); shares.lengthPrefixed(2, random.bytes(32))
            var ksBody: [UInt8] = []
            ksBody.lengthPrefixed(2, shares)
            ext(&exts, 51, ksBody)             // key_share
            ext(&exts, 45, [1, 1])             // psk_key_exchange_modes: psk_dhe_ke
            var versions: [UInt8] = []
            if grease { versions.u16(random.pick(greaseValues)) }
            versions.u16(0x0304)
            if !quic { versions.u16(0x0303) }
            var svBody: [UInt8] = []
            svBody.lengthPrefixed(1, versions)
            ext(&exts, 43, svBody)             // supported_versions
        }
        if quic {
            var params: [UInt8] = []
            func param(_ id: Int, _ value: Int) {
                var v: [UInt8] = []
                v.quicVarint(value)
                params.quicVarint(id); params.quicVarint(v.count); params.append(contentsOf: v)
            }
            param(0x01, 30_000)      // max_idle_timeout
            param(0x04, 15_728_640)  // initial_max_data (varint 4 bytes)
            param(0x05, 6_291_456)
            param(0x06, 6_291_456)
            param(0x07, 6_291_456)
            param(0x08, 100)
            param(0x09, 103)
            params.quicVarint(0x0F); params.quicVarint(quicSourceCID.count); params.append(contentsOf: quicSourceCID)
            ext(&exts, 0x39, params)           // quic_transport_parameters
        }
        if grease { ext(&exts, random.pick(greaseValues), [0]) }
        body.lengthPrefixed(2, exts)

        var message: [UInt8] = [1]
        message.lengthPrefixed(3, body)
        return message
    }

    /// The ServerHello handshake message choosing `suite` and, for 1.3, x25519 and version 0x0304.
    static func serverHello(random: inout SynthRandom, tls13: Bool, sessionID: [UInt8], suite: UInt16,
                            alpn: String?) -> [UInt8] {
        var body: [UInt8] = []
        body.u16(0x0303)
        body.append(contentsOf: random.bytes(32))
        body.lengthPrefixed(1, sessionID)
        body.u16(suite)
        body.u8(0)
        var exts: [UInt8] = []
        if tls13 {
            var share: [UInt8] = []
            share.u16(0x001D); share.lengthPrefixed(2, random.bytes(32))
            ext(&exts, 51, share)
            ext(&exts, 43, [0x03, 0x04])
        } else {
            ext(&exts, 0xFF01, [0])
            ext(&exts, 11, [1, 0])
            ext(&exts, 23, [])
            if let alpn {
                var protocols: [UInt8] = []
                protocols.lengthPrefixed(1, Array(alpn.utf8))
                var alpnBody: [UInt8] = []
                alpnBody.lengthPrefixed(2, protocols)
                ext(&exts, 16, alpnBody)
            }
        }
        body.lengthPrefixed(2, exts)
        var message: [UInt8] = [2]
        message.lengthPrefixed(3, body)
        return message
    }

    /// Wraps handshake bytes (or other content) in one TLS record.
    static func record(_ contentType: UInt8, version: UInt16 = 0x0303, _ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [contentType]
        out.u16(version)
        out.lengthPrefixed(2, body)
        return out
    }

    /// A handshake message of `type` with an opaque body (certificates, key exchange).
    static func opaqueHandshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [type]
        out.lengthPrefixed(3, body)
        return out
    }

    /// The legacy session ID inside a ClientHello message, for the server to echo.
    static func sessionID(ofClientHello hello: [UInt8]) -> [UInt8] {
        let length = Int(hello[38])
        return Array(hello[39..<39 + length])
    }
}
