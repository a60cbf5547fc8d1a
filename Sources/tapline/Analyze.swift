import ArgumentParser
import Engine
import FlowTrack
import PacketCore
#if canImport(Glibc)
import Glibc
#endif

/// `tapline analyze FILE...`: the capture pipeline on pcap/pcapng files.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Dissect pcap/pcapng files into flow records (NDJSON), with a summary on standard error.",
        discussion: """
            Files are read in order as one stream of packets. Flow timeouts run on packet time, so the \
            same files give the same records on every run, whatever the worker count (record order aside). \
            Exit status: 0 on success, 2 when a file could not be read to its end (records before the \
            error are still written), 1 on other errors.
            """)

    @Argument(help: "pcap or pcapng files.")
    var files: [String]

    @Option(name: .shortAndLong, help: "Where to write flow records: a file, or - for standard output.")
    var output: String = "-"

    @Option(help: "Worker threads (1 = run to completion on the reader thread).")
    var workers: Int = 1

    @Option(help: "CPUs to pin workers to, e.g. 2,4,6 (default: round robin after CPU 0).")
    var cores: String?

    @Flag(help: "Do not pin worker threads.")
    var noPin = false

    @Option(help: "Flow-table capacity per worker.")
    var maxFlows: Int = FlowTableConfig().capacity

    @Flag(name: .customLong("no-l7"), help: "Skip application-layer classification and metadata (L2–L4 flows only).")
    var noL7 = false

    @Option(help: "Idle timeout, seconds.")
    var idleTimeout: Double = 120

    @Option(help: "Active timeout, seconds.")
    var activeTimeout: Double = 1800

    @Flag(help: "Never draw the progress bar (it is drawn only when standard error is a terminal).")
    var noProgress = false

    @Option(help: "Also write the summary as JSON to this file.")
    var summaryJSON: String?

    @Flag(help: "No summary on standard error.")
    var quiet = false

    func validate() throws {
        guard workers >= 1 && workers <= 256 else { throw ValidationError("--workers must be between 1 and 256") }
        guard maxFlows >= 1 && maxFlows <= 100_000_000 else {
            throw ValidationError("--max-flows must be between 1 and 100000000")
        }
        guard idleTimeout > 0, activeTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        _ = try parsedCores()
    }

    func parsedCores() throws -> [Int]? {
        guard let cores else { return nil }
        let list = cores.split(separator: ",").map { Int($0.trimmingCharacters(in: " ")) }
        guard !list.isEmpty, list.allSatisfy({ $0 != nil && $0! >= 0 }) else {
            throw ValidationError("--cores takes CPU numbers separated by commas, e.g. 0,2")
        }
        return list.map { $0! }
    }

    func run() throws {
        var options = AnalysisOptions()
        options.workers = workers
        options.cores = try parsedCores()
        options.pin = !noPin
        options.flowTable.capacity = maxFlows
        options.flowTable.l7Enabled = !noL7
        options.flowTable.idleTimeoutNs = UInt64(idleTimeout * 1e9)
        options.flowTable.activeTimeoutNs = UInt64(activeTimeout * 1e9)
        options.progress = !noProgress && isatty(2) == 1

        var out: RecordOutput
        do { out = try RecordOutput(path: output) } catch {
            throw ToolError("cannot write flow records: \(error)")
        }
        let report = try FileAnalysis.run(paths: files, options: options, output: &out)
        out.close()

        let summary = Summary(report: report)
        if !quiet { writeStandardError(summary.text) }
        if let summaryJSON {
            do {
                let sink = try Export.FileSink(path: summaryJSON)
                try sink.write(Array(summary.json.utf8))
                try sink.close()
            } catch { throw ToolError("cannot write summary: \(error)") }
        }
        for e in report.fileErrors { writeStandardError("tapline: error: \(e)\n") }
        if let e = out.error { throw ToolError("writing flow records failed: \(e)") }
        if !report.fileErrors.isEmpty { throw ExitCode(2) }
    }
}

import Export

/// An error the tool reports in one line and exits 1 for.
struct ToolError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}
