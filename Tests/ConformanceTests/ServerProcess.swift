import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A `tern serve` child process on 127.0.0.1 and a free port, with its log in a temporary file.
final class ServerProcess {
    let process = Process()
    let port: Int
    let logURL: URL

    /// The `tern` executable SwiftPM built next to this test binary (`/proc/self/exe`'s folder).
    static func ternExecutable() throws -> URL {
        let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let tern = URL(fileURLWithPath: testBinary).deletingLastPathComponent().appendingPathComponent("tern")
        guard FileManager.default.isExecutableFile(atPath: tern.path) else {
            throw ConformanceError("no tern executable next to the test binary at \(tern.path)")
        }
        return tern
    }

    /// Starts `tern serve --host 127.0.0.1 --port <free> --threads 2 <arguments>`.
    init(arguments: [String]) throws {
        port = try Self.freePort()
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("tern-serve-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw ConformanceError("cannot create \(logURL.path)")
        }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }  // the child keeps its own descriptor
        process.executableURL = try Self.ternExecutable()
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", String(port), "--threads", "2"] + arguments
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "(no log)" }

    /// Waits until `/health` answers 200 (the model is loaded; the first run may download it).
    func waitUntilHealthy(timeout: Duration = .seconds(600)) async throws {
        let deadline = ContinuousClock.now + timeout
        let url = URL(string: baseURL + "/health")!
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw ConformanceError("tern serve exited (\(process.terminationStatus)) before it was healthy:\n\(log)") }
            if let (_, response) = try? await URLSession.shared.data(from: url),
               (response as? HTTPURLResponse)?.statusCode == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ConformanceError("tern serve was not healthy after \(timeout):\n\(log)")
    }

    /// Sends SIGTERM and waits for the exit; returns the exit status (nil if killed by a signal).
    /// A server still running after `timeout` is killed and reported.
    func terminate(timeout: Duration = .seconds(60)) async throws -> Int32? {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                kill(pid, SIGKILL)
                process.waitUntilExit()
                throw ConformanceError("tern serve did not exit within \(timeout) of SIGTERM:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        try? FileManager.default.removeItem(at: logURL)
        return process.terminationReason == .exit ? process.terminationStatus : nil
    }

    /// A port nothing listens on now: bind to port 0 on 127.0.0.1 and ask which one we got.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConformanceError("socket() failed: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ConformanceError("cannot bind a free port: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct ConformanceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
