/// Application protocols Tapline recognizes. Raw values are stable (they travel in records and
/// IPFIX); add new cases at the end.
@frozen
public enum AppProtocol: UInt8, Sendable, CaseIterable, BitwiseCopyable {
    case unknown = 0
    case dns, mdns, llmnr, http, tls, quic, ssh, dhcp, dhcpv6, ntp
    case smtp, imap, pop3, ftp, sip, bittorrent, wireguard, openvpn, rdp, smb2
    case kerberos, ldap, rtsp, mqtt, redis, postgresql, mysql, stun, ssdp, netbios
    case snmp, syslog, rtp, gquic, telnet, socks, xmpp, ipsec

    /// The name used in records and summaries.
    public var name: StaticString {
        switch self {
        case .unknown: "unknown"
        case .dns: "dns"
        case .mdns: "mdns"
        case .llmnr: "llmnr"
        case .http: "http"
        case .tls: "tls"
        case .quic: "quic"
        case .ssh: "ssh"
        case .dhcp: "dhcp"
        case .dhcpv6: "dhcpv6"
        case .ntp: "ntp"
        case .smtp: "smtp"
        case .imap: "imap"
        case .pop3: "pop3"
        case .ftp: "ftp"
        case .sip: "sip"
        case .bittorrent: "bittorrent"
        case .wireguard: "wireguard"
        case .openvpn: "openvpn"
        case .rdp: "rdp"
        case .smb2: "smb2"
        case .kerberos: "kerberos"
        case .ldap: "ldap"
        case .rtsp: "rtsp"
        case .mqtt: "mqtt"
        case .redis: "redis"
        case .postgresql: "postgresql"
        case .mysql: "mysql"
        case .stun: "stun"
        case .ssdp: "ssdp"
        case .netbios: "netbios"
        case .snmp: "snmp"
        case .syslog: "syslog"
        case .rtp: "rtp"
        case .gquic: "gquic"
        case .telnet: "telnet"
        case .socks: "socks"
        case .xmpp: "xmpp"
        case .ipsec: "ipsec"
        }
    }
}
