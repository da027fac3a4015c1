import GGUF
import KVCache
import Kernels

/// A Llama-family decoder (Llama, Mistral, Qwen2) over a memory-mapped GGUF file.
///
/// `forward` runs one flattened batch of tokens from any number of sequences: the linear layers
/// see all tokens together, attention sees each token's own sequence through its block table.
/// Not reentrant: one forward pass at a time.
public final class LanguageModel: @unchecked Sendable {
    public let configuration: ModelConfiguration
    public let file: GGUFFile
    /// Largest number of tokens one forward pass accepts.
    public let maxBatchTokens: Int
    public let pool: ThreadPool

    let weights: ModelWeights
    let rope: RotaryEmbedding
    let buffers: ForwardBuffers
    let matmul: MatMul

    public init(file: GGUFFile, maxBatchTokens: Int = 512, threads: Int = 1, kernelPath: KernelPath = .best) throws(ModelError) {
        let configuration = try ModelConfiguration(file: file)
        self.configuration = configuration
        self.file = file
        self.maxBatchTokens = max(1, maxBatchTokens)
        weights = try ModelWeights(file: file, configuration: configuration)
        rope = RotaryEmbedding(dimensions: configuration.ropeDimensions, base: configuration.ropeBase,
                               pairing: configuration.ropePairing, positionScale: configuration.ropePositionScale,
                               frequencyFactors: weights.ropeFrequencyFactors)
        buffers = ForwardBuffers(configuration: configuration, capacity: self.maxBatchTokens, logitCapacity: self.maxBatchTokens)
        pool = ThreadPool(threadCount: threads)
        matmul = MatMul(path: kernelPath)
    }

    /// A KV storage sized for this model.
    public func makeKVStorage(blockCount: Int, blockSize: Int = 16) -> KVStorage {
        KVStorage(layers: configuration.layers, blockCount: blockCount, blockSize: blockSize,
                  kvHeads: configuration.kvHeads, headSize: configuration.headSize)
    }

    /// Runs the batch and returns the logits of `batch.logitIndices`:
    /// (logitIndices.count, vocabulary), valid until the next call.
    public func forward(_ batch: ForwardBatch, kv: KVStorage) -> UnsafeBufferPointer<Float> {
        let c = configuration, b = buffers
        let tokens = batch.tokens.count
        precondition(tokens > 0 && tokens <= maxBatchTokens, "batch of \(tokens) tokens (limit \(maxBatchTokens))")
        precondition(batch.logitIndices.count <= b.logitCapacity)
        let embedding = c.embeddingSize, qSize = c.heads * c.headSize, kvSize = c.kvHeads * c.headSize

        for (s, segment) in batch.segments.enumerated() {
            for (offset, t) in segment.tokenRange.enumerated() {
                let position = segment.startPosition + offset
                b.positions[t] = position
                b.segmentOfToken[t] = s
                b.slots[t] = Int(segment.blockTable[position / kv.blockSize]) * kv.blockSize + position % kv.blockSize
            }
        }
        for t in 0..<tokens {
            let id = Int(batch.tokens[t])
            precondition(id >= 0 && id < c.vocabularySize, "token id \(id) outside the vocabulary")
            dequantizeRow(weights.tokenEmbedding.type, weights.tokenEmbedding.row(id), into: b.hidden + t * embedding, count: embedding)
        }

        let scale = 1 / Float(c.headSize).squareRoot()
        for (l, layer) in weights.layers.enumerated() {
            // Attention block.
            Elementwise.rmsNorm(b.hidden, weight: layer.attentionNorm, epsilon: c.normEpsilon, output: b.normed, rows: tokens, count: embedding)
            project(b.normed, tokens, b.quantizedEmbedding, [(layer.query, b.query), (layer.key, b.key), (layer.value, b.value)])
            let layerKV = kv.layer(l)
            for t in 0..<tokens {
                let q = b.query + t * qSize, k = b.key + t * kvSize, v = b.value + t * kvSize
                if let bias = layer.queryBias { Elementwise.add(bias, into: q, count: qSize) }
                if let bias = layer.keyBias { Elementwise.add(bias, into: k, count: kvSize) }
                if let bias = layer.valueBias { Elementwise.add(bias, into: v, count: kvSize) }
                rope.apply(q, heads: c.heads, headSize: c.headSize, position: b.positions[t])
                rope.apply(k, heads: c.kvHeads, headSize: c.headSize, position: b.positions[t])
                layerKV.store(slot: b.slots[t], keys: k, values: v)
            }
            batch.segments.withUnsafeBufferPointer { segments in
                pool.parallelFor(tokens * c.kvHeads) { range in
                    for item in range {
                        let t = item / c.kvHeads, head = item % c.kvHeads
                        segments[b.segmentOfToken[t]].blockTable.withUnsafeBufferPointer { table in
                            Attention.attend(query: b.query + t * qSize, heads: c.heads, kvHead: head, kv: layerKV,
                                             blockTable: table.baseAddress!, contextLength: b.positions[t] + 1,
                                             scale: scale, output: b.attention + t * qSize)
                        }
                    }
                }
            }
            project(b.attention, tokens, b.quantizedAttention, [(layer.output, b.projected)])
            Elementwise.add(b.projected, into: b.hidden, count: tokens * embedding)

            // SwiGLU feed-forward block.
            Elementwise.rmsNorm(b.hidden, weight: layer.feedForwardNorm, epsilon: c.normEpsilon, output: b.normed, rows: tokens, count: embedding)
            project(b.normed, tokens, b.quantizedEmbedding, [(layer.gate, b.gate), (layer.up, b.up)])
            Elementwise.swiglu(gate: b.gate, up: b.up, count: tokens * c.feedForwardSize)
            project(b.gate, tokens, b.quantizedFeedForward, [(layer.down, b.projected)])
            Elementwise.add(b.projected, into: b.hidden, count: tokens * embedding)
        }

        let wanted = batch.logitIndices.count
        for (row, t) in batch.logitIndices.enumerated() {
            Elementwise.rmsNorm(b.hidden + t * embedding, weight: weights.outputNorm, epsilon: c.normEpsilon,
                                output: b.selected + row * embedding, rows: 1, count: embedding)
        }
        project(b.selected, wanted, b.quantizedEmbedding, [(weights.output, b.logits)])
        return UnsafeBufferPointer(start: b.logits, count: wanted * c.vocabularySize)
    }

    /// output = input · Wᵀ for each (W, output) pair. Projections of the same input share one
    /// 8-bit quantization of it.
    private func project(_ input: UnsafePointer<Float>, _ tokens: Int, _ scratch: QuantizedActivations,
                         _ projections: [(WeightMatrix, UnsafeMutablePointer<Float>)]) {
        guard tokens > 0 else { return }
        var quantized = false
        for (weights, output) in projections {
            let needsQuantized = weights.type.usesQuantizedActivations
            matmul(weights, input: input, tokens: tokens, output: output, scratch: scratch, pool: pool,
                   quantizeInput: needsQuantized && !quantized)
            quantized = quantized || needsQuantized
        }
    }
}
