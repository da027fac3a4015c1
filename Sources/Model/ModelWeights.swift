import GGUF
import Kernels

/// Views of one transformer block's tensors inside the mapped model file.
struct LayerWeights: @unchecked Sendable {
    let attentionNorm: UnsafePointer<Float>      // (embedding)
    let query: WeightMatrix                      // (heads · headSize, embedding)
    let key: WeightMatrix                        // (kvHeads · headSize, embedding)
    let value: WeightMatrix                      // (kvHeads · headSize, embedding)
    let queryBias: UnsafePointer<Float>?         // (heads · headSize)
    let keyBias: UnsafePointer<Float>?           // (kvHeads · headSize)
    let valueBias: UnsafePointer<Float>?         // (kvHeads · headSize)
    let output: WeightMatrix                     // (embedding, heads · headSize)
    let feedForwardNorm: UnsafePointer<Float>    // (embedding)
    let gate: WeightMatrix                       // (feedForward, embedding)
    let up: WeightMatrix                         // (feedForward, embedding)
    let down: WeightMatrix                       // (embedding, feedForward)
}

/// All weights of a Llama-family model, as zero-copy views into the GGUF file.
struct ModelWeights: @unchecked Sendable {
    let tokenEmbedding: WeightMatrix             // (vocabulary, embedding)
    let layers: [LayerWeights]
    let outputNorm: UnsafePointer<Float>         // (embedding)
    let output: WeightMatrix                     // (vocabulary, embedding); the embedding when tied
    let ropeFrequencyFactors: [Float]?           // (ropeDimensions / 2), Llama 3.1 `rope_freqs.weight`

    init(file: GGUFFile, configuration c: ModelConfiguration) throws(ModelError) {
        func info(_ name: String) throws(ModelError) -> GGUFTensorInfo {
            guard let info = file.tensor(named: name) else { throw .missingTensor(name) }
            return info
        }
        func matrix(_ name: String, rows: Int, columns: Int) throws(ModelError) -> WeightMatrix {
            let tensor = try info(name)
            guard tensor.dimensions == [columns, rows] else {
                throw .wrongShape(tensor: name, expected: [columns, rows], actual: tensor.dimensions)
            }
            guard let type = WeightType(tensor.type) else {
                throw .unsupportedTensorType(tensor: name, type: tensor.type.name)
            }
            return WeightMatrix(type: type, rows: rows, columns: columns, base: file.tensorData(tensor).baseAddress!)
        }
        func vector(_ name: String, count: Int) throws(ModelError) -> UnsafePointer<Float> {
            let tensor = try info(name)
            guard tensor.dimensions == [count] else { throw .wrongShape(tensor: name, expected: [count], actual: tensor.dimensions) }
            guard tensor.type == .f32 else { throw .unsupportedTensorType(tensor: name, type: tensor.type.name) }
            return file.tensorData(tensor).baseAddress!.assumingMemoryBound(to: Float.self)
        }

        let qSize = c.heads * c.headSize, kvSize = c.kvHeads * c.headSize
        tokenEmbedding = try matrix("token_embd.weight", rows: c.vocabularySize, columns: c.embeddingSize)
        var layers: [LayerWeights] = []
        for i in 0..<c.layers {
            let p = "blk.\(i)."
            layers.append(LayerWeights(
                attentionNorm: try vector(p + "attn_norm.weight", count: c.embeddingSize),
                query: try matrix(p + "attn_q.weight", rows: qSize, columns: c.embeddingSize),
                key: try matrix(p + "attn_k.weight", rows: kvSize, columns: c.embeddingSize),
                value: try matrix(p + "attn_v.weight", rows: kvSize, columns: c.embeddingSize),
                queryBias: c.attentionBias ? try vector(p + "attn_q.bias", count: qSize) : nil,
                keyBias: c.attentionBias ? try vector(p + "attn_k.bias", count: kvSize) : nil,
                valueBias: c.attentionBias ? try vector(p + "attn_v.bias", count: kvSize) : nil,
                output: try matrix(p + "attn_output.weight", rows: c.embeddingSize, columns: qSize),
                feedForwardNorm: try vector(p + "ffn_norm.weight", count: c.embeddingSize),
                gate: try matrix(p + "ffn_gate.weight", rows: c.feedForwardSize, columns: c.embeddingSize),
                up: try matrix(p + "ffn_up.weight", rows: c.feedForwardSize, columns: c.embeddingSize),
                down: try matrix(p + "ffn_down.weight", rows: c.embeddingSize, columns: c.feedForwardSize)))
        }
        self.layers = layers
        outputNorm = try vector("output_norm.weight", count: c.embeddingSize)
        // Models with tied embeddings ship no output matrix and reuse the token embedding.
        output = file.tensor(named: "output.weight") == nil
            ? tokenEmbedding
            : try matrix("output.weight", rows: c.vocabularySize, columns: c.embeddingSize)
        if file.tensor(named: "rope_freqs.weight") != nil {
            let factors = try vector("rope_freqs.weight", count: c.ropeDimensions / 2)
            ropeFrequencyFactors = Array(UnsafeBufferPointer(start: factors, count: c.ropeDimensions / 2))
        } else {
            ropeFrequencyFactors = nil
        }
    }
}

extension WeightType {
    /// The kernel encoding of a GGUF tensor type, nil when no kernel reads it yet.
    init?(_ type: GGMLType) {
        switch type {
        case .f32: self = .f32
        case .f16: self = .f16
        case .bf16: self = .bf16
        case .q8_0: self = .q8_0
        case .q4_0: self = .q4_0
        case .q4_1: self = .q4_1
        case .q5_0: self = .q5_0
        case .q5_1: self = .q5_1
        case .q4_K: self = .q4_K
        case .q5_K: self = .q5_K
        case .q6_K: self = .q6_K
        default: return nil
        }
    }
}
