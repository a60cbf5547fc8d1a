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

    @Option(name: .shortAndLong, help: "Where to write flow records as NDJSON: a file, - for standard output, or none.")
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

    @Option(name: .customLong("ja4-cache"), help: "Entries of each worker's JA4 hash cache (0: hash every ClientHello).")
    var ja4Cache: Int = FlowTableConfig().ja4CacheEntries

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

    @OptionGroup var exports: ExportOptions

    func validate() throws {
        guard workers >= 1 && workers <= 256 else { throw ValidationError("--workers must be between 1 and 256") }
        guard maxFlows >= 1 && maxFlows <= 100_000_000 else {
            throw ValidationError("--max-flows must be between 1 and 100000000")
        }
        guard idleTimeout > 0, activeTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        _ = try parsedCores()
        try exports.validateExports()
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
        options.flowTable.ja4CacheEntries = max(0, ja4Cache)
        options.flowTable.idleTimeoutNs = UInt64(idleTimeout * 1e9)
        options.flowTable.activeTimeoutNs = UInt64(activeTimeout * 1e9)
        options.progress = !noProgress && isatty(2) == 1

        let anonymizer = try exports.loadAnonymizer()
        let exporters = try exports.makeExporters()
        let pcapWriter = try exports.makePcapWriter(anonymizer: anonymizer)
        options.packetQueue = pcapWriter?.queue
        let board = StatsBoard()
        options.statsBoard = board
        let metricsServer = try exports.startMetrics(board: board, exporters: exporters, pcap: pcapWriter)

        var out: RecordOutput
        do {
            out = try RecordOutput(path: output == "none" ? nil : output,
                                   rotateBytes: exports.ndjsonRotateBytes, rotateSeconds: exports.ndjsonRotateSeconds,
                                   exporters: exporters, anonymizer: anonymizer)
        } catch {
            throw ToolError("cannot write flow records: \(error)")
        }
        let report: AnalysisReport
        do {
            report = try FileAnalysis.run(paths: files, options: options, output: &out)
        } catch {
            // Outputs are closed valid on every exit: what was written stays readable.
            out.close(); pcapWriter?.close(); exports.stopMetrics(metricsServer)
            throw error
        }
        out.close()
        pcapWriter?.close()
        exports.stopMetrics(metricsServer)

        let summary = Summary(report: report)
        if !quiet {
            var text = summary.text
            for e in exporters {
                let st = e.stats
                text += "  ipfix    \(e.config.destination): records sent \(st.sent)  dropped \(st.dropped)  messages \(st.messages)\n"
            }
            if let p = pcapWriter?.stats {
                text += "  pcapng   packets written \(p.packetsWritten)  cut off \(p.packetsCutOff)"
                text += "  lost (queue full) \(p.packetsLostQueueFull)  lost (write error) \(p.packetsLostWriteError)  files \(p.filesOpened)\n"
            }
            writeStandardError(text)
        }
        for e in exporters { if let err = e.lastError { writeStandardError("tapline: ipfix \(e.config.destination): \(err)\n") } }
        if let err = pcapWriter?.lastError { writeStandardError("tapline: \(err)\n") }
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
