public import FlowTrack
import PacketCore
import AppProtocols

/// Builds IPFIX messages (RFC 7011) of flow records as biflows (RFC 5103) into one fixed buffer.
/// A message is started, filled with a template set and/or data records until `append` says it is
/// full, then finished, which writes its length and sequence number. No allocation per record.
public final class IPFIXEncoder {
    public let observationDomain: UInt32
    public let enterpriseNumber: UInt32
    /// Largest message built (bytes); a record that does not fit starts the next message.
    public let maxMessageSize: Int
    /// RFC 7011 §3.1: data records sent before the current message, modulo 2^32, in this
    /// transport session. `resetSession()` sets it back to 0 (a new TCP connection, a new file).
    public private(set) var sequenceNumber: UInt32 = 0
    /// Data records in the message being built.
    public private(set) var recordsInMessage = 0
    /// Data records encoded in total.
    public private(set) var recordsEncoded: UInt64 = 0
    public let templates: [(id: UInt16, fields: [IPFIXField])]

    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    private var setStart = -1
    private var setID: UInt16 = 0
    private var inMessage = false

    public init(observationDomain: UInt32 = 1, enterpriseNumber: UInt32 = IPFIX.defaultEnterpriseNumber,
                maxMessageSize: Int = IPFIX.maxMessageSize) {
        precondition(maxMessageSize >= 512 && maxMessageSize <= IPFIX.maxMessageSize)
        self.observationDomain = observationDomain
        self.enterpriseNumber = enterpriseNumber
        self.maxMessageSize = maxMessageSize
        templates = [(IPFIX.ipv4TemplateID, IPFIX.flowTemplate(ipv6: false, enterpriseNumber: enterpriseNumber)),
                     (IPFIX.ipv6TemplateID, IPFIX.flowTemplate(ipv6: true, enterpriseNumber: enterpriseNumber))]
        buffer = .allocate(byteCount: maxMessageSize, alignment: 8)
    }

    deinit { buffer.deallocate() }

    /// A new transport session: sequence numbers start again at 0 (RFC 7011 §3.1).
    public func resetSession() { sequenceNumber = 0 }

    public var hasMessage: Bool { inMessage }

    /// Starts a message stamped with `exportTimeSeconds` (seconds since the epoch).
    public func startMessage(exportTimeSeconds: UInt32) {
        precondition(!inMessage, "finish the message first")
        used = 0
        put16(IPFIX.version); put16(0)  // length, written at finish
        put32(exportTimeSeconds)
        put32(sequenceNumber)
        put32(observationDomain)
        recordsInMessage = 0
        setStart = -1
        inMessage = true
    }

    /// Appends one template set with both flow templates. Returns false if it does not fit.
    @discardableResult
    public func appendTemplates() -> Bool {
        var size = 4
        for t in templates {
            size += 4
            for f in t.fields { size += f.enterprise == 0 ? 4 : 8 }
        }
        closeSet()
        guard used + size <= maxMessageSize else { return false }
        openSet(IPFIX.templateSetID)
        for t in templates {
            put16(t.id); put16(UInt16(t.fields.count))
            for f in t.fields {
                if f.enterprise == 0 {
                    put16(f.element); put16(f.length)
                } else {
                    put16(f.element | 0x8000); put16(f.length); put32(f.enterprise)
                }
            }
        }
        closeSet()
        return true
    }

    /// Longest data record: the IPv6 fixed part plus one length byte per variable element.
    public static let maxRecordSize = 97 + 5 + 4 * 255

    /// Appends one flow record as a data record of its family's template.
    /// Returns false (and leaves the message as it was) when the record does not fit.
    public func append(_ r: FlowRecord) -> Bool {
        precondition(inMessage)
        let v6 = r.src.isIPv6 || r.dst.isIPv6
        let id = v6 ? IPFIX.ipv6TemplateID : IPFIX.ipv4TemplateID
        let need = (v6 ? 97 : 73) + applicationElementsSize(r) + (setID == id ? 0 : 4)
        guard used + need <= maxMessageSize else { return false }
        if setID != id { closeSet(); openSet(id) }
        if v6 {
            put64(r.src.high); put64(r.src.low); put64(r.dst.high); put64(r.dst.low)
        } else {
            put32(r.src.ipv4Value); put32(r.dst.ipv4Value)
        }
        put16(r.sport); put16(r.dport)
        put8(r.proto)
        put16(r.vlan)
        put64(r.startNs / 1_000_000); put64(r.endNs / 1_000_000)
        put64(r.aIPBytes); put64(r.aPackets)
        put64(r.bIPBytes); put64(r.bPackets)
        put16(UInt16(r.tcpFlagsA)); put16(UInt16(r.tcpFlagsB))
        put8(Self.endReason(r.endReason).rawValue)
        appendApplicationElements(r)
        recordsInMessage += 1
        return true
    }

    /// The application elements, in template order: applicationName (96), then the enterprise
    /// elements tlsServerName (TLS SNI, or the QUIC ClientHello's), dnsQueryName, httpHost, ja4.
    /// Each is variable length (RFC 7011 §7): one length byte below 255, else 255 and two bytes;
    /// an absent value is written with length 0.
    private func appendApplicationElements(_ r: FlowRecord) {
        let m = r.meta
        if m.app == .unknown {
            put8(0)
        } else {
            let name = m.app.name
            putVariable(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
        m.withText(m.has(.tlsSNI) ? .tlsSNI : .quicSNI) { putVariable($0) }
        m.withText(.dnsQName) { putVariable($0) }
        m.withText(.httpHost) { putVariable($0) }
        m.withText(.tlsJA4) { putVariable($0) }
    }

    /// Bytes `appendApplicationElements` writes for `r`.
    private func applicationElementsSize(_ r: FlowRecord) -> Int {
        let m = r.meta
        func size(_ n: Int) -> Int { n < 255 ? 1 + n : 3 + n }
        let app = m.app == .unknown ? 0 : m.app.name.utf8CodeUnitCount
        let sni = m.withText(m.has(.tlsSNI) ? .tlsSNI : .quicSNI) { $0.count }
        return size(app) + size(sni) + size(m.withText(.dnsQName) { $0.count })
            + size(m.withText(.httpHost) { $0.count }) + size(m.withText(.tlsJA4) { $0.count })
    }

    /// A variable-length value with its RFC 7011 §7 length prefix.
    private func putVariable(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count < 255 {
            put8(UInt8(bytes.count))
        } else {
            put8(255)
            put16(UInt16(bytes.count))
        }
        if bytes.isEmpty { return }
        (buffer.baseAddress! + used).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        used += bytes.count
    }

    /// Closes the message: writes its length and sequence number; returns its bytes, valid until
    /// the next `startMessage`.
    public func finishMessage() -> UnsafeRawBufferPointer {
        precondition(inMessage)
        closeSet()
        storeBE16(UInt16(used), at: 2)
        sequenceNumber &+= UInt32(truncatingIfNeeded: recordsInMessage)
        recordsEncoded &+= UInt64(recordsInMessage)
        inMessage = false
        return UnsafeRawBufferPointer(rebasing: buffer[0..<used])
    }

    /// Bytes in the message so far.
    public var messageLength: Int { used }

    public static func endReason(_ e: EndReason) -> IPFIX.FlowEndReason {
        switch e {
        case .idle: .idleTimeout
        case .active: .activeTimeout
        case .fin, .rst: .endOfFlowDetected
        case .shutdown: .forcedEnd
        case .evicted: .lackOfResources
        }
    }

    // MARK: Bytes

    private func openSet(_ id: UInt16) {
        setStart = used
        setID = id
        put16(id); put16(0)
    }

    private func closeSet() {
        if setStart >= 0 { storeBE16(UInt16(used - setStart), at: setStart + 2) }
        setStart = -1
        setID = 0
    }

    @inline(__always) private func put8(_ v: UInt8) {
        buffer[used] = v; used += 1
    }
    @inline(__always) private func put16(_ v: UInt16) {
        buffer.storeBytes(of: v.bigEndian, toByteOffset: used, as: UInt16.self); used += 2
    }
    @inline(__always) private func put32(_ v: UInt32) {
        buffer.storeBytes(of: v.bigEndian, toByteOffset: used, as: UInt32.self); used += 4
    }
    @inline(__always) private func put64(_ v: UInt64) {
        buffer.storeBytes(of: v.bigEndian, toByteOffset: used, as: UInt64.self); used += 8
    }
    private func storeBE16(_ v: UInt16, at offset: Int) {
        buffer.storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt16.self)
    }
}
