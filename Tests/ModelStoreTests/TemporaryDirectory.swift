import Foundation

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tern-store-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Writes an executable `/bin/sh` script and returns its path once it can be executed.
    ///
    /// A process forked by a concurrent test between our write and our close holds the file
    /// open for writing until it execs, and executing the script meanwhile fails with ETXTBSY
    /// ("Text file busy"). So the script is run with a probe argument until that has passed.
    func script(_ name: String, _ body: String) throws -> String {
        let scriptPath = path + "/" + name
        let probe = "if [ \"$1\" = --tern-probe ]; then exit 0; fi\n"
        try Data(("#!/bin/sh\n" + probe + body).utf8).write(to: URL(fileURLWithPath: scriptPath))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scriptPath)
        for attempt in 1...200 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: scriptPath)
            process.arguments = ["--tern-probe"]
            do {
                try process.run()
                process.waitUntilExit()
                if process.terminationStatus == 0 { break }
            } catch where attempt < 200 {
                usleep(5_000)
            }
        }
        return scriptPath
    }

    func contents(_ relativePath: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path + "/" + relativePath)) ?? []
    }
}
