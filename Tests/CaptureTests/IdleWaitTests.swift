@testable import Capture
import Engine
import Glibc
import Testing

/// The packet threads' idle policy: 32 quick looks, then looks with spin-wait hints (a yield every
/// 8th) until `spinNs` have been spent looking, then sleeps until frames come.
@Suite(.serialized) struct IdleWaitTests {
    /// Looks until `idle` says sleep, at most `limit` times; returns how many it took (nil: never).
    static func looksUntilSleep(_ idle: inout IdleWait, limit: Int = 50_000_000) -> Int? {
        for n in 0..<limit where idle.idle() { return n }
        return nil
    }

    @Test func spinsForItsTimeThenSleeps() throws {
        var idle = IdleWait(spinNs: 3_000_000)
        let start = monotonicNs()
        let looks = try #require(Self.looksUntilSleep(&idle))
        #expect(monotonicNs() - start >= 3_000_000)
        #expect(looks > 32)
        #expect(idle.sleeps == 1)
        let again = idle.idle() // still idle: sleeps again at once
        #expect(again)
        #expect(idle.sleeps == 2)
    }

    @Test func framesStartTheSpinAgain() throws {
        var idle = IdleWait(spinNs: 20_000_000)
        for _ in 0..<100 { let slept = idle.idle(); #expect(!slept) }
        idle.reset()
        #expect(idle.sleeps == 0)
        let start = monotonicNs()
        // The spin is counted from the first empty look after the reset, not from construction.
        _ = try #require(Self.looksUntilSleep(&idle))
        #expect(monotonicNs() - start >= 20_000_000)
    }

    @Test func timeOffTheCPUCountsAsFiftyMicroseconds() {
        var idle = IdleWait(spinNs: 5_000_000)
        for _ in 0..<32 { let slept = idle.idle(); #expect(!slept) }
        // Looks at least 100 µs apart (as when another thread of the core runs in between): 20 of
        // them take 2 ms or more, but count as 1 ms of looking at most, short of the 5 ms spin
        // (and of the 50 ms cap unless the machine stalls the thread that long).
        let start = monotonicNs()
        var slept = false
        for _ in 0..<20 {
            usleep(100)
            slept = idle.idle()
            if slept { break }
        }
        #expect(!slept || monotonicNs() - start >= 50_000_000)
    }

    @Test func aBusyNeighbourCannotKeepTheThreadUp() throws {
        // Looks 1 ms apart count 50 µs each: the 1 ms spin would take 20 of them, but the cap
        // (10 × 1 ms) ends the spin after about 10.
        var idle = IdleWait(spinNs: 1_000_000)
        for _ in 0..<32 { let slept = idle.idle(); #expect(!slept) }
        let start = monotonicNs()
        var looks = 0
        var slept = false
        while !slept && looks < 40 {
            usleep(1000)
            looks += 1
            slept = idle.idle()
        }
        #expect(slept)
        #expect(looks < 20)
        #expect(monotonicNs() - start >= 10_000_000)
    }

    @Test func zeroSpinSleepsAfterThirtyTwoLooks() {
        var idle = IdleWait(spinNs: 0)
        for _ in 0..<32 { let slept = idle.idle(); #expect(!slept) }
        let slept = idle.idle()
        #expect(slept)
    }
}
