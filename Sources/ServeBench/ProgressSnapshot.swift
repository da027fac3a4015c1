import Foundation

/// Where a run stands, for the live progress line.
public struct ProgressSnapshot: Sendable, Equatable {
    public var total: Int
    public var sent = 0
    public var completed = 0
    public var failed = 0
    public var outputTokens = 0
    public var elapsed: Double = 0

    public init(total: Int) { self.total = total }

    public var inFlight: Int { sent - completed - failed }

    /// e.g. `42/100 done, 1 failed, 8 in flight, 12.3 s, 310.5 tok/s out`.
    public var line: String {
        let rate = elapsed > 0 ? Double(outputTokens) / elapsed : 0
        return "\(completed + failed)/\(total) done, \(failed) failed, \(inFlight) in flight, "
            + String(format: "%.1f s, %.1f tok/s out", elapsed, rate)
    }
}
