import ArgumentParser

@main
struct Tapline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tapline",
        abstract: "Line-rate packet capture and protocol dissection.",
        version: TaplineVersion.string,
        subcommands: [Analyze.self, CaptureCommand.self, Synth.self, ReplayCommand.self, Plan.self, Rules.self,
                      PrefilterCommand.self, Detach.self,
                      Version.self])
}

enum TaplineVersion {
    static let string = "0.1.0"
}
