import Foundation

/// Runs the Python scripts in `Tests/ConformanceTests/Python` with the system's `python3`.
enum PythonScript {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python")
    static let installHint = "The conformance tests need the official OpenAI Python client: run `python3 -m pip install openai`."
    /// The status `harness.require_openai()` exits with when `import openai` fails.
    static let missingOpenAIStatus: Int32 = 3

    struct Outcome {
        let status: Int32
        let output: String
    }

    /// Whether `import openai` works, installing the client with pip first if it is missing
    /// (the issue asks for the real client, installed in the test setup); the reason when it
    /// still does not.
    static func openAIImportProblem() async throws -> String? {
        if try await run(["-c", "import openai"], timeout: .seconds(60)).status == 0 { return nil }
        let install = try await run(["-m", "pip", "install", "--quiet", "openai"], timeout: .seconds(300))
        let outcome = try await run(["-c", "import openai"], timeout: .seconds(60))
        return outcome.status == 0 ? nil : "\(installHint)\n\(install.output)\n\(outcome.output)"
    }

    /// Runs `python3 <script> <arguments>` from the scripts' folder, killing it after `timeout`.
    static func run(script: String, _ arguments: [String], timeout: Duration) async throws -> Outcome {
        try await run([folder.appendingPathComponent(script).path] + arguments, timeout: timeout)
    }

    private static func run(_ arguments: [String], timeout: Duration) async throws -> Outcome {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("tern-python-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw ConformanceError("cannot create \(outputURL.path)")
        }
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u"] + arguments
        process.currentDirectoryURL = folder
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                timedOut = true
                process.terminate()
                process.waitUntilExit()
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        try output.close()
        var text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        if timedOut { text += "\n(killed after \(timeout))" }
        return Outcome(status: timedOut ? -1 : process.terminationStatus, output: text)
    }
}
