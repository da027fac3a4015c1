import Engine
import Foundation
import Logging

/// Watches one request's choice events to time it (first token, gaps between tokens, whole
/// request), then records the metrics and writes its log line once, however it ended.
struct RequestObservation {
    let id: String
    let promptTokens: Int
    private let metrics: ServerMetrics
    private let logger: Logger
    private let start: ContinuousClock.Instant
    private var firstToken: ContinuousClock.Instant?
    /// Per choice: when its latest token arrived, how many it produced, how it finished.
    private var lastToken: [ContinuousClock.Instant?]
    private var tokens: [Int]
    private var usages: [EngineEvent.Usage?]
    private var reasons: [FinishReason?]
    private var closed = false

    init(id: String, promptTokens: Int, choices: Int, metrics: ServerMetrics, logger: Logger,
         start: ContinuousClock.Instant = .now) {
        self.id = id
        self.promptTokens = promptTokens
        self.metrics = metrics
        self.logger = logger
        self.start = start
        lastToken = Array(repeating: nil, count: choices)
        tokens = Array(repeating: 0, count: choices)
        usages = Array(repeating: nil, count: choices)
        reasons = Array(repeating: nil, count: choices)
    }

    mutating func observe(_ choice: ChoiceEvent, at now: ContinuousClock.Instant = .now) {
        let index = choice.index
        switch choice.event {
        case .token:
            if firstToken == nil {
                firstToken = now
                metrics.timeToFirstToken.record(Self.seconds(now - start))
            }
            if let previous = lastToken[index] { metrics.interTokenLatency.record(Self.seconds(now - previous)) }
            lastToken[index] = now
            tokens[index] += 1
        case .text:
            break
        case .finished(let reason, let usage):
            reasons[index] = reason
            usages[index] = usage
        }
    }

    /// Records the request's metrics and logs it; later calls do nothing.
    mutating func close(at now: ContinuousClock.Instant = .now) {
        guard !closed else { return }
        closed = true
        for reason in reasons { metrics.recordFinish(reason) }
        let generated = tokens.reduce(0, +)
        if generated > 0 { metrics.promptTokens.increment(by: Int64(promptTokens)) }
        metrics.generationTokens.increment(by: Int64(generated))
        let complete = reasons.allSatisfy { $0 != nil }
        let total = Self.seconds(now - start)
        if complete {
            metrics.requestLatency.record(total)
            if let queue = usages.first??.queueSeconds { metrics.queueTime.record(queue) }
        }
        var metadata: Logger.Metadata = [
            "request_id": "\(id)",
            "prompt_tokens": "\(promptTokens)",
            "output_tokens": "\(generated)",
            "cached_tokens": "\(usages.first??.cachedTokens ?? 0)",
            "ttft_s": "\(firstToken.map { Self.format(Self.seconds($0 - start)) } ?? "-")",
            "total_s": "\(Self.format(total))",
            "finish_reason": "\(reasons.map { $0?.rawValue ?? "abort" }.joined(separator: ","))",
        ]
        if reasons.count > 1 { metadata["n"] = "\(reasons.count)" }
        logger.info("request finished", metadata: metadata)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    static func format(_ seconds: Double) -> String { String(format: "%.4f", seconds) }
}
