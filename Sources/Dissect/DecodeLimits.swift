/// Bounds on the L2–L4 decoder's walks, so a hostile frame cannot make it loop or recurse.
public enum DecodeLimits {
    /// 802.1Q/802.1ad tags followed on one Ethernet header (QinQ is 2; 4 leaves room for odd carriers).
    public static let maxVLANTags = 4
    /// MPLS labels followed before the bottom-of-stack bit (RFC 3032 sets no limit; real stacks are < 8).
    public static let maxMPLSLabels = 8
    /// IPv6 extension headers followed before the upper-layer header (RFC 8200 §4.1 expects at most ~8).
    public static let maxIPv6ExtensionHeaders = 8
    /// Nested encapsulations followed (GRE in IP in VXLAN …) before giving up on the frame.
    public static let maxTunnelDepth = 3
    /// GTP-U extension headers followed (3GPP TS 29.281 §5.2; real chains carry 1–2, e.g. PDU session container).
    public static let maxGTPExtensionHeaders = 4
}
