/// The text fields a flow record can carry. Each is a span of `FlowMetadata`'s text arena.
@frozen
public enum MetaField: Int, Sendable, CaseIterable, BitwiseCopyable {
    case dnsQName, dnsAnswer, tlsSNI, tlsALPN, tlsJA4, httpMethod, httpHost, httpUserAgent, httpContentType
    case quicSNI, quicALPN, sshClient, sshServer
    /// A probe's free text (DHCP host name, SIP method, greeting …); which one depends on `app`.
    case probeText

    public static let count = 14
}

/// How a flow's application protocol was decided.
@frozen
public enum AppSource: UInt8, Sendable, BitwiseCopyable {
    case none = 0, payload, port
}

/// Anomalies seen while dissecting a flow's application layer; bits of `FlowMetadata.flags`.
@frozen
public struct L7Flags: OptionSet, Sendable, BitwiseCopyable {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// A TCP direction needed more than its reassembly budget, or no buffer was free.
    public static let reassemblyOverflow = L7Flags(rawValue: 1 << 0)
    /// A text field did not fit the record's text arena (or its own limit) and was cut.
    public static let textTruncated = L7Flags(rawValue: 1 << 1)
    /// A message of the decided protocol was malformed (lengths past the end, bad pointers …).
    public static let malformed = L7Flags(rawValue: 1 << 2)
    /// A DNS name hit a compression loop or the pointer/label limits.
    public static let dnsNameLoop = L7Flags(rawValue: 1 << 3)
    /// A QUIC Initial did not decrypt (not a client Initial, unknown version, bad tag).
    public static let quicUndecrypted = L7Flags(rawValue: 1 << 4)
    /// More than one HTTP request in one segment or flow (pipelining / keep-alive).
    public static let httpPipelined = L7Flags(rawValue: 1 << 5)
    /// A TCP segment arrived out of order (it was placed by sequence number).
    public static let outOfOrder = L7Flags(rawValue: 1 << 6)
    /// L7 work stopped at the packet budget before the protocol's metadata was complete.
    public static let budgetExhausted = L7Flags(rawValue: 1 << 7)
}

/// A span of the text arena: offset and length in bytes.
@frozen
public struct TextSpan: Sendable, BitwiseCopyable, Equatable {
    public var offset: UInt16
    public var length: UInt16
    @inlinable public init(offset: UInt16, length: UInt16) { self.offset = offset; self.length = length }
    public static let empty = TextSpan(offset: 0, length: 0)
}

/// A flow's application protocol and metadata, in fixed inline storage: trivially copyable, so it
/// travels inside `FlowRecord` through SPSC rings and never allocates.
///
/// Text (names, banners, user agents) goes into one arena of `textCapacity` bytes shared by every
/// field; a field that does not fit is cut and `textTruncated` is flagged. One arena instead of a
/// fixed slot per field keeps the size bounded (a flow carries one protocol's few fields, not all).
@frozen
public struct FlowMetadata: Sendable, BitwiseCopyable {
    /// Bytes of text a flow can carry: an SNI (≤ 255), an ALPN list and a JA4 (36) fit together,
    /// as do two typical SSH banners or an HTTP host, method and user agent. Longer text is cut.
    public static let textCapacity = 448

    public var app: AppProtocol = .unknown
    public var appBy: AppSource = .none
    public var flags: L7Flags = []
    /// DNS: first question's type, response code (0xFF until a response is seen), answer count.
    public var dnsQType: UInt16 = 0
    public var dnsRCode: UInt8 = 0xFF
    public var dnsAnswers: UInt16 = 0
    /// TLS: version the server chose (supported_versions or legacy), its cipher suite, and the
    /// client's highest offered version; 0 when unseen.
    public var tlsVersion: UInt16 = 0
    public var tlsCipher: UInt16 = 0
    public var tlsClientVersion: UInt16 = 0
    /// HTTP: first response status (0 if none), requests seen.
    public var httpStatus: UInt16 = 0
    public var httpRequests: UInt16 = 0
    /// QUIC version of the first long-header packet (0 if none).
    public var quicVersion: UInt32 = 0
    /// A probe's small scalar (DHCP message type, NTP mode …); meaning depends on `app`.
    public var probeValue: UInt16 = 0
    public var textUsed: UInt16 = 0
    public var spans: InlineArray<14, TextSpan> = .init(repeating: .empty)
    public var text: InlineArray<448, UInt8> = .init(repeating: 0)

    @inlinable public init() {}

    /// True when `field` holds text.
    @inlinable
    public func has(_ field: MetaField) -> Bool { spans[field.rawValue].length != 0 }

    /// Calls `body` with `field`'s bytes (empty when unset).
    @inlinable
    public func withText<R>(_ field: MetaField, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let s = spans[field.rawValue]
        return withUnsafeBytes(of: text) { all in
            body(UnsafeRawBufferPointer(rebasing: all[Int(s.offset)..<Int(s.offset) + Int(s.length)]))
        }
    }

    /// Sets `field` once (a later call for a set field is ignored), cutting it to what fits.
    @inlinable
    public mutating func set(_ field: MetaField, _ bytes: UnsafeRawBufferPointer) {
        if has(field) || bytes.isEmpty { return }
        let room = Self.textCapacity - Int(textUsed)
        var n = bytes.count
        if n > room { n = room; flags.insert(.textTruncated) }
        if n <= 0 { return }
        let start = Int(textUsed)
        withUnsafeMutableBytes(of: &text) { all in
            all.baseAddress!.advanced(by: start).copyMemory(from: bytes.baseAddress!, byteCount: n)
        }
        spans[field.rawValue] = TextSpan(offset: UInt16(start), length: UInt16(n))
        textUsed += UInt16(n)
    }

    /// Appends to `field`, which must be the most recently set field (used to build lists, e.g. ALPN).
    @inlinable
    public mutating func append(_ field: MetaField, _ bytes: UnsafeRawBufferPointer) {
        let s = spans[field.rawValue]
        if s.length == 0 { set(field, bytes); return }
        guard Int(s.offset) + Int(s.length) == Int(textUsed) else { flags.insert(.textTruncated); return }
        let room = Self.textCapacity - Int(textUsed)
        var n = bytes.count
        if n > room { n = room; flags.insert(.textTruncated) }
        if n <= 0 { return }
        let start = Int(textUsed)
        withUnsafeMutableBytes(of: &text) { all in
            all.baseAddress!.advanced(by: start).copyMemory(from: bytes.baseAddress!, byteCount: n)
        }
        spans[field.rawValue].length += UInt16(n)
        textUsed += UInt16(n)
    }

    /// Sets `field` from a static string (tests, fixed values).
    @inlinable
    public mutating func set(_ field: MetaField, _ s: StaticString) {
        set(field, UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// `field` as a String (tests and the CLI; allocates).
    public func string(_ field: MetaField) -> String? {
        guard has(field) else { return nil }
        return withText(field) { String(decoding: $0, as: UTF8.self) }
    }
}
