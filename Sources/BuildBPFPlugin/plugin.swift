import Foundation
import PackagePlugin

/// Compiles the target's BPF program, `BPF/<target name in lower case>.bpf.c` (`prefilter.bpf.c` for
/// `Prefilter`, `replayxdp.bpf.c` for `ReplayXDP`), with the toolchain's clang (`-target bpf -O2 -g
/// -Wall -Werror`) into `<name>.bpfobj`, a resource of that target (read at run time through
/// `Bundle.module`). Rebuilt whenever the source or a header under BPF/ changes.
@main
struct BuildBPFPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let bpfDirectory = context.package.directoryURL.appending(path: "BPF")
        let files = try FileManager.default.contentsOfDirectory(at: bpfDirectory, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let sources = files.filter { $0.lastPathComponent == target.name.lowercased() + ".bpf.c" }
        let headers = files.filter { $0.pathExtension == "h" }
        let clang = try context.tool(named: "clang")
        #if arch(arm64)
        let multiarch = "/usr/include/aarch64-linux-gnu"
        #else
        let multiarch = "/usr/include/x86_64-linux-gnu"
        #endif
        return sources.map { source in
            let name = String(source.lastPathComponent.dropLast(".bpf.c".count))
            let output = context.pluginWorkDirectoryURL.appending(path: "\(name).bpfobj")
            return .buildCommand(
                displayName: "Compiling BPF \(source.lastPathComponent)",
                executable: clang.url,
                arguments: ["-target", "bpf", "-O2", "-g", "-Wall", "-Werror",
                            "-I", multiarch, "-I", bpfDirectory.path,
                            "-c", source.path, "-o", output.path],
                inputFiles: [source] + headers,
                outputFiles: [output])
        }
    }
}
