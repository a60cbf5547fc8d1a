/// Runs payload probes over a flow's first payloads, and falls back to well-known ports.
///
/// Dispatch is a closed `switch` over `AppProtocol` (no existentials, nothing registered at run
/// time). **Adding a probe** `Probes/XProbe.swift` (`XProbe.probe(_:_:) -> ProbeVerdict`) takes
/// one line in `probe(_:_:_:)` — `case .x: XProbe.probe(payload, context)` — and its protocol's
/// place in `tcpOrder` and/or `udpOrder` (most specific first); a metadata parser takes one
/// `case` in `ProbeMetadata.parse`. The switch is exhaustive, so a new `AppProtocol` case does
/// not compile until it is wired.
public enum Classifier {
    /// Probes tried on TCP payloads, in order. Specific signatures first; loose ones last.
    public static let tcpOrder: [AppProtocol] = [
        .tls, .http, .ssh, .rtsp, .sip, .bittorrent, .rdp, .smb2, .mqtt, .postgresql, .mysql, .redis,
        .smtp, .imap, .pop3, .ftp, .xmpp, .socks, .kerberos, .ldap, .openvpn, .netbios, .telnet, .dns,
    ]
    /// Probes tried on UDP payloads, in order.
    public static let udpOrder: [AppProtocol] = [
        .quic, .gquic, .dhcp, .dhcpv6, .ssdp, .dns, .stun, .wireguard, .openvpn, .sip, .ntp, .bittorrent,
        .kerberos, .ldap, .snmp, .netbios, .syslog, .rtp, .ipsec,
    ]

    /// One protocol's probe. Protocols without a probe yet answer `.noMatch`.
    @inline(__always)
    public static func probe(_ app: AppProtocol, _ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> ProbeVerdict {
        switch app {
        case .tls: TLSHello.probe(payload)
        case .http: HTTPMessage.probe(payload)
        case .ssh: SSHBanner.probe(payload)
        case .quic: context.ipProto == 17 ? QUICInitial.probe(payload) : .noMatch
        case .dns, .mdns, .llmnr: dnsProbe(payload, context)
        // The long tail (Probes/*.swift): one line each.
        case .dhcp: DHCPProbe.probe(payload, context)
        case .dhcpv6: DHCPv6Probe.probe(payload, context)
        case .ntp: NTPProbe.probe(payload, context)
        case .smtp: SMTPProbe.probe(payload, context)
        case .imap: IMAPProbe.probe(payload, context)
        case .pop3: POP3Probe.probe(payload, context)
        case .ftp: FTPProbe.probe(payload, context)
        case .sip: SIPProbe.probe(payload, context)
        case .bittorrent: BitTorrentProbe.probe(payload, context)
        case .wireguard: WireGuardProbe.probe(payload, context)
        case .openvpn: OpenVPNProbe.probe(payload, context)
        case .rdp: RDPProbe.probe(payload, context)
        case .smb2: SMB2Probe.probe(payload, context)
        case .kerberos: KerberosProbe.probe(payload, context)
        case .ldap: LDAPProbe.probe(payload, context)
        case .rtsp: RTSPProbe.probe(payload, context)
        case .mqtt: MQTTProbe.probe(payload, context)
        case .redis: RedisProbe.probe(payload, context)
        case .postgresql: PostgreSQLProbe.probe(payload, context)
        case .mysql: MySQLProbe.probe(payload, context)
        case .stun: STUNProbe.probe(payload, context)
        case .ssdp: SSDPProbe.probe(payload, context)
        case .netbios: NetBIOSProbe.probe(payload, context)
        case .snmp: SNMPProbe.probe(payload, context)
        case .syslog: SyslogProbe.probe(payload, context)
        case .rtp: RTPProbe.probe(payload, context)
        case .gquic: GQUICProbe.probe(payload, context)
        case .telnet: TelnetProbe.probe(payload, context)
        case .socks: SOCKSProbe.probe(payload, context)
        case .xmpp: XMPPProbe.probe(payload, context)
        case .ipsec: IPsecProbe.probe(payload, context)
        case .unknown: .noMatch
        }
    }

    /// DNS over UDP or TCP. Off the DNS ports a message must look like a plain query or response
    /// with one question, so random UDP payloads are not taken for DNS.
    static func dnsProbe(_ p: UnsafeRawBufferPointer, _ c: ProbeContext) -> ProbeVerdict {
        let dnsPort = c.hasPort(53) || c.hasPort(5353) || c.hasPort(5355)
        if c.ipProto == 6 {
            guard dnsPort else { return .noMatch }
            guard let n = p.u16(0) else { return .needMore }
            if Int(n) < DNSMessage.headerLength { return .noMatch }
            let avail = min(p.count, 2 + Int(n))
            if avail < 2 + DNSMessage.headerLength { return .needMore }
            if avail < 2 + Int(n) { return .needMore }
            return DNSMessage.probe(p.slice(2..<avail))
        }
        let v = DNSMessage.probe(p)
        if dnsPort && v == .noMatch {
            // On the DNS ports a message with a readable header and first question is DNS, even
            // with absurd counts (fuzzed or broken resolvers).
            var s = DNSSummary()
            return DNSMessage.parse(p, into: &s) == .done && s.questions > 0 ? .match : .noMatch
        }
        if v != .match || dnsPort { return v }
        // NetBIOS name service (RFC 1002 §4.2) shares DNS's format; its NB/NBSTAT types are not DNS.
        if let qt = p.u16(DNSMessage.headerLength + 34), qt == 0x20 || qt == 0x21 { return .noMatch }
        if c.hasPort(137) || c.hasPort(138) { return .noMatch }
        guard let qd = p.u16(4), let ns = p.u16(8), qd == 1, ns <= 1 else { return .noMatch }
        return .match
    }

    /// The result of classifying one payload.
    @frozen
    public struct Result: Sendable, BitwiseCopyable {
        public var app: AppProtocol
        public var verdict: ProbeVerdict
    }

    /// Runs the probes for the payload's transport in order: the first `.match` wins; if none
    /// matches but some need more bytes, the answer is `.needMore`.
    public static func classify(_ payload: UnsafeRawBufferPointer, _ context: ProbeContext) -> Result {
        var needMore = false
        let order = context.ipProto == 6 ? tcpOrder : udpOrder
        for app in order {
            switch probe(app, payload, context) {
            case .match: return Result(app: refine(app, context), verdict: .match)
            case .needMore: needMore = true
            case .noMatch: break
            }
        }
        return Result(app: .unknown, verdict: needMore ? .needMore : .noMatch)
    }

    /// Protocols whose probe checks only a few header bits (RTP: version, no CSRC, a payload
    /// type), so random datagrams match one in a few thousand: a flow takes them only when two
    /// datagrams of one direction match, which random bytes do about one in ten million.
    @inline(__always)
    public static func needsConfirmation(_ app: AppProtocol) -> Bool { app == .rtp }

    /// DNS on the multicast/link-local ports is mDNS or LLMNR.
    @inline(__always)
    static func refine(_ app: AppProtocol, _ c: ProbeContext) -> AppProtocol {
        guard app == .dns else { return app }
        if c.hasPort(5353) { return .mdns }
        if c.hasPort(5355) { return .llmnr }
        return .dns
    }

    /// The protocol registered for a port (IANA), per transport.
    public static func byPort(_ port: UInt16, ipProto: UInt8) -> AppProtocol {
        let tcp = ipProto == 6
        switch port {
        case 53: return .dns
        case 5353: return .mdns
        case 5355: return .llmnr
        case 80, 8080: return tcp ? .http : .unknown
        case 443: return tcp ? .tls : .quic
        case 853: return tcp ? .tls : .unknown
        case 993: return tcp ? .imap : .unknown
        case 22: return tcp ? .ssh : .unknown
        case 67, 68: return tcp ? .unknown : .dhcp
        case 546, 547: return tcp ? .unknown : .dhcpv6
        case 123: return tcp ? .unknown : .ntp
        case 25, 587, 465: return tcp ? .smtp : .unknown
        case 143: return tcp ? .imap : .unknown
        case 110, 995: return tcp ? .pop3 : .unknown
        case 21: return tcp ? .ftp : .unknown
        case 5060, 5061: return .sip
        case 6881...6889: return .bittorrent
        case 51820: return tcp ? .unknown : .wireguard
        case 1194: return .openvpn
        case 3389: return .rdp
        case 445: return tcp ? .smb2 : .unknown
        case 88: return .kerberos
        case 389: return .ldap
        case 554: return .rtsp
        case 1883: return tcp ? .mqtt : .unknown
        case 6379: return tcp ? .redis : .unknown
        case 5432: return tcp ? .postgresql : .unknown
        case 3306: return tcp ? .mysql : .unknown
        case 3478: return .stun
        case 1900: return tcp ? .unknown : .ssdp
        case 137, 138, 139: return .netbios
        case 161, 162: return tcp ? .unknown : .snmp
        case 514: return tcp ? .unknown : .syslog
        case 23: return tcp ? .telnet : .unknown
        case 1080: return tcp ? .socks : .unknown
        case 5222: return tcp ? .xmpp : .unknown
        case 500, 4500: return tcp ? .unknown : .ipsec
        default: return .unknown
        }
    }

    /// Port fallback for a flow: the responder's port first, then the initiator's.
    public static func byPorts(sport: UInt16, dport: UInt16, ipProto: UInt8) -> AppProtocol {
        guard ipProto == 6 || ipProto == 17 else { return .unknown }
        let d = byPort(dport, ipProto: ipProto)
        return d != .unknown ? d : byPort(sport, ipProto: ipProto)
    }
}
