import Testing
import Foundation
import Engine
import Export
import FlowTrack
import Synth

/// NDJSON records of a real analysis validate against docs/flow-record.schema.json
/// (JSON Schema 2020-12, with format checks for the addresses), using python3-jsonschema.
@Suite struct RecordSchemaTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func recordsOfASynthMixValidateAgainstTheSchema() throws {
        let dir = TempDir()
        let capture = dir.file("mix.pcap")
        _ = try Synthesizer.run(SynthConfig(profile: .mix, flows: 800, packets: 20_000, seed: 3), output: capture,
                                manifest: nil)
        let ndjson = dir.file("flows.ndjson")
        let writer = try NDJSONWriter(path: ndjson)
        struct Out: FlowRecordSink {
            let writer: NDJSONWriter
            mutating func emit(_ record: FlowRecord) { try! writer.write(record) }
        }
        var out = Out(writer: writer)
        var options = AnalysisOptions()
        options.workers = 2
        let report = try FileAnalysis.run(paths: [capture], options: options, output: &out)
        try writer.close()
        #expect(report.records == 800)

        let schema = Self.packageRoot.appendingPathComponent("docs/flow-record.schema.json").path
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            n = 0
            for i, line in enumerate(open(sys.argv[2]), 1):
                errors = list(v.iter_errors(json.loads(line)))
                for e in errors[:3]:
                    print(f"line {i}: {e.message}")
                if errors:
                    sys.exit(1)
                n += 1
            print(f"{n} records valid")
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
                              ? "/usr/bin/python3" : "/usr/bin/env")
        p.arguments = (p.executableURL!.path.hasSuffix("env") ? ["python3"] : []) + ["-c", script, schema, ndjson]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "schema validation failed: \(text)")
        #expect(text.contains("800 records valid"), "\(text)")
    }
}
