import ArgumentParser
import Engine
import Foundation
import ModelStore

/// Options shared by every command that loads a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Path to a GGUF model file (default: SmolLM2-135M-Instruct Q4_1, fetched on first use).")
    var model: String?

    @Option(name: .long, help: "Compute threads (default: number of cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// Resolves and loads the model, reporting progress on stderr.
    func load() throws(CLIError) -> ModelBundle {
        let path: String
        do {
            path = try ModelStore().resolve(model) { message in printError(message) }
        } catch {
            throw CLIError("\(error)")
        }
        do {
            return try ModelBundle(path: path, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        } catch {
            throw CLIError("\(error)")
        }
    }
}

/// A user-facing failure: printed as one line on stderr, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Writes text to stdout immediately, so tokens appear as they are generated.
func writeOut(_ text: String) {
    guard !text.isEmpty else { return }
    FileHandle.standardOutput.write(Data(text.utf8))
}

extension ParsableCommand {
    /// Runs `body`, turning a `CLIError` into one line on stderr and exit status 1.
    func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as CLIError {
            printError("error: \(error.description)")
            throw ExitCode.failure
        }
    }
}
