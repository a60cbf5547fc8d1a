import Synchronization

/// A bounded lock-free single-producer single-consumer ring of trivially copyable elements.
///
/// The producer owns `tail`, the consumer owns `head`; each side publishes its index with a
/// releasing store and reads the other's with an acquiring load, so element writes are visible
/// before the index that covers them. Each side keeps a cached copy of the other's index and
/// reloads it only when the ring looks full (producer) or empty (consumer), so a batch costs
/// one or two atomic operations, not one per element. Indices live on their own cache lines.
/// Capacity is a power of two fixed at creation; the ring never allocates after `init`.
public final class SPSCRing<Element: BitwiseCopyable>: @unchecked Sendable {
    // @unchecked Sendable: one thread produces and one consumes; the atomics order their accesses.
    private let storage: UnsafeMutablePointer<Element>
    private let mask: Int
    /// Slots the ring holds.
    public let capacity: Int

    private let consumerSide = Side()
    private let producerSide = Side()

    /// Index state of one side, padded so the two sides never share a cache line.
    private final class Side: @unchecked Sendable {
        private let padBefore: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        /// This side's own index, published to the other side.
        let index = Atomic<Int>(0)
        /// This side's last view of the other side's index (touched only by this side's thread).
        var cachedOther = 0
        private let padAfter: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    /// Creates a ring holding at least `minimumCapacity` elements (rounded up to a power of two).
    public init(minimumCapacity: Int) {
        precondition(minimumCapacity > 0, "ring capacity must be positive")
        var c = 1
        while c < minimumCapacity { c <<= 1 }
        capacity = c
        mask = c - 1
        storage = .allocate(capacity: c)
    }

    deinit { storage.deallocate() }

    // MARK: Producer

    /// Appends one element; false when the ring is full. Producer thread only.
    @inlinable @inline(__always)
    public func push(_ element: Element) -> Bool {
        withUnsafeTemporaryAllocation(of: Element.self, capacity: 1) { one in
            one.initializeElement(at: 0, to: element)
            return push(contentsOf: UnsafeBufferPointer(one)) == 1
        }
    }

    /// Appends as many of `elements` as fit, in order; returns how many. Producer thread only.
    public func push(contentsOf elements: UnsafeBufferPointer<Element>) -> Int {
        let tail = producerSide.index.load(ordering: .relaxed)
        var free = capacity - (tail - producerSide.cachedOther)
        if free < elements.count {
            producerSide.cachedOther = consumerSide.index.load(ordering: .acquiring)
            free = capacity - (tail - producerSide.cachedOther)
        }
        let n = min(free, elements.count)
        if n == 0 { return 0 }
        let start = tail & mask
        let first = min(n, capacity - start)
        // Safe: slots [tail, tail+n) are free, since the consumer's head is at least tail+n-capacity.
        (storage + start).initialize(from: elements.baseAddress!, count: first)
        if first < n { storage.initialize(from: elements.baseAddress! + first, count: n - first) }
        producerSide.index.store(tail + n, ordering: .releasing)
        return n
    }

    // MARK: Consumer

    /// Removes up to `buffer.count` elements into `buffer`; returns how many. Consumer thread only.
    public func pop(into buffer: UnsafeMutableBufferPointer<Element>) -> Int {
        let head = consumerSide.index.load(ordering: .relaxed)
        var available = consumerSide.cachedOther - head
        if available < buffer.count {
            consumerSide.cachedOther = producerSide.index.load(ordering: .acquiring)
            available = consumerSide.cachedOther - head
        }
        let n = min(available, buffer.count)
        if n == 0 { return 0 }
        let start = head & mask
        let first = min(n, capacity - start)
        // Safe: slots [head, head+n) were published by the producer's releasing store we acquired.
        buffer.baseAddress!.initialize(from: storage + start, count: first)
        if first < n { (buffer.baseAddress! + first).initialize(from: storage, count: n - first) }
        consumerSide.index.store(head + n, ordering: .releasing)
        return n
    }

    /// Removes one element, or nil when empty. Consumer thread only.
    @inlinable @inline(__always)
    public func pop() -> Element? {
        withUnsafeTemporaryAllocation(of: Element.self, capacity: 1) { one in
            pop(into: one) == 1 ? one[0] : nil
        }
    }

    /// Elements waiting; exact from either side's thread, approximate from any other.
    public var count: Int {
        producerSide.index.load(ordering: .acquiring) - consumerSide.index.load(ordering: .acquiring)
    }

    public var isEmpty: Bool { count == 0 }
}
