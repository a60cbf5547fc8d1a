#if canImport(Glibc)
import Glibc
#endif
import CShims

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

    /// Prefetches the start of the record at `head` (its header and the first bytes of the frame,
    /// where the L2–L4 headers are) while the caller dissects the record just returned. The file's
    /// bytes are not in the cache, and without this every record header is a wait on memory (a
    /// sixth of the time of `analyze`). Only lines inside the window are named; a hint, so nothing
    /// depends on it.
    @inline(__always)
    func prefetchNextRecord() {
        guard tail - head >= CaptureFileLimits.prefetchBytes, let base = storage.baseAddress else { return }
        var offset = 0
        while offset < CaptureFileLimits.prefetchBytes {
            tapline_prefetch(base + head + offset)
            offset += 64
        }
    }

    @inline(never)
    private func fill(_ count: Int) throws(CaptureFileError) -> Bool {
        if mapped { return try slideWindow(count) }
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

    /// Maps the window that starts at the page holding the next unconsumed byte. The window reaches
    /// the end of the file or `mapWindow` bytes, whichever is first; as `mapWindow` exceeds every
    /// record limit, a record that does not fit means the file ends inside it.
    private func slideWindow(_ count: Int) throws(CaptureFileError) -> Bool {
        let next = bufferFileOffset + UInt64(head)
        if next + UInt64(count) > mappedFileSize {
            var info = stat()
            if fstat(fd, &info) == 0 { mappedFileSize = UInt64(max(0, info.st_size)) }
        }
        let page = UInt64(max(4096, sysconf(Int32(_SC_PAGESIZE))))
        let start = next & ~(page - 1)
        let length = Int(min(UInt64(CaptureFileLimits.mapWindow), mappedFileSize > start ? mappedFileSize - start : 0))
        if let base = storage.baseAddress { _ = munmap(base, storage.count) }
        storage = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        bufferFileOffset = next
        head = 0
        tail = 0
        if length > 0 {
            // MAP_POPULATE maps the whole window in one call instead of one page fault per page.
            let p = mmap(nil, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, off_t(start))
            if p == MAP_FAILED || p == nil {
                throw corrupt(at: next, "cannot map the file: \(Self.describe(errno: errno))")
            }
            _ = madvise(p, length, MADV_SEQUENTIAL)
            storage = UnsafeMutableRawBufferPointer(start: p, count: length)
            bufferFileOffset = start
            head = Int(next - start)
            tail = length
        }
        if tail - head >= count { return true }
        atEndOfFile = true
        return false
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
