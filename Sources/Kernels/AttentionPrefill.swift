/// Causal attention for a tile of consecutive query tokens of one sequence (prefill), in the
/// FlashAttention-2 manner: each tile of keys and values is converted to floats (from half
/// precision or Q8_0) once and used by every query row of the tile (the tile's tokens × the
/// query heads sharing one key/value head), with the online softmax kept per row.
///
/// Queries are held transposed, (headSize, rows), so the scores of one key against all rows are
/// a few vector FMAs per dimension and the softmax bookkeeping (running max, normaliser,
/// correction) runs eight rows at a time.
extension Attention {
    /// Query rows (tokens × grouped heads) processed together; 64 rows keep the tile's scratch in L1.
    static let queryTileRows = 64

    /// Tokens per query tile for a model with `heads` query heads over `kvHeads` key/value heads.
    public static func queryTileTokens(heads: Int, kvHeads: Int) -> Int {
        max(1, queryTileRows / max(1, heads / kvHeads))
    }

    /// Attends `count` consecutive tokens of one sequence, at positions `firstPosition ..<
    /// firstPosition + count`, each to the keys up to its own position; the query heads of
    /// `kvHead`'s group only (call once per key/value head).
    ///
    /// - Parameters:
    ///   - queries: first token's (heads, headSize) queries; token t at `queries + t * queryStride`
    ///   - output: first token's (heads, headSize) output; token t at `output + t * outputStride`
    ///   - path: how Q8_0 rows are converted to floats (half-precision rows use plain SIMD either way)
    public static func attendTile(queries: UnsafePointer<Float>, queryStride: Int, count: Int, firstPosition: Int,
                                  heads: Int, kvHead: Int, kv: PagedKV, blockTable: UnsafePointer<Int32>, scale: Float,
                                  output: UnsafeMutablePointer<Float>, outputStride: Int, path: KernelPath = .best) {
        let group = heads / kv.kvHeads, d = kv.headSize
        guard d % 8 == 0 else {
            for t in 0..<count {
                attend(query: queries + t * queryStride, heads: heads, kvHead: kvHead, kv: kv, blockTable: blockTable,
                       contextLength: firstPosition + t + 1, scale: scale, output: output + t * outputStride, path: path)
            }
            return
        }
        let rows = count * group, vectors = (rows + 7) / 8, padded = 8 * vectors
        let firstHead = kvHead * group
        let scratchSize = d * padded + 2 * tile * d + tile * padded + padded * d + 3 * padded
        withUnsafeTemporaryAllocation(of: Float.self, capacity: scratchSize) { scratch in
            let transposed = scratch.baseAddress!              // (headSize, padded) scaled queries
            let keys = transposed + d * padded                 // (tile, headSize)
            let values = keys + tile * d                       // (tile, headSize)
            let scores = values + tile * d                     // (tile, padded) scores, then weights
            let accumulated = scores + tile * padded           // (padded, headSize) unnormalised output
            let runningMax = accumulated + padded * d          // (padded)
            let runningSum = runningMax + padded               // (padded)
            let correction = runningSum + padded               // (padded)

            // Row r is token r / group, head firstHead + r % group; padding rows are zero queries.
            for r in 0..<padded {
                if r < rows {
                    let q = queries + (r / group) * queryStride + (firstHead + r % group) * d
                    for i in 0..<d { transposed[i * padded + r] = scale * q[i] }
                } else {
                    for i in 0..<d { transposed[i * padded + r] = 0 }
                }
                runningMax[r] = -.infinity
                runningSum[r] = 0
            }
            accumulated.update(repeating: 0, count: padded * d)

            let contextEnd = firstPosition + count
            var start = 0
            while start < contextEnd {
                let n = min(tile, contextEnd - start)
                for j in 0..<n {
                    let position = start + j
                    let slot = Int(blockTable[position / kv.blockSize]) * kv.blockSize + position % kv.blockSize
                    switch kv.elementType {
                    case .f16:
                        let offset = kv.offset(slot: slot, head: kvHead)
                        convertHalves(kv.keys + offset, into: keys + j * d, count: d)
                        convertHalves(kv.values + offset, into: values + j * d, count: d)
                    case .q8_0:
                        let row = kv.rowOffset(slot: slot, head: kvHead)
                        KVQ8Codec.dequantize(kv.keyBytes + row, count: d, into: keys + j * d, path: path)
                        KVQ8Codec.dequantize(kv.valueBytes + row, count: d, into: values + j * d, path: path)
                    }
                }
                computeScores(keys: keys, keyCount: n, transposed: transposed, headSize: d, vectors: vectors, scores: scores)
                // Causal mask: key `position` is hidden from tokens before it, the first
                // (position − firstPosition) tokens of the tile.
                if start + n - 1 > firstPosition {
                    for j in 0..<n where start + j > firstPosition {
                        let hidden = min(rows, (start + j - firstPosition) * group)
                        for r in 0..<hidden { scores[j * padded + r] = -.infinity }
                    }
                }
                updateSoftmax(scores: scores, keyCount: n, vectors: vectors, runningMax: runningMax,
                              runningSum: runningSum, correction: correction)
                accumulateValues(weights: scores, keyCount: n, values: values, headSize: d, rows: rows, padded: padded,
                                 correction: correction, accumulated: accumulated)
                start += n
            }
            for r in 0..<rows {
                let out = output + (r / group) * outputStride + (firstHead + r % group) * d
                let inverse = 1 / runningSum[r]
                let source = accumulated + r * d
                for i in 0..<d { out[i] = source[i] * inverse }
            }
        }
    }

    @inline(__always)
    static func convertHalves(_ source: UnsafePointer<Float16>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        for i in stride(from: 0, to: count, by: 8) {
            let halves = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float16>.self)
            UnsafeMutableRawPointer(destination + i).storeBytes(of: SIMD8<Float>(halves), as: SIMD8<Float>.self)
        }
    }

    /// scores[j][r] = Σᵢ keys[j][i] · transposed[i][r], four row vectors (32 rows) at a time.
    @inline(__always)
    static func computeScores(keys: UnsafePointer<Float>, keyCount: Int, transposed: UnsafePointer<Float>, headSize d: Int,
                              vectors: Int, scores: UnsafeMutablePointer<Float>) {
        let padded = 8 * vectors
        let q = UnsafeRawPointer(transposed)
        for j in 0..<keyCount {
            let key = keys + j * d
            let row = UnsafeMutableRawPointer(scores + j * padded)
            var v = 0
            while v + 4 <= vectors {
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                for i in 0..<d {
                    let k = SIMD8<Float>(repeating: key[i])
                    let column = q + 4 * (i * padded + 8 * v)
                    a0.addProduct(k, column.loadUnaligned(as: SIMD8<Float>.self))
                    a1.addProduct(k, (column + 32).loadUnaligned(as: SIMD8<Float>.self))
                    a2.addProduct(k, (column + 64).loadUnaligned(as: SIMD8<Float>.self))
                    a3.addProduct(k, (column + 96).loadUnaligned(as: SIMD8<Float>.self))
                }
                row.storeBytes(of: a0, toByteOffset: 32 * v, as: SIMD8<Float>.self)
                row.storeBytes(of: a1, toByteOffset: 32 * v + 32, as: SIMD8<Float>.self)
                row.storeBytes(of: a2, toByteOffset: 32 * v + 64, as: SIMD8<Float>.self)
                row.storeBytes(of: a3, toByteOffset: 32 * v + 96, as: SIMD8<Float>.self)
                v += 4
            }
            while v < vectors {
                var a0 = SIMD8<Float>()
                for i in 0..<d {
                    a0.addProduct(SIMD8<Float>(repeating: key[i]), (q + 4 * (i * padded + 8 * v)).loadUnaligned(as: SIMD8<Float>.self))
                }
                row.storeBytes(of: a0, toByteOffset: 32 * v, as: SIMD8<Float>.self)
                v += 1
            }
        }
    }

    /// Online softmax over one key tile, eight rows at a time: new running max, the factor that
    /// rescales what was accumulated so far, and the scores replaced by e^(score − max).
    @inline(__always)
    static func updateSoftmax(scores: UnsafeMutablePointer<Float>, keyCount: Int, vectors: Int,
                              runningMax: UnsafeMutablePointer<Float>, runningSum: UnsafeMutablePointer<Float>,
                              correction: UnsafeMutablePointer<Float>) {
        let padded = 8 * vectors
        for v in 0..<vectors {
            let column = UnsafeMutableRawPointer(scores + 8 * v)
            var tileMax = SIMD8<Float>(repeating: -.infinity)
            for j in 0..<keyCount {
                tileMax = lanewiseMax(tileMax, column.loadUnaligned(fromByteOffset: 4 * j * padded, as: SIMD8<Float>.self))
            }
            let oldMax = UnsafeRawPointer(runningMax + 8 * v).loadUnaligned(as: SIMD8<Float>.self)
            let newMax = lanewiseMax(oldMax, tileMax)
            let factor = exp8(oldMax - newMax)
            var sum = SIMD8<Float>()
            for j in 0..<keyCount {
                let p = exp8(column.loadUnaligned(fromByteOffset: 4 * j * padded, as: SIMD8<Float>.self) - newMax)
                column.storeBytes(of: p, toByteOffset: 4 * j * padded, as: SIMD8<Float>.self)
                sum += p
            }
            let oldSum = UnsafeRawPointer(runningSum + 8 * v).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(runningSum + 8 * v).storeBytes(of: oldSum * factor + sum, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(runningMax + 8 * v).storeBytes(of: newMax, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(correction + 8 * v).storeBytes(of: factor, as: SIMD8<Float>.self)
        }
    }

    /// accumulated[r] = accumulated[r] · correction[r] + Σⱼ weights[j][r] · values[j].
    @inline(__always)
    static func accumulateValues(weights: UnsafePointer<Float>, keyCount: Int, values: UnsafePointer<Float>, headSize d: Int,
                                 rows: Int, padded: Int, correction: UnsafePointer<Float>, accumulated: UnsafeMutablePointer<Float>) {
        let v = UnsafeRawPointer(values)
        for r in 0..<rows {
            let out = UnsafeMutableRawPointer(accumulated + r * d)
            let factor = SIMD8<Float>(repeating: correction[r])
            var i = 0
            while i + 32 <= d {
                var a0 = factor * out.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                var a1 = factor * out.loadUnaligned(fromByteOffset: 4 * i + 32, as: SIMD8<Float>.self)
                var a2 = factor * out.loadUnaligned(fromByteOffset: 4 * i + 64, as: SIMD8<Float>.self)
                var a3 = factor * out.loadUnaligned(fromByteOffset: 4 * i + 96, as: SIMD8<Float>.self)
                for j in 0..<keyCount {
                    let p = SIMD8<Float>(repeating: weights[j * padded + r])
                    let value = v + 4 * (j * d + i)
                    a0.addProduct(p, value.loadUnaligned(as: SIMD8<Float>.self))
                    a1.addProduct(p, (value + 32).loadUnaligned(as: SIMD8<Float>.self))
                    a2.addProduct(p, (value + 64).loadUnaligned(as: SIMD8<Float>.self))
                    a3.addProduct(p, (value + 96).loadUnaligned(as: SIMD8<Float>.self))
                }
                out.storeBytes(of: a0, toByteOffset: 4 * i, as: SIMD8<Float>.self)
                out.storeBytes(of: a1, toByteOffset: 4 * i + 32, as: SIMD8<Float>.self)
                out.storeBytes(of: a2, toByteOffset: 4 * i + 64, as: SIMD8<Float>.self)
                out.storeBytes(of: a3, toByteOffset: 4 * i + 96, as: SIMD8<Float>.self)
                i += 32
            }
            while i < d {
                var a0 = factor * out.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                for j in 0..<keyCount {
                    a0.addProduct(SIMD8<Float>(repeating: weights[j * padded + r]), (v + 4 * (j * d + i)).loadUnaligned(as: SIMD8<Float>.self))
                }
                out.storeBytes(of: a0, toByteOffset: 4 * i, as: SIMD8<Float>.self)
                i += 8
            }
        }
    }
}
