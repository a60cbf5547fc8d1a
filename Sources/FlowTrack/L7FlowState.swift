import AppProtocols

/// Per-flow application-layer work state (the metadata itself is `FlowMetadata`). Small: it is
/// kept for every flow slot of the table.
struct L7FlowState {
    /// 0 classifying or parsing, 1 finished (no more L7 work for this flow).
    var finished: Bool = false
    /// Payload-carrying packets looked at so far (both directions).
    var payloadPackets: UInt8 = 0
    /// Direction a (initiator) and b: parser done (or gave up) for that direction.
    var doneA: Bool = false
    var doneB: Bool = false
    /// Reassembly buffer of each direction (-1 none) and the TCP sequence number of its byte 0.
    var bufferA: Int32 = -1
    var bufferB: Int32 = -1
    var baseSeqA: UInt32 = 0
    var baseSeqB: UInt32 = 0
    var seqKnownA: Bool = false
    var seqKnownB: Bool = false
    /// A weak probe's first match, waiting for a second datagram to confirm it.
    var tentative: AppProtocol = .unknown
    var tentativeFromA: Bool = false
    /// QUIC: highest CRYPTO byte written (in `bufferA`).
    var cryptoEnd: UInt16 = 0
    /// HTTP CONNECT (RFC 9110 §9.3.6): the initiator asked for a tunnel; and per direction, the
    /// stream offset where the tunnel's bytes start (after the request head, after a 2xx
    /// response head; 0: no tunnel), parsed from there on as TLS.
    var connectAsked: Bool = false
    var tunnelA: UInt16 = 0
    var tunnelB: UInt16 = 0
}
