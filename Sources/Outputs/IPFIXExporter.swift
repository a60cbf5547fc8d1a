import Engine
import Export
public import FlowTrack
import Rings
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where IPFIX messages go.
public enum IPFIXDestination: Sendable, Equatable, CustomStringConvertible {
    case udp(Endpoint)
    case tcp(Endpoint)
    /// RFC 5655 file: a sequence of IPFIX messages, templates first.
    case file(String)

    /// Parses `udp://HOST:PORT`, `tcp://HOST:PORT` or `file:PATH`.
    public init?(_ text: String) {
        if text.hasPrefix("udp://"), let e = Endpoint(text.dropFirst(6)) { self = .udp(e) }
        else if text.hasPrefix("tcp://"), let e = Endpoint(text.dropFirst(6)) { self = .tcp(e) }
        else if text.hasPrefix("file:"), text.count > 5 { self = .file(String(text.dropFirst(5))) }
        else { return nil }
    }

    public var description: String {
        switch self {
        case .udp(let e): "udp://\(e)"
        case .tcp(let e): "tcp://\(e)"
        case .file(let p): "file:\(p)"
        }
    }
}

/// How an IPFIX exporter runs.
public struct IPFIXExporterConfig: Sendable {
    public var destination: IPFIXDestination
    public var observationDomain: UInt32 = 1
    public var enterpriseNumber: UInt32 = IPFIX.defaultEnterpriseNumber
    /// UDP: templates are sent again after this many seconds (RFC 7011 §8.4) …
    public var templateRefreshSeconds: UInt32 = 60
    /// … or after this many messages, whichever comes first.
    public var templateRefreshMessages: Int = 20
    /// Records waiting between the caller and the sender thread: the bounded send buffer. While a
    /// TCP collector is away, records wait here; when it is full, new records are counted dropped.
    public var queueCapacity: Int = 65536
    /// TCP reconnect backoff, doubling from the first to the last.
    public var reconnectMinMs: Int = 100
    public var reconnectMaxMs: Int = 5000
    /// At close, how long a TCP exporter keeps trying to deliver what is queued.
    public var closeTimeoutMs: Int = 3000

    public init(destination: IPFIXDestination) { self.destination = destination }
}

/// Counters of an exporter, readable from any thread (metrics, summary, tests).
public struct IPFIXExporterStats: Sendable, Equatable {
    /// Records given to `offer`.
    public var offered: UInt64 = 0
    /// Records in messages handed to the kernel (UDP, TCP) or written to the file.
    public var sent: UInt64 = 0
    /// Records left out: queue full, or in a message that could not be sent (collector gone).
    public var dropped: UInt64 = 0
    public var messages: UInt64 = 0
    public var templateSends: UInt64 = 0
    public var bytes: UInt64 = 0
    public var connects: UInt64 = 0
    public var connectFailures: UInt64 = 0
    public var sendErrors: UInt64 = 0
    /// Records waiting in the queue now.
    public var queueDepth: Int = 0
}

/// Exports flow records as IPFIX over UDP, TCP or to a file. `offer` is called from one thread
/// (the one that drains records) and never blocks: it pushes into a bounded SPSC ring, or counts
/// the record dropped. A sender thread encodes and does the I/O, reconnecting TCP with backoff.
/// Every offered record ends as sent or dropped (`offered == sent + dropped` after `close`).
public final class IPFIXExporter: @unchecked Sendable {
    public let config: IPFIXExporterConfig
    private let ring: SPSCRing<FlowRecord>
    private let offeredCount = Atomic<UInt64>(0)
    private let queueDropped = Atomic<UInt64>(0)
    private let done = Atomic<Bool>(false)
    private let state = Mutex(IPFIXExporterStats())
    private let errorText = Mutex<String?>(nil)
    private var thread: PinnedThread?

    /// Opens the file (file:) at once, so a bad path is an error here; sockets connect in the background.
    public init(config: IPFIXExporterConfig) throws(SocketError) {
        self.config = config
        ring = SPSCRing(minimumCapacity: config.queueCapacity)
        var fileFD: Int32 = -1
        if case .file(let path) = config.destination {
            fileFD = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if fileFD < 0 { throw SocketError(operation: "open \(path)", errno: errno) }
        }
        let fd = fileFD
        do {
            thread = try PinnedThread(name: "tapline-ipfix", cpu: nil) { [self] in self.run(fileFD: fd) }
        } catch {
            throw SocketError(operation: "thread", errno: error.errno)
        }
    }

    /// Queues a record; false (and counted dropped) when the queue is full. Never blocks.
    @discardableResult
    public func offer(_ r: FlowRecord) -> Bool {
        offeredCount.add(1, ordering: .relaxed)
        if ring.push(r) { return true }
        queueDropped.add(1, ordering: .relaxed)
        return false
    }

    public var stats: IPFIXExporterStats {
        var s = state.withLock { $0 }
        s.offered = offeredCount.load(ordering: .relaxed)
        s.dropped += queueDropped.load(ordering: .relaxed)
        s.queueDepth = ring.count
        return s
    }

    /// The last I/O error, if any (for the summary).
    public var lastError: String? { errorText.withLock { $0 } }

    /// Sends what is queued (TCP: within `closeTimeoutMs`), counts the rest dropped, stops the thread.
    /// Must be called before the last reference goes: the sender thread holds the exporter.
    public func close() {
        done.store(true, ordering: .releasing)
        thread?.join()
        thread = nil
    }

    // MARK: The sender thread

    private func run(fileFD: Int32) {
        let maxSize: Int
        switch config.destination {
        case .udp: maxSize = IPFIX.defaultUDPMessageSize
        case .tcp, .file: maxSize = IPFIX.maxMessageSize
        }
        let encoder = IPFIXEncoder(observationDomain: config.observationDomain,
                                   enterpriseNumber: config.enterpriseNumber, maxMessageSize: maxSize)
        let batch = UnsafeMutableBufferPointer<FlowRecord>.allocate(capacity: 256)
        defer { batch.deallocate() }
        var fd: Int32 = fileFD
        let isTCP: Bool, isUDP: Bool
        switch config.destination {
        case .tcp: isTCP = true; isUDP = false
        case .udp: isTCP = false; isUDP = true
        case .file: isTCP = false; isUDP = false
        }
        var needTemplates = true
        var messagesSinceTemplates = 0
        var lastTemplateSecond: UInt32 = 0
        var retryAtNs: UInt64 = 0
        var backoffMs = config.reconnectMinMs
        var closingSinceNs: UInt64 = 0
        var idle = 0

        func note(_ e: SocketError) { errorText.withLock { $0 = e.description } }

        /// Sends the encoder's finished message; on failure the records in it are dropped.
        func ship(_ bytes: UnsafeRawBufferPointer, records: Int, templates: Bool) -> Bool {
            do throws(SocketError) {
                if fd < 0 { throw SocketError(operation: "send", errno: ENOTCONN) }
                if isTCP || isUDP {
                    try sendAll(fd, bytes)
                } else {
                    var off = 0
                    while off < bytes.count {
                        let n = write(fd, bytes.baseAddress! + off, bytes.count - off)
                        if n < 0 {
                            if errno == EINTR { continue }
                            throw SocketError(operation: "write", errno: errno)
                        }
                        off += n
                    }
                }
                state.withLock {
                    $0.sent += UInt64(records); $0.messages += 1; $0.bytes += UInt64(bytes.count)
                    if templates { $0.templateSends += 1 }
                }
                return true
            } catch {
                state.withLock { $0.dropped += UInt64(records); $0.sendErrors += 1 }
                note(error)
                if isTCP { Glibc.close(fd); fd = -1 }
                return false
            }
        }

        func connectIfNeeded() {
            guard (isTCP || isUDP), fd < 0 else { return }
            let now = Now.monotonicNs()
            guard now >= retryAtNs else { return }
            guard case .tcp(let e) = config.destination else {
                if case .udp(let e) = config.destination {
                    do throws(SocketError) {
                        fd = try e.connectedSocket(tcp: false)
                        state.withLock { $0.connects += 1 }
                    } catch { note(error); retryAtNs = now + 1_000_000_000 }
                }
                return
            }
            do throws(SocketError) {
                fd = try e.connectedSocket(tcp: true)
                state.withLock { $0.connects += 1 }
                backoffMs = config.reconnectMinMs
                encoder.resetSession()
                needTemplates = true
            } catch {
                state.withLock { $0.connectFailures += 1 }
                note(error)
                retryAtNs = now + UInt64(backoffMs) * 1_000_000
                backoffMs = min(backoffMs * 2, config.reconnectMaxMs)
            }
        }

        func templatesDue() -> Bool {
            if needTemplates { return true }
            guard isUDP else { return false }
            return messagesSinceTemplates >= config.templateRefreshMessages
                || Now.epochSeconds() &- lastTemplateSecond >= config.templateRefreshSeconds
        }

        /// Encodes up to `count` records of `batch` into messages and sends them.
        func send(_ count: Int) {
            var i = 0
            while i < count {
                if isTCP && fd >= 0 && peerClosed(fd) { Glibc.close(fd); fd = -1 }
                if isTCP && fd < 0 {
                    state.withLock { $0.dropped += UInt64(count - i) }
                    return
                }
                let withTemplates = templatesDue()
                encoder.startMessage(exportTimeSeconds: Now.epochSeconds())
                if withTemplates { encoder.appendTemplates() }
                while i < count && encoder.append(batch[i]) { i += 1 }
                let n = encoder.recordsInMessage
                let bytes = encoder.finishMessage()
                if ship(bytes, records: n, templates: withTemplates) {
                    if withTemplates {
                        needTemplates = false; messagesSinceTemplates = 0; lastTemplateSecond = Now.epochSeconds()
                    } else {
                        messagesSinceTemplates += 1
                    }
                } else if isTCP {
                    // The rest of the batch cannot go on a dead connection: dropped.
                    state.withLock { $0.dropped += UInt64(count - i) }
                    return
                }
            }
        }

        // A file and UDP get their templates at once, so a run without records still leaves a readable file.
        connectIfNeeded()
        if !isTCP {
            encoder.startMessage(exportTimeSeconds: Now.epochSeconds())
            encoder.appendTemplates()
            if ship(encoder.finishMessage(), records: 0, templates: true) {
                needTemplates = false; lastTemplateSecond = Now.epochSeconds()
            }
        }

        while true {
            let finishing = done.load(ordering: .acquiring)
            if finishing && closingSinceNs == 0 { closingSinceNs = Now.monotonicNs() }
            // A collector never sends on an IPFIX TCP session: a readable socket means it closed
            // (or died). Finding that out before taking records keeps them queued, not lost.
            if isTCP && fd >= 0 && peerClosed(fd) {
                Glibc.close(fd); fd = -1
                state.withLock { $0.sendErrors += 1 }
            }
            connectIfNeeded()
            let connected = fd >= 0
            if connected || !isTCP {
                let got = ring.pop(into: batch)
                if got > 0 {
                    idle = 0
                    send(got)
                    continue
                }
                if finishing { break }
            } else if finishing && Now.monotonicNs() - closingSinceNs > UInt64(config.closeTimeoutMs) * 1_000_000 {
                // The collector stayed away: what is queued is dropped.
                while true {
                    let got = ring.pop(into: batch)
                    if got == 0 { break }
                    state.withLock { $0.dropped += UInt64(got) }
                }
                break
            }
            idle += 1
            usleep(idle < 10 ? 200 : 2000)
        }
        if fd >= 0 {
            if isTCP { shutdown(fd, Int32(SHUT_WR)) }
            Glibc.close(fd)
        }
    }
}

/// True when the peer of a TCP socket has closed or reset it (readable, error or hang-up).
private func peerClosed(_ fd: Int32) -> Bool {
    var p = pollfd(fd: fd, events: Int16(POLLIN) | 0x2000 /* POLLRDHUP, hidden without _GNU_SOURCE */, revents: 0)
    return poll(&p, 1, 0) > 0 && p.revents != 0
}
