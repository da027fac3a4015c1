import Foundation

/// Where one layer's keys and values live: a pool of fixed-size blocks, each holding
/// `blockSize` token slots of `kvHeads` rows of `headSize` elements, stored as `elementType`.
///
/// keyBytes, valueBytes: (blocks, blockSize, kvHeads, rowBytes) bytes; a row is `headSize`
/// Float16 values (f16) or `headSize / 32` Q8_0 blocks (q8_0).
public struct PagedKV: @unchecked Sendable {
    public let keyBytes: UnsafeMutableRawPointer
    public let valueBytes: UnsafeMutableRawPointer
    public let elementType: KVElementType
    public let blockSize: Int
    public let kvHeads: Int
    public let headSize: Int
    /// Bytes of one (slot, head) row.
    public let rowBytes: Int

    /// A view of rows of `elementType`; `elementType.supports(headSize:)` must hold.
    public init(keyBytes: UnsafeMutableRawPointer, valueBytes: UnsafeMutableRawPointer, elementType: KVElementType,
                blockSize: Int, kvHeads: Int, headSize: Int) {
        precondition(elementType.supports(headSize: headSize), "\(elementType) KV cannot hold heads of \(headSize)")
        self.keyBytes = keyBytes
        self.valueBytes = valueBytes
        self.elementType = elementType
        self.blockSize = blockSize
        self.kvHeads = kvHeads
        self.headSize = headSize
        rowBytes = elementType.rowBytes(headSize: headSize)
    }

    /// A half-precision view.
    public init(keys: UnsafeMutablePointer<Float16>, values: UnsafeMutablePointer<Float16>, blockSize: Int, kvHeads: Int, headSize: Int) {
        self.init(keyBytes: UnsafeMutableRawPointer(keys), valueBytes: UnsafeMutableRawPointer(values), elementType: .f16,
                  blockSize: blockSize, kvHeads: kvHeads, headSize: headSize)
    }

    /// The keys as Float16 elements; meaningful for `.f16` storage only.
    public var keys: UnsafeMutablePointer<Float16> { keyBytes.assumingMemoryBound(to: Float16.self) }
    /// The values as Float16 elements; meaningful for `.f16` storage only.
    public var values: UnsafeMutablePointer<Float16> { valueBytes.assumingMemoryBound(to: Float16.self) }

    /// Element offset of (slot, head) in `.f16` storage, where slot = block · blockSize + offset in block.
    @inline(__always)
    public func offset(slot: Int, head: Int) -> Int { (slot * kvHeads + head) * headSize }

    /// Byte offset of the (slot, head) row, for any element type.
    @inline(__always)
    public func rowOffset(slot: Int, head: Int) -> Int { (slot * kvHeads + head) * rowBytes }

    /// Stores one token's keys and values, (kvHeads, headSize) floats each, into `slot`
    /// (quantized to Q8_0 for `.q8_0` storage).
    public func store(slot: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>, path: KernelPath = .best) {
        switch elementType {
        case .f16:
            let base = offset(slot: slot, head: 0)
            for i in 0..<kvHeads * headSize {
                keys[base + i] = Float16(k[i])
                values[base + i] = Float16(v[i])
            }
        case .q8_0:
            // A slot's rows are contiguous and each is whole blocks, so the slot is one run of blocks.
            let base = rowOffset(slot: slot, head: 0)
            KVQ8Codec.quantize(k, count: kvHeads * headSize, into: keyBytes + base, path: path)
            KVQ8Codec.quantize(v, count: kvHeads * headSize, into: valueBytes + base, path: path)
        }
    }
}

/// Causal attention of query tokens over their sequence's paged keys and values, in the
/// FlashAttention-2 manner: keys are visited in tiles with an online softmax (running max and
/// normaliser per query head), so no score matrix over the whole context is materialised.
public enum Attention {
    /// Keys scored together before the running softmax is rescaled.
    static let tile = 16

    /// Attends `heads` query heads of one token to the first `contextLength` positions of a
    /// sequence whose block table is `blockTable`. Query heads share key/value heads in groups
    /// of `heads / kv.kvHeads` (grouped-query attention). `path` picks how Q8_0 rows are
    /// converted; half-precision rows use plain SIMD either way.
    ///
    /// - Parameters:
    ///   - query: (heads, headSize)
    ///   - output: (heads, headSize)
    ///   - kvHead: the key/value head to process, with its group of query heads; call once per head
    public static func attend(query: UnsafePointer<Float>, heads: Int, kvHead: Int, kv: PagedKV,
                              blockTable: UnsafePointer<Int32>, contextLength: Int, scale: Float,
                              output: UnsafeMutablePointer<Float>, path: KernelPath = .best) {
        if kv.elementType == .q8_0 {
            attendQ8(query: query, heads: heads, kvHead: kvHead, kv: kv, blockTable: blockTable, contextLength: contextLength,
                     scale: scale, output: output, path: path)
            return
        }
        let group = heads / kv.kvHeads
        let d = kv.headSize
        let firstHead = kvHead * group
        withUnsafeTemporaryAllocation(of: Float.self, capacity: group * (tile + 2)) { scratch in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: tile) { rowOffsets in
                let scores = scratch.baseAddress!               // (group, tile)
                let runningMax = scores + group * tile           // (group)
                let runningSum = runningMax + group              // (group)
                let offsets = rowOffsets.baseAddress!            // (tile) element offset of each key/value row
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
                        offsets[j] = kv.offset(slot: slot, head: kvHead)
                        for g in 0..<group {
                            scores[g * tile + j] = scale * dotHalf(query + (firstHead + g) * d, kv.keys + offsets[j], count: d)
                        }
                    }
                    updateRunningSoftmax(scores: scores, count: count, group: group, runningMax: runningMax, runningSum: runningSum,
                                         outputs: output + firstHead * d, headSize: d)
                    for g in 0..<group {
                        accumulateTile(weights: scores + g * tile, count: count, values: kv.values, rowOffsets: offsets,
                                       into: output + (firstHead + g) * d, headSize: d)
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
    }

    /// One online-softmax step over a tile of `count` scores per query head (scores: (group,
    /// tile)): new running max and normaliser, the heads' outputs (group, headSize) rescaled to
    /// the new max, and the scores replaced by their weights e^(score − max).
    @inline(__always)
    static func updateRunningSoftmax(scores: UnsafeMutablePointer<Float>, count: Int, group: Int,
                                     runningMax: UnsafeMutablePointer<Float>, runningSum: UnsafeMutablePointer<Float>,
                                     outputs: UnsafeMutablePointer<Float>, headSize d: Int) {
        for g in 0..<group {
            let row = scores + g * tile
            var tileMax = -Float.infinity
            for j in 0..<count { tileMax = max(tileMax, row[j]) }
            let newMax = max(runningMax[g], tileMax)
            let correction = exp(runningMax[g] - newMax)
            let out = outputs + g * d
            if correction != 1 { for i in 0..<d { out[i] *= correction } }
            // Weights eight at a time: the row holds `tile` (a multiple of 8) floats, and scores
            // past `count` are set to −∞ so that their weights are exactly 0.
            var padded = count
            while padded % 8 != 0 { row[padded] = -.infinity; padded += 1 }
            var sums = SIMD8<Float>()
            var j = 0
            while j < padded {
                let slot = UnsafeMutableRawPointer(row + j)
                let p = exp8(slot.loadUnaligned(as: SIMD8<Float>.self) - SIMD8(repeating: newMax))
                slot.storeBytes(of: p, as: SIMD8<Float>.self)
                sums += p
                j += 8
            }
            runningMax[g] = newMax
            runningSum[g] = runningSum[g] * correction + horizontalSum(sums)
        }
    }

    @inline(__always)
    static func dotHalf(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float16>, count: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let kv = SIMD8<Float>(UnsafeRawPointer(k + i).loadUnaligned(as: SIMD8<Float16>.self))
            acc.addProduct(UnsafeRawPointer(q + i).loadUnaligned(as: SIMD8<Float>.self), kv)
            i += 8
        }
        var total = horizontalSum(acc)
        while i < count { total += q[i] * Float(k[i]); i += 1 }
        return total
    }

    /// out += Σⱼ weights[j] · values[j] over a tile of `count` half-precision value rows (row j at
    /// `values + rowOffsets[j]`), 32 lanes of `out` held in registers across the tile rather
    /// than loaded and stored per row. Per lane the fused multiply-adds run in row order, as
    /// one row at a time would.
    @inline(__always)
    static func accumulateTile(weights: UnsafePointer<Float>, count: Int, values: UnsafePointer<Float16>,
                               rowOffsets: UnsafePointer<Int>, into out: UnsafeMutablePointer<Float>, headSize d: Int) {
        @inline(__always) func row(_ j: Int, _ i: Int) -> SIMD8<Float> {
            SIMD8<Float>(UnsafeRawPointer(values + rowOffsets[j] + i).loadUnaligned(as: SIMD8<Float16>.self))
        }
        var i = 0
        while i + 32 <= d {
            let o = UnsafeMutableRawPointer(out + i)
            var a0 = o.loadUnaligned(as: SIMD8<Float>.self), a1 = o.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            var a2 = o.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self), a3 = o.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            for j in 0..<count {
                let w = SIMD8<Float>(repeating: weights[j])
                a0 = a0.addingProduct(w, row(j, i))
                a1 = a1.addingProduct(w, row(j, i + 8))
                a2 = a2.addingProduct(w, row(j, i + 16))
                a3 = a3.addingProduct(w, row(j, i + 24))
            }
            o.storeBytes(of: a0, as: SIMD8<Float>.self)
            o.storeBytes(of: a1, toByteOffset: 32, as: SIMD8<Float>.self)
            o.storeBytes(of: a2, toByteOffset: 64, as: SIMD8<Float>.self)
            o.storeBytes(of: a3, toByteOffset: 96, as: SIMD8<Float>.self)
            i += 32
        }
        while i + 8 <= d {
            let o = UnsafeMutableRawPointer(out + i)
            var a0 = o.loadUnaligned(as: SIMD8<Float>.self)
            for j in 0..<count { a0 = a0.addingProduct(SIMD8<Float>(repeating: weights[j]), row(j, i)) }
            o.storeBytes(of: a0, as: SIMD8<Float>.self)
            i += 8
        }
        while i < d {
            for j in 0..<count { out[i] += weights[j] * Float(values[rowOffsets[j] + i]) }
            i += 1
        }
    }

    /// Plain reference: full softmax over all scores in Double. For tests.
    public static func reference(query: UnsafePointer<Float>, heads: Int, keys: [[Float]], values: [[Float]],
                                 kvHeads: Int, headSize: Int, scale: Float) -> [Float] {
        // keys[position]: (kvHeads, headSize)
        let group = heads / kvHeads
        var out = [Float](repeating: 0, count: heads * headSize)
        for h in 0..<heads {
            let kvh = h / group
            let scores = keys.map { k -> Double in
                var s: Double = 0
                for i in 0..<headSize { s += Double(query[h * headSize + i]) * Double(k[kvh * headSize + i]) }
                return s * Double(scale)
            }
            let m = scores.max() ?? 0
            let weights = scores.map { Foundation.exp($0 - m) }
            let total = weights.reduce(0, +)
            for i in 0..<headSize {
                var acc: Double = 0
                for (p, v) in zip(weights, values) { acc += p * Double(v[kvh * headSize + i]) }
                out[h * headSize + i] = Float(acc / total)
            }
        }
        return out
    }
}
