/// SSH identification strings and binary packets (RFC 4253 §4.2, §6, §7.1).
enum SSHMessage {
    static let clientBanners = ["SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5", "SSH-2.0-OpenSSH_9.6",
                                "SSH-2.0-PuTTY_Release_0.80", "SSH-2.0-libssh2_1.11.0", "SSH-2.0-paramiko_3.4.0"]
    static let serverBanners = ["SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10", "SSH-2.0-OpenSSH_9.6",
                                "SSH-2.0-dropbear_2022.83", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"]

    /// A binary packet: length, padding length, payload, padding to a multiple of 8 (at least 4).
    static func packet(_ payload: [UInt8], random: inout SynthRandom) -> [UInt8] {
        var padding = 8 - ((payload.count + 5) % 8)
        if padding < 4 { padding += 8 }
        var out: [UInt8] = []
        out.u32(UInt32(1 + payload.count + padding))
        out.u8(UInt8(padding))
        out.append(contentsOf: payload)
        out.append(contentsOf: random.bytes(padding))
        return out
    }

    /// SSH_MSG_KEXINIT (20) with a random cookie and typical name-lists.
    static func kexinit(random: inout SynthRandom, server: Bool) -> [UInt8] {
        var p: [UInt8] = [20]
        p.append(contentsOf: random.bytes(16))
        let kex = server ? "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group16-sha512,kex-strict-s-v00@openssh.com"
                         : "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ext-info-c,kex-strict-c-v00@openssh.com"
        let hostKey = "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256"
        let cipher = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com"
        let mac = "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com"
        let compression = "none,zlib@openssh.com"
        for list in [kex, hostKey, cipher, cipher, mac, mac, compression, compression, "", ""] {
            p.lengthPrefixed(4, Array(list.utf8))
        }
        p.u8(0); p.u32(0)
        return packet(p, random: &random)
    }

    /// SSH_MSG_KEX_ECDH_INIT (30) / REPLY (31) shapes with random key material.
    static func ecdh(random: inout SynthRandom, server: Bool) -> [UInt8] {
        var p: [UInt8] = [server ? 31 : 30]
        if server {
            var hostKey: [UInt8] = []
            hostKey.lengthPrefixed(4, Array("ssh-ed25519".utf8)); hostKey.lengthPrefixed(4, random.bytes(32))
            p.lengthPrefixed(4, hostKey)
            p.lengthPrefixed(4, random.bytes(32))
            var signature: [UInt8] = []
            signature.lengthPrefixed(4, Array("ssh-ed25519".utf8)); signature.lengthPrefixed(4, random.bytes(64))
            p.lengthPrefixed(4, signature)
        } else {
            p.lengthPrefixed(4, random.bytes(32))
        }
        return packet(p, random: &random)
    }

    /// SSH_MSG_NEWKEYS (21).
    static func newKeys(random: inout SynthRandom) -> [UInt8] { packet([21], random: &random) }
}
