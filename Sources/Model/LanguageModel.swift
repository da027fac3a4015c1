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

    /// A half-precision KV storage sized for this model.
    public func makeKVStorage(blockCount: Int, blockSize: Int = 16) -> KVStorage {
        KVStorage(layers: configuration.layers, blockCount: blockCount, blockSize: blockSize,
                  kvHeads: configuration.kvHeads, headSize: configuration.headSize)
    }

    /// A KV storage of `elementType` sized for this model; throws when the type cannot hold
    /// this model's head size.
    public func makeKVStorage(blockCount: Int, blockSize: Int = 16, elementType: KVElementType) throws(KVStorageError) -> KVStorage {
        try KVStorage(layers: configuration.layers, blockCount: blockCount, blockSize: blockSize,
                      kvHeads: configuration.kvHeads, headSize: configuration.headSize, elementType: elementType)
    }

    /// Runs the batch and returns the logits of `batch.logitIndices`:
    /// (logitIndices.count, vocabulary), valid until the next call.
    public func forward(_ batch: ForwardBatch, kv: KVStorage) -> UnsafeBufferPointer<Float> {
        let c = configuration, b = buffers
        let tokens = batch.tokens.count
        precondition(tokens > 0 && tokens <= maxBatchTokens, "batch of \(tokens) tokens (limit \(maxBatchTokens))")
        precondition(batch.logitIndices.count <= b.logitCapacity)
        let embedding = c.embeddingSize, qSize = c.heads * c.headSize, kvSize = c.kvHeads * c.headSize
        let ropeHalf = c.ropeDimensions / 2

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
        }
        let tileCount = planAttentionTiles(batch)
        batch.tokens.withUnsafeBufferPointer { ids in
            overTokens(tokens) { range in
                for t in range {
                    dequantizeRow(weights.tokenEmbedding.type, weights.tokenEmbedding.row(Int(ids[t])), into: b.hidden + t * embedding, count: embedding)
                    rope.angles(position: b.positions[t], cos: b.ropeCos + t * ropeHalf, sin: b.ropeSin + t * ropeHalf)
                }
            }
        }

        let scale = 1 / Float(c.headSize).squareRoot()
        for (l, layer) in weights.layers.enumerated() {
            // Attention block.
            normalize(b.hidden, layer.attentionNorm, into: b.normed, tokens)
            project(b.normed, tokens, b.quantizedEmbedding, [(layer.query, b.query), (layer.key, b.key), (layer.value, b.value)])
            let layerKV = kv.layer(l)
            overTokens(tokens) { range in
                for t in range {
                    let q = b.query + t * qSize, k = b.key + t * kvSize, v = b.value + t * kvSize
                    if let bias = layer.queryBias { Elementwise.add(bias, into: q, count: qSize) }
                    if let bias = layer.keyBias { Elementwise.add(bias, into: k, count: kvSize) }
                    if let bias = layer.valueBias { Elementwise.add(bias, into: v, count: kvSize) }
                    let cos = b.ropeCos + t * ropeHalf, sin = b.ropeSin + t * ropeHalf
                    rope.apply(q, heads: c.heads, headSize: c.headSize, cos: cos, sin: sin)
                    rope.apply(k, heads: c.kvHeads, headSize: c.headSize, cos: cos, sin: sin)
                    layerKV.store(slot: b.slots[t], keys: k, values: v, path: matmul.path)
                }
            }
            attend(batch, tileCount: tileCount, kv: layerKV, scale: scale)
            project(b.attention, tokens, b.quantizedAttention, [(layer.output, b.projected)])
            overTokens(tokens) { range in
                Elementwise.add(b.projected + range.lowerBound * embedding, into: b.hidden + range.lowerBound * embedding,
                                count: range.count * embedding)
            }

            // SwiGLU feed-forward block.
            normalize(b.hidden, layer.feedForwardNorm, into: b.normed, tokens)
            project(b.normed, tokens, b.quantizedEmbedding, [(layer.gate, b.gate), (layer.up, b.up)])
            overTokens(tokens) { range in
                let first = range.lowerBound * c.feedForwardSize
                Elementwise.swiglu(gate: b.gate + first, up: b.up + first, count: range.count * c.feedForwardSize)
            }
            project(b.gate, tokens, b.quantizedFeedForward, [(layer.down, b.projected)])
            overTokens(tokens) { range in
                Elementwise.add(b.projected + range.lowerBound * embedding, into: b.hidden + range.lowerBound * embedding,
                                count: range.count * embedding)
            }
        }

        let wanted = batch.logitIndices.count
        for (row, t) in batch.logitIndices.enumerated() {
            Elementwise.rmsNorm(b.hidden + t * embedding, weight: weights.outputNorm, epsilon: c.normEpsilon,
                                output: b.selected + row * embedding, rows: 1, count: embedding)
        }
        project(b.selected, wanted, b.quantizedEmbedding, [(weights.output, b.logits)])
        return UnsafeBufferPointer(start: b.logits, count: wanted * c.vocabularySize)
    }

    /// Tokens below which per-token work runs on the calling thread: waking the pool costs more.
    private static let parallelTokens = 16

    /// Runs `body` over chunks of `0..<tokens`, on the pool when there are many tokens.
    @inline(__always)
    private func overTokens(_ tokens: Int, _ body: (Range<Int>) -> Void) {
        if tokens < Self.parallelTokens || pool.threadCount == 1 {
            body(0..<tokens)
        } else {
            pool.parallelFor(tokens, chunk: max(4, tokens / (4 * pool.threadCount)), body)
        }
    }

    private func normalize(_ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, _ tokens: Int) {
        let embedding = configuration.embeddingSize, epsilon = configuration.normEpsilon
        overTokens(tokens) { range in
            let first = range.lowerBound * embedding
            Elementwise.rmsNorm(input + first, weight: weight, epsilon: epsilon, output: output + first, rows: range.count, count: embedding)
        }
    }

    /// Splits the batch's segments into attention work: a segment of several tokens (a prompt
    /// chunk) into tiles of consecutive tokens that share each key/value tile, a decode token
    /// into a tile of one. Stored in `buffers.attentionTiles` as (first token, count), latest
    /// positions first so that the longest tiles are claimed first. Returns the number of tiles.
    private func planAttentionTiles(_ batch: ForwardBatch) -> Int {
        let tileTokens = Attention.queryTileTokens(heads: configuration.heads, kvHeads: configuration.kvHeads)
        var count = 0
        for segment in batch.segments.reversed() {
            var end = segment.tokenRange.upperBound
            while end > segment.tokenRange.lowerBound {
                let start = max(segment.tokenRange.lowerBound, end - tileTokens)
                buffers.attentionTiles[2 * count] = start
                buffers.attentionTiles[2 * count + 1] = end - start
                count += 1
                end = start
            }
        }
        return count
    }

    private func attend(_ batch: ForwardBatch, tileCount: Int, kv: PagedKV, scale: Float) {
        let c = configuration, b = buffers
        let qSize = c.heads * c.headSize
        batch.segments.withUnsafeBufferPointer { segments in
            pool.parallelFor(tileCount * c.kvHeads) { range in
                for item in range {
                    let tile = item / c.kvHeads, head = item % c.kvHeads
                    let first = b.attentionTiles[2 * tile], count = b.attentionTiles[2 * tile + 1]
                    segments[b.segmentOfToken[first]].blockTable.withUnsafeBufferPointer { table in
                        if count == 1 {
                            Attention.attend(query: b.query + first * qSize, heads: c.heads, kvHead: head, kv: kv,
                                             blockTable: table.baseAddress!, contextLength: b.positions[first] + 1,
                                             scale: scale, output: b.attention + first * qSize, path: matmul.path)
                        } else {
                            Attention.attendTile(queries: b.query + first * qSize, queryStride: qSize, count: count,
                                                 firstPosition: b.positions[first], heads: c.heads, kvHead: head, kv: kv,
                                                 blockTable: table.baseAddress!, scale: scale,
                                                 output: b.attention + first * qSize, outputStride: qSize, path: matmul.path)
                        }
                    }
                }
            }
        }
    }

    /// output = input · Wᵀ for each (W, output) pair. Projections of the same input share one
    /// 8-bit quantization of it where their weight formats want the same kind (`MatMul.project`).
    private func project(_ input: UnsafePointer<Float>, _ tokens: Int, _ scratch: QuantizedActivations,
                         _ projections: [(WeightMatrix, UnsafeMutablePointer<Float>)]) {
        matmul.project(input, tokens: tokens, scratch: scratch, pool: pool, projections)
    }
}
