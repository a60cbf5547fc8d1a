import Export
import FlowTrack

/// Flow records to an NDJSON file or standard output. A write error stops writing and is kept,
/// so analysis finishes its accounting and the error is reported once at the end.
struct RecordOutput: FlowRecordSink {
    let writer: NDJSONWriter?
    var error: SystemError?

    init(path: String?) throws {
        writer = try path.map { try NDJSONWriter(path: $0) }
    }

    mutating func emit(_ record: FlowRecord) {
        guard let writer, error == nil else { return }
        do throws(SystemError) { try writer.write(record) } catch { self.error = error }
    }

    mutating func close() {
        guard let writer else { return }
        do throws(SystemError) { try writer.close() } catch { if self.error == nil { self.error = error } }
    }
}
