/// Decode attention over a Q8_0 KV cache (see ``KVElementType/q8_0``). Each tile's key and value
/// rows are converted to floats once, into scratch, and shared by the query heads of the group;
/// the online softmax is the same as for half-precision rows.
extension Attention {
    static func attendQ8(query: UnsafePointer<Float>, heads: Int, kvHead: Int, kv: PagedKV,
                         blockTable: UnsafePointer<Int32>, contextLength: Int, scale: Float,
                         output: UnsafeMutablePointer<Float>, path: KernelPath) {
        let group = heads / kv.kvHeads
        let d = kv.headSize
        let firstHead = kvHead * group
        withUnsafeTemporaryAllocation(of: Float.self, capacity: group * (tile + 2) + 2 * tile * d) { scratch in
            let scores = scratch.baseAddress!               // (group, tile)
            let runningMax = scores + group * tile           // (group)
            let runningSum = runningMax + group              // (group)
            let keys = runningSum + group                    // (tile, headSize)
            let values = keys + tile * d                     // (tile, headSize)
            for g in 0..<group {
                runningMax[g] = -.infinity
                runningSum[g] = 0
                (output + (firstHead + g) * d).update(repeating: 0, count: d)
            }
            var start = 0
            while start < contextLength {
                let count = min(tile, contextLength - start)
                for j in 0..<count {
                    let position = start + j
                    let slot = Int(blockTable[position / kv.blockSize]) * kv.blockSize + position % kv.blockSize
                    let row = kv.rowOffset(slot: slot, head: kvHead)
                    KVQ8Codec.dequantize(kv.keyBytes + row, count: d, into: keys + j * d, path: path)
                    KVQ8Codec.dequantize(kv.valueBytes + row, count: d, into: values + j * d, path: path)
                    for g in 0..<group {
                        scores[g * tile + j] = scale * dotFloat(query + (firstHead + g) * d, keys + j * d, count: d)
                    }
                }
                updateRunningSoftmax(scores: scores, count: count, group: group, runningMax: runningMax, runningSum: runningSum,
                                     outputs: output + firstHead * d, headSize: d)
                for j in 0..<count {
                    for g in 0..<group {
                        accumulateFloat(scores[g * tile + j], values + j * d, into: output + (firstHead + g) * d, count: d)
                    }
                }
                start += count
            }
            for g in 0..<group {
                let out = output + (firstHead + g) * d
                let inverse = 1 / runningSum[g]
                for i in 0..<d { out[i] *= inverse }
            }
        }
    }

    /// Σ a[i] · b[i] over `count` (a multiple of 8) floats, with two accumulators.
    @inline(__always)
    static func dotFloat(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= count {
            acc0.addProduct(x.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self), y.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self))
            acc1.addProduct(x.loadUnaligned(fromByteOffset: 4 * i + 32, as: SIMD8<Float>.self),
                            y.loadUnaligned(fromByteOffset: 4 * i + 32, as: SIMD8<Float>.self))
            i += 16
        }
        if i < count {
            acc0.addProduct(x.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self), y.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self))
        }
        return horizontalSum(acc0 + acc1)
    }

    /// out[i] += weight · v[i] over `count` (a multiple of 8) floats.
    @inline(__always)
    static func accumulateFloat(_ weight: Float, _ v: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        let source = UnsafeRawPointer(v), target = UnsafeMutableRawPointer(out)
        for i in stride(from: 0, to: 4 * count, by: 32) {
            let sum = target.loadUnaligned(fromByteOffset: i, as: SIMD8<Float>.self)
                .addingProduct(weight, source.loadUnaligned(fromByteOffset: i, as: SIMD8<Float>.self))
            target.storeBytes(of: sum, toByteOffset: i, as: SIMD8<Float>.self)
        }
    }
}
