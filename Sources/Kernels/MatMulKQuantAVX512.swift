#if TERN_AVX512
import KernelsAVX512

extension MatMul {
    /// Q4_K, Q5_K and Q6_K with AVX-512 VNNI: tokens in tiles of eight while a tile's activations
    /// stay in L1 and the thread's chunk of rows passes over them, the rest (all of decode) one
    /// token at a time; a token's result is the same either way.
    @inline(never)
    func kQuantAVX512(_ weights: WeightMatrix, tokens: Int, output: UnsafeMutablePointer<Float>,
                      scratch: QuantizedActivations, pool: ThreadPool) {
        precondition(scratch.mode == .perSuperBlock)
        let format: AVX512KQuant.Format = switch weights.type {
        case .q4_K: .q4K
        case .q5_K: .q5K
        case .q6_K: .q6K
        default: preconditionFailure("no AVX-512 K-quant kernel for \(weights.type)")
        }
        let rows = weights.rows
        let activations = scratch.superBlockActivations
        let tiles = tokens / 8
        let superBlocks = weights.columns / 256
        pool.parallelFor(rows, chunk: Self.rowsPerChunk(rows: rows, threads: pool.threadCount)) { range in
            if tiles > 0 && superBlocks > Self.superBlocksPerPass {
                eightTokensInPasses(format, weights, range, tiles: tiles, activations: activations, output: output)
            } else {
                for tile in 0..<tiles {
                    AVX512KQuant.eightTokens(format, weights: weights.base, rowStride: weights.rowStride, rows: range,
                                             superBlocks: 0..<superBlocks, activations: activations, firstToken: 8 * tile,
                                             partials: nil, output: output, outputStride: rows)
                }
            }
            for t in (8 * tiles)..<tokens {
                AVX512KQuant.oneToken(format, weights: weights.base, rowStride: weights.rowStride, rows: range,
                                      activations: activations, token: t, output: output + t * rows)
            }
        }
    }
}

extension MatMul {
    /// Super-blocks of a row that one tile pass covers: eight tokens' 8 × 2,048 codes (16 KiB)
    /// stay in L1 with room for the weights. Rows of 8,192 (a feed-forward down projection) in
    /// one pass ran 30% slower.
    static let superBlocksPerPass = 8
    /// Rows whose partial sums are carried from one pass to the next.
    static let rowsPerPassGroup = 32

    /// Tiles of eight tokens over long rows: each group of rows takes the super-blocks in passes
    /// of `superBlocksPerPass`, carrying its accumulators on the stack between passes.
    private func eightTokensInPasses(_ format: AVX512KQuant.Format, _ weights: WeightMatrix, _ range: Range<Int>, tiles: Int,
                                     activations: AVX512KQuant.Activations, output: UnsafeMutablePointer<Float>) {
        let superBlocks = weights.columns / 256
        withUnsafeTemporaryAllocation(of: Float.self, capacity: Self.rowsPerPassGroup * AVX512KQuant.partialFloatsPerRow) { partials in
            for tile in 0..<tiles {
                for group in stride(from: range.lowerBound, to: range.upperBound, by: Self.rowsPerPassGroup) {
                    let groupRows = group..<min(group + Self.rowsPerPassGroup, range.upperBound)
                    for first in stride(from: 0, to: superBlocks, by: Self.superBlocksPerPass) {
                        AVX512KQuant.eightTokens(format, weights: weights.base, rowStride: weights.rowStride, rows: groupRows,
                                                 superBlocks: first..<min(first + Self.superBlocksPerPass, superBlocks),
                                                 activations: activations, firstToken: 8 * tile, partials: partials.baseAddress!,
                                                 output: output, outputStride: weights.rows)
                    }
                }
            }
        }
    }
}

extension QuantizedActivations {
    /// The per-super-block quantization as the AVX-512 kernels read it.
    var superBlockActivations: AVX512KQuant.Activations {
        AVX512KQuant.Activations(codes: codes, columns: columns, scales: scales, scalesByBlock: scalesByBlock,
                                 codeSums16: codeSums16, codeSums32: codeSums32,
                                 codeSumPairsByBlock: codeSumPairsByBlock, byBlockStride: capacityRows)
    }
}
#endif
