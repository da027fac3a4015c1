import Foundation

/// Rotary position embedding (RoPE) applied in place to query and key heads.
public struct RotaryEmbedding: Sendable {
    /// How dimensions are paired for rotation.
    public enum Pairing: Sendable {
        /// (2i, 2i+1): ggml's "normal" mode, used for Llama-family GGUF files, whose Q/K weights
        /// were permuted at conversion to make this equal to the checkpoint's rotate-half.
        case adjacent
        /// (i, i + n/2): ggml's "NeoX" mode (Qwen2, Phi-3, Gemma, ...).
        case halves
    }

    public let dimensions: Int
    public let pairing: Pairing
    /// (dimensions / 2) angle per position of each rotated pair
    private let inverseFrequencies: [Float]

    /// - Parameters:
    ///   - dimensions: rotated dimensions per head (`rope.dimension_count`, usually the head size)
    ///   - base: `rope.freq_base`
    ///   - positionScale: linear scaling: positions are multiplied by this (1 / `rope.scaling.factor`)
    ///   - frequencyFactors: optional per-pair divisors (Llama 3.1's `rope_freqs.weight`)
    public init(dimensions: Int, base: Float, pairing: Pairing, positionScale: Float = 1, frequencyFactors: [Float]? = nil) {
        self.dimensions = dimensions
        self.pairing = pairing
        inverseFrequencies = (0..<dimensions / 2).map { i in
            let theta = positionScale * pow(base, -Float(2 * i) / Float(dimensions))
            return theta / (frequencyFactors?[i] ?? 1)
        }
    }

    /// Rotates `heads` heads of `headSize` floats each, stored contiguously in `x`, for `position`.
    public func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, headSize: Int, position: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: dimensions) { table in
            let cos = table.baseAddress!, sin = cos + dimensions / 2
            angles(position: position, cos: cos, sin: sin)
            apply(x, heads: heads, headSize: headSize, cos: cos, sin: sin)
        }
    }

    /// cos and sin of each rotated pair's angle at `position`, (dimensions / 2) each: computed
    /// once per token and shared by the queries and keys of every layer.
    public func angles(position: Int, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        for i in 0..<dimensions / 2 {
            let angle = Float(position) * inverseFrequencies[i]
            cos[i] = Foundation.cos(angle)
            sin[i] = Foundation.sin(angle)
        }
    }

    /// Rotates `heads` heads of `headSize` floats each by the angles from `angles(position:cos:sin:)`.
    public func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, headSize: Int,
                      cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        let half = dimensions / 2
        for h in 0..<heads {
            let head = x + h * headSize
            for i in 0..<half {
                let c = cos[i], s = sin[i]
                let (a, b) = pairing == .adjacent ? (2 * i, 2 * i + 1) : (i, i + half)
                let x0 = head[a], x1 = head[b]
                head[a] = x0 * c - x1 * s
                head[b] = x0 * s + x1 * c
            }
        }
    }
}
