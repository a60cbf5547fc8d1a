/// QUIC Initial packet protection keys (RFC 9001 §5.2 for version 1, RFC 9369 §3.3 for version 2),
/// derived from the client's destination connection ID, as byte arrays: for `tapline synth` and
/// tests. The dissector derives the same keys into fixed storage (`QUICInitialSecrets`).
public struct QUICInitialKeys: Sendable, Equatable {
    /// RFC 9000 §15: QUIC version numbers.
    public static let version1: UInt32 = 0x0000_0001
    public static let version2: UInt32 = 0x6b33_43cf
    /// RFC 9001 §5.2, the QUIC version 1 initial salt.
    public static let initialSalt: [UInt8] = [0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                               0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a]
    /// RFC 9369 §3.3.1, the QUIC version 2 initial salt.
    public static let initialSaltV2: [UInt8] = [0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                                 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9]
    /// Initial salts of the drafts still seen in captures (draft-ietf-quic-tls-23 §5.2 for
    /// drafts 23–28, -29 §5.2 for drafts 29–32; drafts 33–34 use version 1's).
    public static let initialSaltDraft23: [UInt8] = [0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
                                                      0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02]
    public static let initialSaltDraft29: [UInt8] = [0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                                                      0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99]

    /// The IETF draft a version follows, for choosing its salt (0 when none): drafts
    /// 0xff0000xx; Google's T050/T051/Q050 follow draft 27 and Facebook's mvfst drafts 22/27;
    /// versions 0x?a?a?a?a (forcing version negotiation, RFC 9000 §15) are read as draft 29, as
    /// Wireshark does, since clients send them with their current keys.
    public static func draft(of version: UInt32) -> Int {
        if version >> 8 == 0xff0000 { return Int(version & 0xFF) }
        if version == 0xfaceb001 { return 22 }
        if version == 0xfaceb002 || version == 0xfaceb00e { return 27 }
        if version == 0x5130_3530 || version == 0x5430_3530 || version == 0x5430_3531 { return 27 }
        if version & 0x0F0F_0F0F == 0x0A0A_0A0A { return 29 }
        return 0
    }

    /// Which salt `version` uses (an index into `salts`), or nil when its Initial keys are unknown.
    static func saltIndex(for version: UInt32) -> Int? {
        if version == version1 { return 0 }
        if version == version2 { return 1 }
        switch draft(of: version) {
        case 23...28: return 2
        case 29...32: return 3
        case 33, 34: return 0
        default: return nil
        }
    }

    /// The Initial salt for `version`, or nil when its Initial keys are unknown.
    public static func salt(for version: UInt32) -> [UInt8]? {
        switch saltIndex(for: version) {
        case 0: initialSalt
        case 1: initialSaltV2
        case 2: initialSaltDraft23
        case 3: initialSaltDraft29
        default: nil
        }
    }

    /// True for the versions whose Initial keys are known here.
    public static func isSupported(_ version: UInt32) -> Bool { saltIndex(for: version) != nil }

    public var key: [UInt8]
    public var iv: [UInt8]
    public var headerProtection: [UInt8]

    /// The client's (`client in`) or server's (`server in`) Initial keys for `dcid`.
    public init(dcid: [UInt8], isClient: Bool = true, version: UInt32 = QUICInitialKeys.version1) {
        var s = dcid.withUnsafeBytes { QUICInitialSecrets(dcid: $0, isClient: isClient, version: version) }
        key = withUnsafeBytes(of: &s.key) { Array($0) }
        iv = withUnsafeBytes(of: &s.iv) { Array($0) }
        headerProtection = withUnsafeBytes(of: &s.hp) { Array($0) }
    }

    /// The 5-byte header protection mask: AES-ECB of the 16-byte sample (RFC 9001 §5.4.3).
    public func mask(sample: [UInt8]) -> [UInt8] {
        precondition(sample.count == QUICInitial.sampleLength, "the header protection sample is 16 bytes")
        var k = QUICAES128Key()
        headerProtection.withUnsafeBytes { k.expand($0) }
        var m = sample.withUnsafeBytes { k.encryptBlock($0.baseAddress!) }
        return withUnsafeBytes(of: &m) { Array($0.prefix(5)) }
    }

    /// The AEAD nonce: the IV XORed with the packet number (RFC 9001 §5.3).
    public func nonce(packetNumber: UInt64) -> [UInt8] {
        var n = iv
        for i in 0..<8 { n[11 - i] ^= UInt8(truncatingIfNeeded: packetNumber >> (8 * UInt64(i))) }
        return n
    }
}
