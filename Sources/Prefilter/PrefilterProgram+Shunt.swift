public import PacketCore
import CPrefilter
import CXDP
import Glibc

/// A flow as the shunt table keys it: canonical order (lower address and port first, as
/// `FlowKey.make`), so both directions find the same entry.
public struct ShuntKey: Hashable, Sendable {
    public var low: IPAddress
    public var high: IPAddress
    public var lowPort: UInt16
    public var highPort: UInt16
    public var proto: UInt8
    /// Outer VLAN ID, nil when untagged.
    public var vlan: UInt16?

    /// The key of a packet from `src:sport` to `dst:dport` (either direction gives the same key).
    public init(src: IPAddress, sport: UInt16, dst: IPAddress, dport: UInt16, proto: UInt8, vlan: UInt16? = nil) {
        let a = CIDR(address: src, length: src.isIPv6 ? 128 : 32).networkBytes
        let b = CIDR(address: dst, length: dst.isIPv6 ? 128 : 32).networkBytes
        let srcLow = a.lexicographicallyPrecedes(b) || (a == b && sport <= dport)
        if srcLow {
            (low, high, lowPort, highPort) = (src, dst, sport, dport)
        } else {
            (low, high, lowPort, highPort) = (dst, src, dport, sport)
        }
        self.proto = proto
        self.vlan = vlan
    }

    var kernelKey: tl_flow_key {
        var k = tl_flow_key()
        let a = CIDR(address: low, length: 0).networkBytes
        let b = CIDR(address: high, length: 0).networkBytes
        withUnsafeMutableBytes(of: &k.addr_lo) { for i in 0..<16 { $0[i] = a[i] } }
        withUnsafeMutableBytes(of: &k.addr_hi) { for i in 0..<16 { $0[i] = b[i] } }
        k.port_lo = lowPort
        k.port_hi = highPort
        k.vlan = vlan ?? UInt16(TL_VLAN_NONE)
        k.proto = proto
        k.family = low.isIPv6 ? 6 : 4
        return k
    }
}

/// What the program counted for a shunted flow (dropped in the kernel, owed to its flow record).
public struct ShuntCounts: Equatable, Sendable {
    public var packets: UInt64
    public var bytes: UInt64
    /// Of which sent by the key's lower endpoint (`ShuntKey.low`, `lowPort`).
    public var packetsFromLow: UInt64 = 0
    public var bytesFromLow: UInt64 = 0
    /// IP bytes (header total lengths), in all and from the lower endpoint.
    public var ipBytes: UInt64 = 0
    public var ipBytesFromLow: UInt64 = 0
    /// CLOCK_MONOTONIC nanoseconds of the last packet (0: none yet) and of expiry.
    public var lastSeenNanoseconds: UInt64
    public var expiresNanoseconds: UInt64
}

extension PrefilterProgram {
    /// CLOCK_MONOTONIC in nanoseconds: the clock of `bpf_ktime_get_ns`.
    public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Shunts a flow: from now on its packets are counted and dropped in the kernel until
    /// `lifetimeNanoseconds` have passed (0 = until removed or evicted by the LRU).
    public func addShunt(_ key: ShuntKey, lifetimeNanoseconds: UInt64) throws(PrefilterError) {
        let expires = lifetimeNanoseconds == 0 ? 0 : Self.monotonicNanoseconds() &+ lifetimeNanoseconds
        try MapAccess.update(shuntFD, key.kernelKey,
                             tl_shunt_value(packets: 0, bytes: 0, last_ns: 0, expires_ns: expires, packets_lo: 0, bytes_lo: 0,
                                            ip_bytes: 0, ip_bytes_lo: 0),
                             "flow shunts")
        if !shuntsEnabled {
            shuntsEnabled = true
            try writeControl()
        }
    }

    /// The counts of a shunted flow, nil if it is not (or no longer) shunted.
    public func shuntCounts(_ key: ShuntKey) -> ShuntCounts? {
        MapAccess.lookup(shuntFD, key.kernelKey, as: tl_shunt_value.self).map {
            ShuntCounts(packets: $0.packets, bytes: $0.bytes, packetsFromLow: $0.packets_lo, bytesFromLow: $0.bytes_lo,
                        ipBytes: $0.ip_bytes, ipBytesFromLow: $0.ip_bytes_lo,
                        lastSeenNanoseconds: $0.last_ns, expiresNanoseconds: $0.expires_ns)
        }
    }

    /// Ends a shunt and returns its final counts.
    @discardableResult
    public func removeShunt(_ key: ShuntKey) -> ShuntCounts? {
        let counts = shuntCounts(key)
        _ = MapAccess.delete(shuntFD, key.kernelKey)
        disableShuntsIfEmpty()
        return counts
    }

    /// Removes every expired shunt; returns how many it removed. (The program also ignores and
    /// deletes an expired entry when its flow sends again.)
    public func sweepShunts(now: UInt64 = PrefilterProgram.monotonicNanoseconds()) -> Int {
        var expired: [tl_flow_key] = []
        var key = tl_flow_key()
        var next = tl_flow_key()
        var has = bpf_map_get_next_key(shuntFD, nil, &next) == 0
        while has {
            if let v = MapAccess.lookup(shuntFD, next, as: tl_shunt_value.self), v.expires_ns != 0, v.expires_ns <= now {
                expired.append(next)
            }
            key = next
            has = bpf_map_get_next_key(shuntFD, &key, &next) == 0
        }
        for k in expired { _ = MapAccess.delete(shuntFD, k) }
        disableShuntsIfEmpty()
        return expired.count
    }

    /// Turns the per-packet shunt lookup off when the table is empty.
    func disableShuntsIfEmpty() {
        var next = tl_flow_key()
        guard shuntsEnabled, bpf_map_get_next_key(shuntFD, nil, &next) != 0 else { return }
        shuntsEnabled = false
        try? writeControl()
    }
}
