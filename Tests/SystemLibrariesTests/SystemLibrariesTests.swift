import Testing
import CXDP
import CNUMA
import CShims

/// The C modules link and their libraries answer.
@Suite struct SystemLibrariesTests {
    @Test func libbpfReportsItsVersion() {
        #expect(libbpf_major_version() >= 1)
    }

    @Test func libxdpRejectsAMissingObjectFile() {
        let prog = xdp_program__open_file("/nonexistent/tapline-test.o", nil, nil)
        #expect(libxdp_get_error(UnsafeRawPointer(prog)) != 0)
    }

    @Test func numaAnswers() {
        // -1 is a normal answer (no NUMA support); otherwise at least one node is configured.
        if numa_available() >= 0 { #expect(numa_num_configured_nodes() >= 1) }
    }

    @Test func pinningMovesTheThread() {
        #expect(tapline_allowed_cpu_count() >= 1)
        #expect(tapline_cpu_allowed(0) == 1)
        #expect(tapline_pin_current_thread(0) == 0)
        #expect(tapline_current_cpu() == 0)
    }
}
