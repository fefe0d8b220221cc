import ArgumentParser
import Foundation
import GeoKit
import HotspotConfig
import Pipeline

/// `hotspot slurm submit`: the five phases of a sharded run as Slurm jobs chained with `--dependency=afterok`, two
/// of them job arrays of one task per shard, through the project's own `deploy/slurm/run.sbatch`. Slurm schedules;
/// this only writes the `sbatch` calls (and runs them unless `--print`).
struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm", abstract: "Submit a sharded run to a Slurm cluster.",
        subcommands: [SlurmSubmitCommand.self])
}

struct SlurmSubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit plan, score (array), rank, classify (array) and publish as chained sbatch jobs.",
        discussion: examples("hotspot slurm submit --config Config/hotspot.yaml --shards 32",
                             "hotspot slurm submit --config Config/hotspot.yaml --shards 32 --print",
                             "hotspot slurm submit --config g.yaml --shards 128 --assemble",
                             "hotspot slurm submit --config g.yaml --shards 32 --tiles",
                             "hotspot slurm submit --shards 8 --tiles --tiles-option=--zoom=0-9"))

    @OptionGroup var common: ConfigOption
    @Option(help: "Number of shards (tasks of the score and classify arrays).") var shards: Int
    @Option(name: .customLong("run-dir"), help: "The run folder (default: a new run under output.dir).")
    var runDirectory: String?
    @Option(help: "The sbatch script of a phase.") var script = "deploy/slurm/run.sbatch"
    @Flag(help: "Publish one COG per layer instead of VRT mosaics.") var assemble = false
    @Flag(help: "Then make the run's tile pyramids: a job array of tile shards after publish, and the merge.")
    var tiles = false
    @Option(name: .customLong("tiles-option"), help: "An option for both tiles jobs (e.g. --tiles-option=--zoom=0-9); repeatable.")
    var tilesOptions: [String] = []
    @Option(name: .customLong("sbatch-option"), help: "An option for every sbatch call (e.g. --sbatch-option=--partition=long); repeatable.")
    var sbatchOptions: [String] = []
    @Flag(name: .customLong("print"), help: "Print the sbatch calls as a shell script instead of running them.")
    var printOnly = false

    func run() throws {
        let config = try failingInOneSentence { try HotspotConfiguration.load(path: common.config) }
        guard shards >= 1 else { throw failure("--shards must be 1 or more, not \(shards)") }
        guard FileManager.default.isReadableFile(atPath: script) else {
            throw failure("no sbatch script at \(script) (the project's deploy/slurm/run.sbatch): pass --script PATH")
        }
        let absolute = { (path: String) in
            Storage.isVirtual(path) || path.hasPrefix("/") ? path
                : FileManager.default.currentDirectoryPath + "/" + path
        }
        let runDirectory = absolute(self.runDirectory ?? Storage.join(
            config.output.dir, HotspotRun.newRunID(configText: config.text, outputDirectory: config.output.dir)))
        // The tasks run this very executable (on storage the nodes share), whatever PATH says there.
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? absolute(CommandLine.arguments[0])
        let configFile = absolute(common.config), sbatchScript = absolute(script)
        let shared = ["--parsable", "--export=ALL,HOTSPOT=\(executable)"] + sbatchOptions
        let last = "\(shards - 1)"
        var steps: [(name: String, options: [String], arguments: [String])] = [
            ("plan", [], ["plan", runDirectory, configFile, "\(shards)"]),
            ("score", ["--array=0-\(last)"], ["score", runDirectory]),
            ("rank", [], ["rank", runDirectory]),
            ("classify", ["--array=0-\(last)"], ["classify", runDirectory]),
            ("publish", [], ["publish", runDirectory] + (assemble ? ["--assemble"] : [])),
        ]
        if tiles {
            steps += [("tiles", ["--array=0-\(last)"], ["tiles", runDirectory, configFile] + tilesOptions),
                      ("tiles-merge", [], ["tiles-merge", runDirectory, configFile] + tilesOptions)]
        }
        if printOnly {
            var lines = ["#!/bin/bash", "set -euo pipefail"]
            var previous: String?
            for step in steps {
                let dependency = previous.map { ["--dependency=afterok:$\($0)"] } ?? []
                let words = ["sbatch"] + shared + ["--job-name=hotspot-\(step.name)"] + dependency + step.options
                    + [sbatchScript] + step.arguments
                lines.append(step.name.replacingOccurrences(of: "-", with: "_") + "=$(" + words.map(shellQuoted).joined(separator: " ") + ")")
                previous = step.name.replacingOccurrences(of: "-", with: "_")
            }
            let names = steps.map { "$" + $0.name.replacingOccurrences(of: "-", with: "_") }.joined(separator: " ")
            lines.append("echo \"run \(runDirectory): jobs \(names)\"")
            print(lines.joined(separator: "\n"))
            return
        }
        var previous: String?
        var ids: [String] = []
        for step in steps {
            let dependency = previous.map { ["--dependency=afterok:\($0)"] } ?? []
            let words = shared + ["--job-name=hotspot-\(step.name)"] + dependency + step.options + [sbatchScript]
                + step.arguments
            let id = try sbatch(words, step: step.name)
            ids.append(id)
            previous = id
        }
        Terminal.info("submitted run \(runDirectory) in \(shards) shards: plan \(ids[0]), score \(ids[1]) "
                      + "(array), rank \(ids[2]), classify \(ids[3]) (array), publish \(ids[4]); follow it with "
                      + "`squeue` (`latest` switches when publish ends)"
                      + (tiles ? "; tiles \(ids[5]) (array), tiles-merge \(ids[6])" : ""))
        print(ids.joined(separator: " "))
    }

    /// Runs sbatch; its `--parsable` answer is the job id (`id` or `id;cluster`).
    private func sbatch(_ arguments: [String], step: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sbatch"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { throw failure("cannot run sbatch (\(error.localizedDescription)): is Slurm installed here?") }
        let answer = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let id = answer.split(separator: ";").first?.trimmingCharacters(in: .whitespacesAndNewlines), !id.isEmpty else {
            let reason = message.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: "; ")
            throw failure("sbatch refused the \(step) job: \(reason.isEmpty ? "exit \(process.terminationStatus)" : reason)")
        }
        return id
    }

    private func failure(_ message: String) -> ExitCode {
        Terminal.error(message)
        return ExitCode.failure
    }

    private func shellQuoted(_ word: String) -> String {
        if word.hasPrefix("--dependency=afterok:$") { return word }
        let safe = word.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./=,:@%+".unicodeScalars.contains($0) }
        return safe ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
