import Kernels

/// Activation memory of a forward pass, allocated once for the largest batch.
final class ForwardBuffers {
    let capacity: Int
    let logitCapacity: Int
    let hidden: UnsafeMutablePointer<Float>      // (capacity, embedding) residual stream
    let normed: UnsafeMutablePointer<Float>      // (capacity, embedding)
    let query: UnsafeMutablePointer<Float>       // (capacity, heads · headSize)
    let key: UnsafeMutablePointer<Float>         // (capacity, kvHeads · headSize)
    let value: UnsafeMutablePointer<Float>       // (capacity, kvHeads · headSize)
    let attention: UnsafeMutablePointer<Float>   // (capacity, heads · headSize)
    let projected: UnsafeMutablePointer<Float>   // (capacity, embedding) attention / MLP output
    let gate: UnsafeMutablePointer<Float>        // (capacity, feedForward)
    let up: UnsafeMutablePointer<Float>          // (capacity, feedForward)
    let selected: UnsafeMutablePointer<Float>    // (logitCapacity, embedding) rows whose logits are wanted
    let logits: UnsafeMutablePointer<Float>      // (logitCapacity, vocabulary)
    let slots: UnsafeMutablePointer<Int>         // (capacity) KV slot of each token
    let positions: UnsafeMutablePointer<Int>     // (capacity) position of each token
    let segmentOfToken: UnsafeMutablePointer<Int> // (capacity)
    let ropeCos: UnsafeMutablePointer<Float>     // (capacity, ropeDimensions / 2) per-token rotation angles
    let ropeSin: UnsafeMutablePointer<Float>     // (capacity, ropeDimensions / 2)
    let attentionTiles: UnsafeMutablePointer<Int> // (capacity, 2) first token and token count of each query tile
    let quantizedEmbedding: QuantizedActivations // (capacity, embedding)
    let quantizedAttention: QuantizedActivations // (capacity, heads · headSize)
    let quantizedFeedForward: QuantizedActivations // (capacity, feedForward)

    private var owned: [UnsafeMutableRawPointer] = []

    init(configuration c: ModelConfiguration, capacity: Int, logitCapacity: Int) {
        self.capacity = capacity
        self.logitCapacity = logitCapacity
        var owned: [UnsafeMutableRawPointer] = []
        // Not zeroed: every row is written before it is read, and the pages of rows a batch never
        // reaches (a serving budget of thousands of tokens, mostly decoding a few) stay out of
        // resident memory. The logits alone are 100 MB at 512 rows of a 49k vocabulary.
        func buffer<Element>(_ count: Int) -> UnsafeMutablePointer<Element> {
            let p = UnsafeMutablePointer<Element>.allocate(capacity: count)
            owned.append(UnsafeMutableRawPointer(p))
            return p
        }
        func floats(_ count: Int) -> UnsafeMutablePointer<Float> { buffer(count) }
        func ints(_ count: Int) -> UnsafeMutablePointer<Int> { buffer(count) }
        let qSize = c.heads * c.headSize, kvSize = c.kvHeads * c.headSize
        hidden = floats(capacity * c.embeddingSize)
        normed = floats(capacity * c.embeddingSize)
        query = floats(capacity * qSize)
        key = floats(capacity * kvSize)
        value = floats(capacity * kvSize)
        attention = floats(capacity * qSize)
        projected = floats(capacity * c.embeddingSize)
        gate = floats(capacity * c.feedForwardSize)
        up = floats(capacity * c.feedForwardSize)
        selected = floats(logitCapacity * c.embeddingSize)
        logits = floats(logitCapacity * c.vocabularySize)
        slots = ints(capacity)
        positions = ints(capacity)
        segmentOfToken = ints(capacity)
        ropeCos = floats(capacity * max(1, c.ropeDimensions / 2))
        ropeSin = floats(capacity * max(1, c.ropeDimensions / 2))
        attentionTiles = ints(2 * capacity)
        self.owned = owned
        quantizedEmbedding = QuantizedActivations(capacityRows: capacity, columns: c.embeddingSize)
        quantizedAttention = QuantizedActivations(capacityRows: capacity, columns: qSize)
        quantizedFeedForward = QuantizedActivations(capacityRows: capacity, columns: c.feedForwardSize)
    }

    deinit { for p in owned { p.deallocate() } }
}
