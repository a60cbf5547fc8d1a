@testable import Capture
import Engine
import Glibc
import Testing

/// The packet threads' idle policy: 32 quick looks, then looks with a yield between them until
/// `spinNs` have passed since the first empty look, then sleeps.
@Suite struct IdleWaitTests {
    @Test func spinsForItsTimeThenSleeps() {
        var idle = IdleWait(spinNs: 3_000_000)
        let start = monotonicNs()
        var looks = 0
        while !idle.idle() { looks += 1 }
        #expect(monotonicNs() - start >= 3_000_000)
        #expect(looks > 32)
        #expect(idle.sleeps == 1)
        let again = idle.idle() // still idle: sleeps again at once
        #expect(again)
        #expect(idle.sleeps == 2)
    }

    @Test func framesStartTheSpinAgain() {
        var idle = IdleWait(spinNs: 50_000_000)
        for _ in 0..<100 { let slept = idle.idle(); #expect(!slept) }
        idle.reset()
        #expect(idle.sleeps == 0)
        let start = monotonicNs()
        for _ in 0..<32 { let slept = idle.idle(); #expect(!slept) }
        // The spin is measured from the first empty look after the reset, not from construction.
        while !idle.idle() {}
        #expect(monotonicNs() - start >= 50_000_000)
    }

    @Test func timeOffTheCPUDoesNotCountAsSpinning() {
        var idle = IdleWait(spinNs: 1_000_000)
        for _ in 0..<32 { let slept = idle.idle(); #expect(!slept) }
        // Looks 100 µs apart (as when another thread of the core runs in between): 3 ms pass, yet
        // each gap starts the spin again.
        for _ in 0..<30 {
            usleep(100)
            let slept = idle.idle()
            #expect(!slept)
        }
        while !idle.idle() {}
        #expect(idle.sleeps == 1)
    }

    @Test func zeroSpinSleepsAfterThirtyTwoLooks() {
        var idle = IdleWait(spinNs: 0)
        for _ in 0..<32 { let slept = idle.idle(); #expect(!slept) }
        let slept = idle.idle()
        #expect(slept)
    }
}
