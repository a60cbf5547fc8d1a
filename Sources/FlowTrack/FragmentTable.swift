public import PacketCore

/// Maps a fragmented datagram (addresses, protocol, identification) to the ports its first
/// fragment carried, so non-first fragments count to the right flow without reassembly.
/// Direct-mapped with a fixed number of entries: a collision replaces the older datagram (counted).
public struct FragmentTable: ~Copyable {
    @usableFromInline struct Entry {
        var src: IPAddress
        var dst: IPAddress
        var id: UInt32
        var proto: UInt8
        var valid: Bool
        var sport: UInt16
        var dport: UInt16
        var expiresNs: UInt64
    }

    private let entries: UnsafeMutablePointer<Entry>
    private let mask: Int
    private let timeoutNs: UInt64

    /// `capacity` is rounded up to a power of two.
    public init(capacity: Int, timeoutNs: UInt64) {
        var c = 1
        while c < max(capacity, 1) { c <<= 1 }
        mask = c - 1
        self.timeoutNs = timeoutNs
        entries = .allocate(capacity: c)
        entries.initialize(repeating: Entry(src: .none, dst: .none, id: 0, proto: 0, valid: false,
                                            sport: 0, dport: 0, expiresNs: 0), count: c)
    }

    deinit { entries.deallocate() }

    @inline(__always)
    private func slot(_ src: IPAddress, _ dst: IPAddress, _ id: UInt32, _ proto: UInt8) -> Int {
        let h = FlowHash.mix(FlowHash.symmetric(src, dst, proto: proto) ^ UInt64(src < dst ? 1 : 0), UInt64(id))
        return Int(truncatingIfNeeded: h) & mask
    }

    /// Remembers the ports of a first fragment. Returns true when a live entry was replaced.
    public mutating func remember(_ info: PacketInfo) -> Bool {
        let i = slot(info.src, info.dst, info.fragmentID, info.ipProto)
        let replaced = entries[i].valid && entries[i].expiresNs > info.timestampNs
            && !(entries[i].src == info.src && entries[i].dst == info.dst && entries[i].id == info.fragmentID)
        entries[i] = Entry(src: info.src, dst: info.dst, id: info.fragmentID, proto: info.ipProto, valid: true,
                           sport: info.srcPort, dport: info.dstPort, expiresNs: info.timestampNs &+ timeoutNs)
        return replaced
    }

    /// The ports of the datagram a non-first fragment belongs to, when its first fragment was seen.
    public func lookup(_ info: PacketInfo) -> (sport: UInt16, dport: UInt16)? {
        let e = entries[slot(info.src, info.dst, info.fragmentID, info.ipProto)]
        guard e.valid, e.id == info.fragmentID, e.proto == info.ipProto, e.src == info.src, e.dst == info.dst,
              info.timestampNs < e.expiresNs
        else { return nil }
        return (e.sport, e.dport)
    }
}
