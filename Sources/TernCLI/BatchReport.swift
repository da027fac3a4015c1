import Foundation

/// What `tern batch` prints.
struct BatchReport: Encodable {
    let requests: Int
    let prompt_tokens: Int
    let shared_prefix_tokens: Int
    let prefix_caching: Bool
    let output_tokens: Int
    let seconds: Double
    let output_tokens_per_second: Double
    let total_tokens_per_second: Double
    let median_ttft_seconds: Double
    /// Prompt tokens the model computed (the rest came from the prefix cache).
    let prompt_tokens_computed: Int
    let cached_prompt_tokens: Int
    let preemptions: Int
    let single_stream_decode_tokens_per_second: Double?
    let speedup_over_single_stream: Double?
    let kv_pool_bytes: Int
    let kv_peak_allocated_bytes: Int
    /// Over all steps: slots in held blocks that held no token, as a fraction of held slots.
    let kv_waste_fraction: Double

    init(requests: Int, promptTokens: Int, sharedPrefixTokens: Int, prefixCaching: Bool, batch: BatchRun, baseline: BatchRun?,
         poolBytes: Int, slotBytes: Int) {
        self.requests = requests
        prompt_tokens = promptTokens
        shared_prefix_tokens = sharedPrefixTokens
        prefix_caching = prefixCaching
        output_tokens = batch.outputTokens
        seconds = batch.seconds
        let outputRate = Double(batch.outputTokens) / batch.seconds
        output_tokens_per_second = outputRate
        total_tokens_per_second = Double(promptTokens + batch.outputTokens) / batch.seconds
        median_ttft_seconds = batch.medianTTFT
        // Every output token but each request's last is fed back through the model.
        prompt_tokens_computed = batch.computedTokens - (batch.outputTokens - requests)
        cached_prompt_tokens = batch.cachedTokens
        preemptions = batch.metrics.preemptions
        single_stream_decode_tokens_per_second = baseline?.decodeTokensPerSecond
        speedup_over_single_stream = baseline.map { outputRate / $0.decodeTokensPerSecond }
        kv_pool_bytes = poolBytes
        kv_peak_allocated_bytes = batch.metrics.peakKVSlotsAllocated * slotBytes
        let allocated = batch.metrics.kvSlotStepsAllocated
        kv_waste_fraction = allocated > 0 ? 1 - Double(batch.metrics.kvSlotStepsFilled) / Double(allocated) : 0
    }

    var text: String {
        var lines = [
            String(format: "%d requests, %d prompt tokens (shared prefix %d, prefix caching %@), %d output tokens in %.2f s",
                   requests, prompt_tokens, shared_prefix_tokens, prefix_caching ? "on" : "off", output_tokens, seconds),
            String(format: "throughput: %.1f output tok/s, %.1f total tok/s; median time to first token %.2f s",
                   output_tokens_per_second, total_tokens_per_second, median_ttft_seconds),
            String(format: "prefill: %d prompt tokens computed, %d from the prefix cache; %d preemptions",
                   prompt_tokens_computed, cached_prompt_tokens, preemptions),
            String(format: "KV cache: %.1f MiB pool, peak %.1f MiB in held blocks, %.2f%% of held slots empty (time average)",
                   Double(kv_pool_bytes) / 1048576, Double(kv_peak_allocated_bytes) / 1048576, kv_waste_fraction * 100),
        ]
        if let single = single_stream_decode_tokens_per_second, let speedup = speedup_over_single_stream {
            lines.append(String(format: "single stream: %.1f decode tok/s; batch output throughput is %.2fx that", single, speedup))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func jsonLine() throws(CLIError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n" } catch { throw CLIError("cannot encode JSON: \(error)") }
    }
}
