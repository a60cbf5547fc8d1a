/// One field of an IPFIX template (RFC 7011 §3.2): an information element, its length on the
/// wire (65535 = variable length, §7), and an enterprise number (0 for IANA elements).
public struct IPFIXField: Sendable, Equatable {
    public var element: UInt16
    public var length: UInt16
    public var enterprise: UInt32

    public init(_ element: UInt16, _ length: UInt16, enterprise: UInt32 = 0) {
        self.element = element; self.length = length; self.enterprise = enterprise
    }

    /// RFC 5103 §6.1: the reverse of an IANA element is the same number under PEN 29305.
    public static func reverse(_ element: UInt16, _ length: UInt16) -> IPFIXField {
        IPFIXField(element, length, enterprise: IPFIX.reversePEN)
    }
}

/// IPFIX constants and the two flow templates Tapline exports (docs/IPFIX.md).
public enum IPFIX {
    /// RFC 7011 §3.1: version 10.
    public static let version: UInt16 = 10
    /// RFC 7011 §3.3.2: set IDs.
    public static let templateSetID: UInt16 = 2
    /// RFC 5103 §6.1: reverse information elements.
    public static let reversePEN: UInt32 = 29305
    /// RFC 5612 §2: the enterprise number reserved for documentation; the default for Tapline's
    /// own elements until an operator configures theirs (`--ipfix-pen`).
    public static let defaultEnterpriseNumber: UInt32 = 32473
    /// RFC 7011 §7: a template field length of 65535 marks a variable-length element.
    public static let variableLength: UInt16 = 65535
    public static let ipv4TemplateID: UInt16 = 256
    public static let ipv6TemplateID: UInt16 = 257
    /// RFC 7011 §10.3.3: a UDP message should fit the path MTU; 1400 leaves room for headers
    /// on a 1500-byte path (IPv6 + UDP = 48 bytes) and tunnels.
    public static let defaultUDPMessageSize = 1400
    /// RFC 7011 §3.1: the length field is 16 bits.
    public static let maxMessageSize = 65535

    /// Tapline's enterprise elements (under the configured enterprise number), all string, variable length.
    public enum EnterpriseElement: UInt16, CaseIterable, Sendable {
        case tlsServerName = 1
        case dnsQueryName = 2
        case httpHost = 3
        case ja4 = 4
    }

    /// flowEndReason (IE 136) values from the IANA registry.
    public enum FlowEndReason: UInt8, Sendable {
        case idleTimeout = 1
        case activeTimeout = 2
        case endOfFlowDetected = 3
        case forcedEnd = 4
        case lackOfResources = 5
    }

    /// The fields of the flow template for one address family. The last five are the application
    /// elements: applicationName (96) and Tapline's enterprise elements; their values are written
    /// by `IPFIXEncoder.appendApplicationElements` (the one place to fill once records carry them).
    public static func flowTemplate(ipv6: Bool, enterpriseNumber: UInt32) -> [IPFIXField] {
        var f: [IPFIXField] = ipv6
            ? [IPFIXField(27, 16), IPFIXField(28, 16)]   // sourceIPv6Address, destinationIPv6Address
            : [IPFIXField(8, 4), IPFIXField(12, 4)]      // sourceIPv4Address, destinationIPv4Address
        f += [
            IPFIXField(7, 2),     // sourceTransportPort
            IPFIXField(11, 2),    // destinationTransportPort
            IPFIXField(4, 1),     // protocolIdentifier
            IPFIXField(58, 2),    // vlanId (0 = untagged)
            IPFIXField(152, 8),   // flowStartMilliseconds
            IPFIXField(153, 8),   // flowEndMilliseconds
            IPFIXField(1, 8),     // octetDeltaCount: IP bytes a → b
            IPFIXField(2, 8),     // packetDeltaCount a → b
            .reverse(1, 8),       // reverseOctetDeltaCount: IP bytes b → a
            .reverse(2, 8),       // reversePacketDeltaCount
            IPFIXField(6, 2),     // tcpControlBits a → b
            .reverse(6, 2),       // reverseTcpControlBits
            IPFIXField(136, 1),   // flowEndReason
            IPFIXField(96, variableLength),  // applicationName
        ]
        for e in EnterpriseElement.allCases {
            f.append(IPFIXField(e.rawValue, variableLength, enterprise: enterpriseNumber))
        }
        return f
    }
}
