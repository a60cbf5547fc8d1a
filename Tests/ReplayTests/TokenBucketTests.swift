@testable import Replay
import Testing

@Suite struct TokenBucketTests {
    @Test func startsEmptyAndFillsAtTheRate() {
        var b = TokenBucket(rate: 1000, capacity: 64, now: 0)
        #expect(b.available(now: 0) == 0)
        #expect(b.nanosecondsUntil(1) == 1_000_000)          // one packet per ms
        #expect(b.available(now: 999_999) == 0)
        #expect(b.available(now: 1_000_000) == 1)
        #expect(b.available(now: 10_000_000) == 10)
        b.consume(10)
        #expect(b.available(now: 10_000_000) == 0)
        #expect(b.nanosecondsUntil(5) == 5_000_000)
    }

    @Test func creditIsCappedAtTheCapacity() {
        var b = TokenBucket(rate: 1_000_000, capacity: 32, now: 0)
        #expect(b.available(now: 3_600_000_000_000) == 32)    // an hour later: one burst, no overflow
        b.consume(32)
        #expect(b.available(now: 3_600_000_000_000) == 0)
        #expect(b.nanosecondsUntil(32) == 32_000)
        #expect(b.nanosecondsUntil(1000) == 32_000)            // asks beyond the capacity wait for a full bucket
    }

    @Test func aClockGoingBackAddsNothing() {
        var b = TokenBucket(rate: 100, capacity: 10, now: 1_000_000_000)
        #expect(b.available(now: 500_000_000) == 0)
        #expect(b.available(now: 1_050_000_000) == 5)
    }

    @Test func fractionsCarryOverWithoutDrift() {
        // 3 packets/s checked every 100 ms for 10 s: exactly 30 packets, none lost to rounding.
        var b = TokenBucket(rate: 3, capacity: 100, now: 0)
        var sent = 0
        for step in 1...100 {
            let n = b.available(now: UInt64(step) * 100_000_000)
            b.consume(n)
            sent += n
        }
        #expect(sent == 30)
    }

    @Test func batchGranularSendingKeepsTheRate() {
        // The replayer's loop: wait until a whole batch is available, wake late by up to 80 µs, send it.
        let rate: UInt64 = 200_000, batch = 64
        var b = TokenBucket(rate: rate, capacity: 2 * batch, now: 0)
        var now: UInt64 = 0
        var sent = 0
        while sent < 100_000 {
            if b.available(now: now) >= batch {
                b.consume(batch); sent += batch
            } else {
                now = b.last + b.nanosecondsUntil(batch) + UInt64(sent % 80) * 1_000
            }
        }
        let seconds = Double(now) / 1e9
        #expect(abs(seconds - Double(sent) / Double(rate)) < 0.001)
    }

    @Test func theHighestRateDoesNotOverflow() {
        var b = TokenBucket(rate: TokenBucket.maximumRate, capacity: 1 << 20, now: 0)
        #expect(b.available(now: UInt64.max / 2) == 1 << 20)
    }
}

@Suite struct FilePacerTests {
    @Test func dueTimesFollowTheFileAndTheSpeed() {
        let p = FilePacer(start: 1_000, firstCapture: 5_000_000_000, lastCapture: 5_003_000_000, packets: 4, speed: 1)
        #expect(p.period == 4_000_000)                           // span 3 ms + mean gap 1 ms
        #expect(p.due(capture: 5_000_000_000, loop: 0) == 1_000)
        #expect(p.due(capture: 5_002_000_000, loop: 0) == 2_001_000)
        #expect(p.due(capture: 5_000_000_000, loop: 2) == 8_001_000)
        let fast = FilePacer(start: 0, firstCapture: 0, lastCapture: 3_000_000, packets: 4, speed: 2)
        #expect(fast.due(capture: 2_000_000, loop: 0) == 1_000_000)
        #expect(fast.due(capture: 0, loop: 1) == 2_000_000)
    }

    @Test func earlierCaptureTimesAreDueAtOnce() {
        let p = FilePacer(start: 7, firstCapture: 100, lastCapture: 100, packets: 1, speed: 0.5)
        #expect(p.period == 0)
        #expect(p.due(capture: 50, loop: 0) == 7)
        #expect(p.due(capture: 100, loop: 9) == 7)
    }
}
