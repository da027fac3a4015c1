import Foundation

/// A deliberately plain Llama forward pass in Double precision, written from the architecture's
/// definition, to check `LanguageModel` against:
///
///     x = E[token]
///     per layer:  h = RMSNorm(x) ⊙ w_attn
///                 q, k, v = Wq h, Wk h, Wv h;  RoPE on q and k (pairs (2i, 2i+1), θᵢ = base^(−2i/d))
///                 a = softmax(q·kⱼ / √d over j ≤ position) · v   (query head h uses kv head h / group)
///                 x += Wo a
///                 h = RMSNorm(x) ⊙ w_ffn
///                 x += Wdown (silu(Wgate h) ⊙ Wup h)
///     logits = Wout (RMSNorm(x) ⊙ w_out), Wout = E when the file has no output.weight
///
/// Matrices are row-major (rows = outputs), as GGUF stores them.
struct ReferenceLlama {
    let model: TinyLlama
    /// Round keys and values to half precision before attention, as a half-precision KV cache
    /// stores them. The rest stays in Double.
    var halfPrecisionKV = true

    /// Logits after each token of `tokens` (one sequence from position 0), (tokens.count, vocabulary).
    func logits(_ tokens: [Int32]) -> [[Double]] {
        let e = TinyLlama.embedding, d = TinyLlama.headSize
        let heads = TinyLlama.heads, kvHeads = TinyLlama.kvHeads, group = heads / kvHeads
        let embeddingTable = weights("token_embd.weight")
        var keys: [[[Double]]] = Array(repeating: [], count: model.layers)    // [layer][position] (kvHeads·d)
        var values: [[[Double]]] = Array(repeating: [], count: model.layers)
        var result: [[Double]] = []

        for (position, token) in tokens.enumerated() {
            var x = Array(embeddingTable[Int(token) * e..<(Int(token) + 1) * e])
            for layer in 0..<model.layers {
                let p = "blk.\(layer)."
                let h = rmsNorm(x, weights(p + "attn_norm.weight"))
                var q = multiply(weights(p + "attn_q.weight"), h)
                var k = multiply(weights(p + "attn_k.weight"), h)
                var v = multiply(weights(p + "attn_v.weight"), h)
                rotate(&q, heads: heads, position: position)
                rotate(&k, heads: kvHeads, position: position)
                if halfPrecisionKV {
                    k = k.map { Double(Float16(Float($0))) }
                    v = v.map { Double(Float16(Float($0))) }
                }
                keys[layer].append(k)
                values[layer].append(v)

                var attended = [Double](repeating: 0, count: heads * d)
                for head in 0..<heads {
                    let kvHead = head / group
                    let query = q[head * d..<(head + 1) * d]
                    let scores = (0...position).map { j in
                        zip(query, keys[layer][j][kvHead * d..<(kvHead + 1) * d]).reduce(0) { $0 + $1.0 * $1.1 } / Double(d).squareRoot()
                    }
                    let largest = scores.max()!
                    let exps = scores.map { Foundation.exp($0 - largest) }
                    let total = exps.reduce(0, +)
                    for j in 0...position {
                        for i in 0..<d { attended[head * d + i] += exps[j] / total * values[layer][j][kvHead * d + i] }
                    }
                }
                add(multiply(weights(p + "attn_output.weight"), attended), to: &x)

                let g = rmsNorm(x, weights(p + "ffn_norm.weight"))
                let gate = multiply(weights(p + "ffn_gate.weight"), g)
                let up = multiply(weights(p + "ffn_up.weight"), g)
                let activated = zip(gate, up).map { gate, up in gate / (1 + Foundation.exp(-gate)) * up }
                add(multiply(weights(p + "ffn_down.weight"), activated), to: &x)
            }
            let final = rmsNorm(x, weights("output_norm.weight"))
            result.append(multiply(model.tiedEmbeddings ? embeddingTable : weights("output.weight"), final))
        }
        return result
    }

    private func weights(_ name: String) -> [Double] { model.values(name).map(Double.init) }

    private func rmsNorm(_ x: [Double], _ weight: [Double]) -> [Double] {
        let meanSquare = x.reduce(0) { $0 + $1 * $1 } / Double(x.count)
        let scale = 1 / (meanSquare + Double(TinyLlama.normEpsilon)).squareRoot()
        return zip(x, weight).map { $0 * scale * $1 }
    }

    /// y = W x for W with x.count columns.
    private func multiply(_ w: [Double], _ x: [Double]) -> [Double] {
        let columns = x.count
        return (0..<w.count / columns).map { r in
            var sum = 0.0
            for c in 0..<columns { sum += w[r * columns + c] * x[c] }
            return sum
        }
    }

    private func add(_ y: [Double], to x: inout [Double]) {
        for i in x.indices { x[i] += y[i] }
    }

    /// Rotary position embedding, ggml's "normal" mode: dimensions (2i, 2i+1) of each head turn
    /// by position · base^(−2i/d).
    private func rotate(_ x: inout [Double], heads: Int, position: Int) {
        let d = TinyLlama.headSize
        for head in 0..<heads {
            for i in 0..<d / 2 {
                let angle = Double(position) * pow(Double(TinyLlama.ropeBase), -Double(2 * i) / Double(d))
                let a = head * d + 2 * i, b = a + 1
                let (x0, x1) = (x[a], x[b])
                x[a] = x0 * cos(angle) - x1 * sin(angle)
                x[b] = x0 * sin(angle) + x1 * cos(angle)
            }
        }
    }
}
