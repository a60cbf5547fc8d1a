/// Why a frame could not be decoded. Per-packet failures are counted, never logged.
public enum ParseError: Error, Equatable, Sendable {
    /// The frame ends before a header that it announces: `needed` bytes from the header's start, `have` present.
    case truncated(needed: Int, have: Int)
    /// A field holds a value that no valid packet holds.
    case malformed(MalformedField)
    /// A layer that Tapline does not decode (counted, not an error of the input).
    case unsupported
}

/// The field that made a frame malformed.
public enum MalformedField: UInt8, Sendable, CaseIterable {
    case ipVersion
    case ipv4HeaderLength
    case ipTotalLength
    case ipv6PayloadLength
    case ipv6ExtensionChain
    case tcpDataOffset
    case udpLength
    case vlanDepth
    case mplsDepth
    case tunnelDepth
    case greHeader
    case gtpHeader
    case linkHeader
    case captureLength
}
