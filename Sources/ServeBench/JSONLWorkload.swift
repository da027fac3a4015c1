import Foundation

/// Replayed traffic: a JSONL file with one request per line, `{"prompt": "...", "output_len": N}`
/// or `{"messages": [{"role": ..., "content": ...}], "output_len": N}`. Blank lines are
/// skipped; `output_len` may be left out (the `--output-len` default applies).
public enum JSONLWorkload {
    private struct Line: Decodable {
        var prompt: String?
        var messages: [ChatMessage]?
        var outputLen: Int?
        enum CodingKeys: String, CodingKey { case prompt, messages, outputLen = "output_len" }
    }

    /// The requests of `text`, in file order.
    public static func parse(_ text: String, defaultOutputLen: Int?, endpoint: BenchmarkConfiguration.Endpoint) throws(WorkloadError) -> [WorkloadRequest] {
        var requests: [WorkloadRequest] = []
        let decoder = JSONDecoder()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let trimmed = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let line: Line
            do { line = try decoder.decode(Line.self, from: Data(trimmed.utf8)) } catch {
                throw .badLine(number: number, reason: "not a JSON object with 'prompt' or 'messages' (\(error))")
            }
            if let outputLen = line.outputLen, outputLen < 1 { throw .badLine(number: number, reason: "'output_len' must be at least 1") }
            let prompt: WorkloadRequest.Prompt
            switch (line.prompt, line.messages) {
            case (let text?, nil): prompt = .text(text)
            case (nil, let messages?) where !messages.isEmpty:
                guard endpoint == .chat else { throw .messagesNeedChat(line: number) }
                prompt = .messages(messages)
            case (nil, _?): throw .badLine(number: number, reason: "'messages' is empty")
            case (_?, _?): throw .badLine(number: number, reason: "has both 'prompt' and 'messages'")
            case (nil, nil): throw .badLine(number: number, reason: "has neither 'prompt' nor 'messages'")
            }
            requests.append(WorkloadRequest(prompt: prompt, inputTokens: 0, outputTokens: line.outputLen ?? defaultOutputLen))
        }
        return requests
    }

    /// The first `count` requests of the file at `path` (all of them when `count` is nil).
    public static func load(path: String, count: Int?, defaultOutputLen: Int?, endpoint: BenchmarkConfiguration.Endpoint) throws(WorkloadError) -> [WorkloadRequest] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw .unreadable(path: path, reason: "\(error)") }
        let requests = try parse(text, defaultOutputLen: defaultOutputLen, endpoint: endpoint)
        guard !requests.isEmpty else { throw .empty(path: path) }
        guard let count else { return requests }
        guard count <= requests.count else { throw .tooFewRequests(path: path, available: requests.count, requested: count) }
        return Array(requests.prefix(count))
    }

    /// `requests` with their prompt token counts measured by `counter`.
    public static func measured(_ requests: [WorkloadRequest], counter: some TokenCounter) async throws -> [WorkloadRequest] {
        var measured = requests
        for index in measured.indices {
            measured[index].inputTokens = try await counter.countTokens(measured[index].promptText)
        }
        return measured
    }
}
