#if canImport(Glibc)
import Glibc
#endif

// The read buffer: a window `storage[head..<tail]` over the file, refilled with read(2).
extension CaptureFileReader {
    /// Unconsumed bytes in the buffer.
    var available: Int { tail - head }

    /// The buffer as read-only bytes, for loads.
    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(storage) }

    /// Marks `count` bytes as read; the caller has checked `count <= available`.
    @inline(__always)
    func consume(_ count: Int) { head += count }

    /// Makes `count` bytes available at `head`, reading as needed. False if the file ends first.
    /// May move the window (so `head` changes and earlier packet pointers become invalid).
    /// The caller keeps `count` within `CaptureFileLimits`.
    @inline(__always)
    func ensure(_ count: Int) throws(CaptureFileError) -> Bool {
        if tail - head >= count { return true }
        return try fill(count)
    }

    @inline(never)
    private func fill(_ count: Int) throws(CaptureFileError) -> Bool {
        if count > storage.count {
            grow(toAtLeast: count)
        } else if head + count > storage.count {
            compact()
        }
        // Here head + count <= storage.count, so while short of count there is room to read into.
        while tail - head < count {
            if atEndOfFile { return false }
            let got = read(fd, storage.baseAddress! + tail, storage.count - tail)
            if got > 0 {
                tail += got
            } else if got == 0 {
                atEndOfFile = true
            } else {
                let code = errno
                if code == EINTR { continue }
                throw corrupt(at: bufferFileOffset + UInt64(tail),
                              "read failed: \(Self.describe(errno: code))")
            }
        }
        return true
    }

    /// Moves the unconsumed bytes to the start of the buffer.
    private func compact() {
        let live = tail - head
        if live > 0, head > 0 {
            // memmove semantics: the ranges may overlap.
            UnsafeMutableRawPointer(storage.baseAddress!).copyMemory(
                from: storage.baseAddress! + head, byteCount: live)
        }
        bufferFileOffset += UInt64(head)
        head = 0
        tail = live
    }

    /// Replaces the buffer by a larger one (a record bigger than the buffer, within the limits).
    /// Doubles so a run of growing records does not reallocate each time.
    private func grow(toAtLeast count: Int) {
        let target = max(count, min(storage.count * 2, CaptureFileLimits.maxPcapngBlockLength))
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: target, alignment: 64)
        let live = tail - head
        if live > 0 {
            larger.baseAddress!.copyMemory(from: storage.baseAddress! + head, byteCount: live)
        }
        storage.deallocate()
        storage = larger
        bufferFileOffset += UInt64(head)
        head = 0
        tail = live
    }
}
