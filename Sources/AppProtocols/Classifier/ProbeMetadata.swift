/// Metadata of the long-tail protocols, taken once their probe has matched: one `case` per
/// protocol whose probe file ships a metadata parser (DHCP, DHCPv6, SMTP/FTP/IMAP/POP3, SIP, NTP).
public enum ProbeMetadata {
    /// Fills what `app`'s metadata parser finds; returns true when this direction is done.
    public static func parse(_ app: AppProtocol, _ payload: UnsafeRawBufferPointer, _ context: ProbeContext,
                             into meta: inout FlowMetadata) -> Bool {
        switch app {
        // case .dhcp: return DHCPMetadata.parse(payload, context, into: &meta)
        default: return true
        }
    }
}
