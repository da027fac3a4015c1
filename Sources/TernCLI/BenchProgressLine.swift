import Foundation
import ServeBench
import Synchronization

/// The live progress line on stderr: redrawn in place on a terminal, otherwise one line every
/// ten updates (about every five seconds) so logs stay short.
final class ProgressLine: Sendable {
    private let enabled: Bool
    private let terminal = isatty(STDERR_FILENO) != 0
    private let updates = Mutex(0)

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ snapshot: ProgressSnapshot) {
        guard enabled else { return }
        let count = updates.withLock { count in
            count += 1
            return count
        }
        if terminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + snapshot.line).utf8))
        } else if count % 10 == 1 {
            printError(snapshot.line)
        }
    }

    func finish() {
        if enabled && terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// Runs async work from a synchronous command: the calling thread waits while the work runs on
/// the cooperative pool (the root command is synchronous, as `tern serve` is).
func awaitBlocking<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
    let outcome = Mutex<Result<Value, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<Value, any Error>
        do { result = .success(try await work()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    guard let result = outcome.withLock({ $0 }) else { throw CLIError("the benchmark task ended without a result") }
    return try result.get()
}
