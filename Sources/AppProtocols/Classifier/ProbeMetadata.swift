/// Metadata of the long-tail protocols, taken once their probe has matched: one `case` per
/// protocol whose probe file ships a metadata parser. What lands in `FlowMetadata`:
///
/// | app | `probeText` | `probeValue` |
/// |---|---|---|
/// | dhcp | option 12 host name | option 53 message type (first message) |
/// | dhcpv6 | — | message type (first message) |
/// | ntp | — | version × 16 + mode (first packet) |
/// | smtp, imap, pop3, ftp | the server's greeting text | STARTTLS bits: 1 offered, 2 requested, 4 accepted |
/// | sip | request method (first request) | first response status |
public enum ProbeMetadata {
    /// STARTTLS bits of `probeValue` for the mail and FTP protocols.
    public static let startTLSOffered: UInt16 = 1, startTLSRequested: UInt16 = 2, startTLSAccepted: UInt16 = 4

    /// Fills what `app`'s metadata parser finds; returns true when this direction is done (mail
    /// and FTP keep reading, within the flow's packet budget, to see STARTTLS).
    public static func parse(_ app: AppProtocol, _ p: UnsafeRawBufferPointer, _ c: ProbeContext,
                             into m: inout FlowMetadata) -> Bool {
        switch app {
        case .dhcp:
            guard let i = try? DHCPParser.parse(p) else { return true }
            if m.probeValue == 0 { m.probeValue = UInt16(i.messageType) }
            if let h = i.hostname { m.set(.probeText, p.slice(h)) }
            return i.hostname != nil || m.has(.probeText)
        case .dhcpv6:
            if let i = try? DHCPv6Parser.parse(p), m.probeValue == 0 { m.probeValue = UInt16(i.messageType) }
            return true
        case .ntp:
            if let i = try? NTPParser.parse(p), m.probeValue == 0 { m.probeValue = UInt16(i.version) << 4 | UInt16(i.mode) }
            return true
        case .smtp:
            if let i = try? SMTPParser.parse(p) {
                if let b = i.banner { m.set(.probeText, p.slice(b)) }
                tls(&m, i.startTLSOffered, i.startTLSRequested, i.replyCode == 220 && m.probeValue & startTLSRequested != 0)
            }
            return false
        case .imap:
            if let i = try? IMAPParser.parse(p) {
                if let b = i.banner { m.set(.probeText, p.slice(b)) }
                tls(&m, i.startTLSOffered, i.startTLSRequested, false)
            }
            return false
        case .pop3:
            if let i = try? POP3Parser.parse(p) {
                if let b = i.banner { m.set(.probeText, p.slice(b)) }
                tls(&m, i.stlsOffered, i.stlsRequested, false)
            }
            return false
        case .ftp:
            if let i = try? FTPParser.parse(p) {
                if let b = i.banner { m.set(.probeText, p.slice(b)) }
                tls(&m, i.authTLSOffered, i.authTLSRequested, i.authTLSAccepted)
            }
            return false
        case .sip:
            if let i = try? SIPParser.parse(p) {
                if i.method != .none { m.set(.probeText, i.method.token) }
                if i.statusCode != 0 && m.probeValue == 0 { m.probeValue = i.statusCode }
            }
            return true
        default:
            return true
        }
    }

    static func tls(_ m: inout FlowMetadata, _ offered: Bool, _ requested: Bool, _ accepted: Bool) {
        if offered { m.probeValue |= startTLSOffered }
        if requested { m.probeValue |= startTLSRequested }
        if accepted { m.probeValue |= startTLSAccepted }
    }
}
