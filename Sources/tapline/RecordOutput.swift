import Anonymize
import Export
import FlowTrack
import Outputs

/// Flow records to every output the command line asked for: NDJSON (a file with rotation, or
/// standard output) and IPFIX exporters, all after the same anonymization. Runs on the thread
/// that drains records; IPFIX `offer` never blocks. A write error stops NDJSON writing and is
/// kept, so analysis finishes its accounting and the error is reported once at the end.
struct RecordOutput: FlowRecordSink {
    let writer: RotatingNDJSONWriter?
    let exporters: [IPFIXExporter]
    let anonymizer: CryptoPAn?
    var error: SystemError?

    init(path: String?, rotateBytes: UInt64 = 0, rotateSeconds: UInt64 = 0,
         exporters: [IPFIXExporter] = [], anonymizer: CryptoPAn? = nil) throws {
        writer = try path.map { try RotatingNDJSONWriter(path: $0, maxBytes: rotateBytes, maxSeconds: rotateSeconds) }
        self.exporters = exporters
        self.anonymizer = anonymizer
    }

    mutating func emit(_ record: FlowRecord) {
        // A record is 664 bytes: copied only when anonymization rewrites its addresses.
        if let anonymizer {
            var r = record
            r.src = anonymizer.anonymize(r.src)
            r.dst = anonymizer.anonymize(r.dst)
            deliver(r)
        } else {
            deliver(record)
        }
    }

    private mutating func deliver(_ r: FlowRecord) {
        for e in exporters { e.offer(r) }
        guard let writer, error == nil else { return }
        do throws(SystemError) { try writer.write(r) } catch { self.error = error }
    }

    mutating func close() {
        for e in exporters { e.close() }
        guard let writer else { return }
        do throws(SystemError) { try writer.close() } catch { if self.error == nil { self.error = error } }
    }
}
