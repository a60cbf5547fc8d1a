import Testing
import Rings
import Foundation

@Suite struct SPSCRingTests {
    @Test func capacityRoundsUpToPowerOfTwo() {
        #expect(SPSCRing<Int>(minimumCapacity: 1000).capacity == 1024)
        #expect(SPSCRing<Int>(minimumCapacity: 1).capacity == 1)
    }

    @Test func fifoOrderAndFullEmpty() {
        let ring = SPSCRing<UInt32>(minimumCapacity: 4)
        #expect(ring.pop() == nil)
        for i: UInt32 in 0..<4 { #expect(ring.push(i)) }
        #expect(!ring.push(99))
        #expect(ring.count == 4)
        for i: UInt32 in 0..<4 { #expect(ring.pop() == i) }
        #expect(ring.pop() == nil)
    }

    @Test func batchesWrapAround() {
        let ring = SPSCRing<Int>(minimumCapacity: 8)
        var next = 0
        var expected = 0
        var out = [Int](repeating: 0, count: 5)
        for _ in 0..<100 {
            let batch = (0..<5).map { next + $0 }
            let pushed = batch.withUnsafeBufferPointer { ring.push(contentsOf: $0) }
            next += pushed
            let popped = out.withUnsafeMutableBufferPointer { ring.pop(into: $0) }
            for i in 0..<popped {
                #expect(out[i] == expected)
                expected += 1
            }
        }
        #expect(expected > 0)
    }

    /// Two threads move 100 M items (TAPLINE_RING_ITEMS overrides, e.g. under ThreadSanitizer);
    /// the consumer checks order and a checksum.
    @Test func twoThreadsMoveHundredMillionItems() async {
        let total = ProcessInfo.processInfo.environment["TAPLINE_RING_ITEMS"].flatMap { Int($0) } ?? 100_000_000
        let ring = SPSCRing<UInt64>(minimumCapacity: 4096)
        let producer = Thread {
            var batch = [UInt64](repeating: 0, count: 32)
            var sent = 0
            while sent < total {
                let n = min(32, total - sent)
                for i in 0..<n { batch[i] = UInt64(sent + i) }
                var done = 0
                while done < n {
                    let pushed = batch.withUnsafeBufferPointer {
                        ring.push(contentsOf: UnsafeBufferPointer(rebasing: $0[done..<n]))
                    }
                    // Give the core away when full: other tests may share these cores.
                    if pushed == 0 { sched_yield() }
                    done += pushed
                }
                sent += n
            }
        }
        producer.start()
        var received = 0
        var sum: UInt64 = 0
        var inOrder = true
        var buffer = [UInt64](repeating: 0, count: 64)
        buffer.withUnsafeMutableBufferPointer { buf in
            while received < total {
                let n = ring.pop(into: buf)
                if n == 0 { sched_yield() }
                for i in 0..<n {
                    if buf[i] != UInt64(received + i) { inOrder = false }
                    sum &+= buf[i]
                }
                received += n
            }
        }
        let t = UInt64(total)
        #expect(inOrder)
        #expect(received == total)
        #expect(sum == t * (t - 1) / 2)
        #expect(ring.isEmpty)
    }
}
