import CPrefilter
@testable import Prefilter
import Testing

/// The BPF object loader shared by the prefilter and the in-kernel generator: each way it can fail
/// is reported as such, before anything reaches the kernel.
@Suite struct ObjectLoaderTests {
    @Test func bytesThatAreNoObjectAreRefusedAtOpen() {
        #expect {
            _ = try loadBPFObject([UInt8](repeating: 0x5a, count: 256), config: tl_config())
        } throws: { error in
            if case BPFObjectLoadFailure.open = error { return true }
            return false
        }
    }

    @Test func aConfigurationOfTheWrongSizeIsRefused() throws {
        let bytes = try PrefilterProgram.objectBytes()
        #expect {
            _ = try loadBPFObject(bytes, config: UInt16(1)) // .rodata holds a struct tl_config
        } throws: { error in
            if case BPFObjectLoadFailure.rodata = error { return true }
            return false
        }
    }

    @Test func aFailedSetUpStopsBeforeTheLoad() throws {
        let bytes = try PrefilterProgram.objectBytes()
        var called = false
        #expect {
            _ = try loadBPFObject(bytes, config: tl_config()) { _ in called = true; return (-22, "sizing a map") }
        } throws: { error in
            if case BPFObjectLoadFailure.configure(-22, "sizing a map") = error { return true }
            return false
        }
        #expect(called)
    }
}
