import ArgumentParser
import Prefilter
#if canImport(Glibc)
import Glibc
#endif

/// Writes one line to standard error (the C global `stderr` is off limits in Swift 6).
func writeStandardError(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
}

/// Reads rules from a file and/or `--rule` arguments; every error is printed with where it is.
struct RuleSources: ParsableArguments {
    @Option(name: .long, help: "A rule file (docs/RULES.md).")
    var rules: String?

    @Option(name: .customLong("rule"), help: "A rule, in the rule-file language (repeatable; after the file's rules).")
    var inline: [String] = []

    /// The combined rule set, or every error (prefixed FILE:LINE:COLUMN or rule N:COLUMN).
    func load() -> Result<RuleSet, RuleProblems> {
        var set = RuleSet()
        var problems: [String] = []
        var fileDefault = false
        if let path = rules {
            guard let text = readFile(path) else { return .failure(RuleProblems(lines: ["\(path): cannot read the file"])) }
            switch RuleParser.parse(text) {
            case .success(let s):
                set = s
                fileDefault = text.split(separator: "\n").contains { $0.trimmingPrefixBlanks.hasPrefix("default") }
            case .failure(let e): problems += e.errors.map { "\(path):\($0)" }
            }
        }
        if !inline.isEmpty {
            switch RuleParser.parse(lines: inline) {
            case .success(let s):
                set.rules += s.rules
                if inline.contains(where: { $0.trimmingPrefixBlanks.hasPrefix("default") }) {
                    if fileDefault { problems.append("--rule: a default action is already set by \(rules ?? "the file")") }
                    set.defaultAction = s.defaultAction
                }
                if set.rules.count > RuleSet.maxRules {
                    problems.append("--rule: more than \(RuleSet.maxRules) rules with the file's")
                }
            case .failure(let e): problems += e.errors.map { "--rule \($0.line): column \($0.column): \($0.message)" }
            }
        }
        return problems.isEmpty ? .success(set) : .failure(RuleProblems(lines: problems))
    }
}

/// Every rule error, one line each.
struct RuleProblems: Error {
    var lines: [String]
}

extension StringProtocol {
    var trimmingPrefixBlanks: SubSequence { drop { $0 == " " || $0 == "\t" } }
}

func readFile(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n <= 0 { break }
        bytes += buffer[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// `tapline rules check FILE`.
struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with prefilter rule files.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a rule file (and --rule rules): every error with line and column; loads nothing.")

        @Argument(help: "The rule file.")
        var file: String?

        @Option(name: .customLong("rule"), help: "A rule to check as well (repeatable).")
        var inline: [String] = []

        func run() throws {
            let sources = try RuleSources.parse((file.map { ["--rules", $0] } ?? []) + inline.flatMap { ["--rule", $0] })
            switch sources.load() {
            case .success(let set):
                print("\(file ?? "rules"): \(set.rules.count) rule\(set.rules.count == 1 ? "" : "s"), default \(set.defaultAction): OK")
            case .failure(let failure):
                let problems = failure.lines
                for p in problems { writeStandardError(p) }
                writeStandardError("\(problems.count) error\(problems.count == 1 ? "" : "s"); nothing loaded")
                throw ExitCode(1)
            }
        }
    }
}


/// `tapline prefilter run|stats`.
struct PrefilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prefilter", abstract: "The XDP prefilter: attach it with rules, read its counters.",
        subcommands: [Run.self, Stats.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attach the prefilter to an interface and keep it there until SIGINT or SIGTERM.",
            discussion: """
                SIGHUP re-reads the rules and replaces them atomically. The prefilter is detached on every \
                exit (normal, error, SIGINT, SIGTERM); if the process is killed, the kernel drops its XDP \
                link, and 'tapline detach -i IF' removes the pinned maps left behind.
                """)

        @Option(name: .shortAndLong, help: "The network interface.")
        var interface: String

        @OptionGroup var sources: RuleSources

        @Option(help: "auto (native, else generic with a notice), native or generic.")
        var mode: String = "auto"

        func validate() throws {
            guard AttachMode(rawValue: mode) != nil else { throw ValidationError("--mode must be auto, native or generic") }
        }

        @Flag(help: "Replace another XDP program on the interface.")
        var force = false

        @Option(help: "Action for truncated or malformed frames: drop, pass or capture.")
        var malformed: String = "pass"

        @Option(help: "Print counters every N seconds (0: only at exit).")
        var statsInterval: Int = 0

        func run() throws {
            var rules = RuleSet()
            switch sources.load() {
            case .success(let s): rules = s
            case .failure(let failure):
                let problems = failure.lines
                for p in problems { writeStandardError(p) }
                writeStandardError("nothing attached")
                throw ExitCode(1)
            }
            var config = PrefilterConfig()
            switch malformed {
            case "drop": config.malformedAction = .drop
            case "pass": config.malformedAction = .pass
            case "capture": config.malformedAction = .capture
            default: throw ValidationError("--malformed must be drop, pass or capture")
            }
            // Signals are taken synchronously with sigtimedwait on this thread: no handler runs
            // anywhere else, and leaving run() by any path detaches (deinit).
            var signals = sigset_t()
            sigemptyset(&signals)
            for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, s) }
            pthread_sigmask(SIG_BLOCK, &signals, nil)

            let program: PrefilterProgram
            do {
                program = try PrefilterProgram(config: config)
                try program.install(rules)
                let a = try program.attach(interface: interface, mode: AttachMode(rawValue: mode) ?? .auto, force: force)
                if let r = a.replaced { writeStandardError("replaced XDP program \(r) on \(interface) (--force)") }
                if let n = a.notice { writeStandardError("notice: \(n)") }
                writeStandardError("prefilter attached to \(interface) (\(a.mode.rawValue) XDP), \(rules.rules.count) rules, "
                                   + "default \(rules.defaultAction); maps pinned in \(a.pinDirectory)")
            } catch {
                writeStandardError("error: \(error)")
                throw ExitCode(1)
            }
            var timeout = timespec(tv_sec: statsInterval > 0 ? statsInterval : 3600, tv_nsec: 0)
            while true {
                let s = sigtimedwait(&signals, nil, &timeout)
                if s == SIGINT || s == SIGTERM {
                    writeStandardError("signal \(s): detaching")
                    break
                }
                if s == SIGHUP {
                    switch sources.load() {
                    case .success(let r):
                        do {
                            try program.install(r)
                            writeStandardError("rules reloaded: \(r.rules.count) rules")
                        } catch {
                            writeStandardError("reload failed, old rules kept: \(error)")
                        }
                    case .failure(let failure):
                        let problems = failure.lines
                        for p in problems { writeStandardError(p) }
                        writeStandardError("reload refused, old rules kept")
                    }
                } else if statsInterval > 0 {
                    print(formatCounters(program.counters(), rules: program.rules))
                }
            }
            print(formatCounters(program.counters(), rules: program.rules))
            program.detach()
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the counters of the prefilter attached to an interface (by any process).")

        @Option(name: .shortAndLong, help: "The network interface.")
        var interface: String

        @Option(help: "Print again every N seconds until interrupted (0: once).")
        var watch: Int = 0

        func run() throws {
            repeat {
                do {
                    print(formatCounters(try PrefilterProgram.pinnedCounters(interface: interface), rules: nil))
                } catch {
                    writeStandardError("error: \(error)")
                    throw ExitCode(1)
                }
                if watch > 0 { sleep(UInt32(watch)) }
            } while watch > 0
        }
    }
}

/// `tapline detach -i IF`.
struct Detach: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove a tapline prefilter from an interface (e.g. one left by a crash) and its pinned maps.")

    @Option(name: .shortAndLong, help: "The network interface.")
    var interface: String

    func run() throws {
        do {
            let done = try PrefilterProgram.detachLeftover(interface: interface)
            print(done.isEmpty ? "no tapline prefilter on \(interface)" : done.joined(separator: "\n"))
        } catch {
            writeStandardError("error: \(error)")
            throw ExitCode(1)
        }
    }
}

func formatCounters(_ c: PrefilterCounters, rules: RuleSet?) -> String {
    func line(_ name: String, _ p: PacketCount) -> String {
        name.padding(18) + String(p.packets).leftPadding(14) + " pkts " + String(p.bytes).leftPadding(16) + " bytes"
    }
    var out = ["prefilter counters (rule set \(c.activeSet), generation \(c.generation))"]
    out.append(line("seen", c.seen))
    out.append(line("dropped", c.dropped))
    out.append(line("passed", c.passed))
    out.append(line("captured", c.captured))
    out.append(line("sample kept", c.sampleKept))
    out.append(line("sample dropped", c.sampleDropped))
    out.append(line("shunted", c.shunted))
    out.append(line("parse errors", c.parseErrors))
    out.append(line("redirect failures", c.redirectFailures))
    out.append(line("metadata failures", c.metadataFailures))
    out.append(line("non-IP", c.nonIP))
    out.append(line("fragments", c.fragments))
    let active = c.rules[c.activeSet]
    let count = rules?.rules.count ?? RuleSet.maxRules
    for i in 0..<count where active[i].packets > 0 || rules != nil {
        let text = rules.map { " (\($0.rules[i].action), line \($0.rules[i].line))" } ?? ""
        out.append(line("rule \(i)", active[i]) + text)
    }
    out.append(line("default", active[RuleSet.maxRules]))
    return out.joined(separator: "\n")
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
    func leftPadding(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
