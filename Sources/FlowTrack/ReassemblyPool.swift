import AppProtocols

/// Fixed-size buffers for TCP streams (and QUIC CRYPTO data) that must be joined before a
/// parser can read them, with the byte ranges each holds. Allocated once; a flow direction takes
/// a buffer only while its first message is incomplete and gives it back when it is parsed, when
/// the flow is decided, or when the flow ends. No free buffer, or a message beyond the budget,
/// is flagged `reassemblyOverflow` on the record: never an allocation.
final class ReassemblyPool {
    let bufferSize: Int
    let capacity: Int
    private let memory: UnsafeMutableRawPointer
    private let ranges: UnsafeMutablePointer<ByteRanges>
    private let freeList: UnsafeMutablePointer<Int32>
    private var freeCount: Int
    /// Times a buffer was wanted and none was free.
    private(set) var exhausted: UInt64 = 0
    private(set) var inUse = 0
    private(set) var peakInUse = 0

    init(capacity: Int, bufferSize: Int) {
        precondition(bufferSize > 0 && bufferSize <= 32768, "reassembly buffer size out of range")
        self.capacity = capacity
        self.bufferSize = bufferSize
        memory = .allocate(byteCount: max(1, capacity * bufferSize), alignment: 64)
        ranges = .allocate(capacity: max(1, capacity))
        ranges.initialize(repeating: ByteRanges(), count: max(1, capacity))
        freeList = .allocate(capacity: max(1, capacity))
        for i in 0..<capacity { freeList[i] = Int32(capacity - 1 - i) }
        freeCount = capacity
    }

    deinit {
        memory.deallocate()
        ranges.deallocate()
        freeList.deallocate()
    }

    /// A free buffer's index, or -1 (counted) when none is left.
    @inline(__always)
    func acquire() -> Int32 {
        guard freeCount > 0 else { exhausted &+= 1; return -1 }
        freeCount -= 1
        let b = freeList[freeCount]
        ranges[Int(b)] = ByteRanges()
        inUse += 1
        if inUse > peakInUse { peakInUse = inUse }
        return b
    }

    @inline(__always)
    func release(_ b: Int32) {
        freeList[freeCount] = b
        freeCount += 1
        inUse -= 1
    }

    @inline(__always)
    func bytes(_ b: Int32) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: memory + Int(b) * bufferSize, count: bufferSize)
    }

    @inline(__always)
    func rangesOf(_ b: Int32) -> UnsafeMutablePointer<ByteRanges> { ranges + Int(b) }

    /// Writes `data` at `offset` of buffer `b`, clipped to the budget; returns false if it was cut
    /// or could not be recorded (overflow).
    func write(_ b: Int32, at offset: Int, _ data: UnsafeRawBufferPointer) -> Bool {
        guard offset >= 0, offset < bufferSize else { return false }
        let n = min(data.count, bufferSize - offset)
        if n > 0 {
            (memory + Int(b) * bufferSize + offset).copyMemory(from: data.baseAddress!, byteCount: n)
            if !ranges[Int(b)].insert(offset, offset + n) { return false }
        }
        return n == data.count
    }
}
