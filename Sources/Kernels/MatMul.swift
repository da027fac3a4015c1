#if TERN_AVX512
import KernelsAVX512
#endif

/// y = x · Wᵀ for a batch of activation rows: the linear layers of a forward pass.
///
/// Decode (one row) is a matrix-vector product limited by reading the weights; prefill and
/// batched decode reuse each weight row, while it sits in L1, for every activation row.
public struct MatMul: Sendable {
    public let path: KernelPath
    /// Whether the AVX-512 kernels run: VNNI for Q8_0, Q4_0 and Q4_1 (one to three tokens and
    /// tiles of eight, bit-identical to the AVX2 kernels) and for Q4_K, Q5_K and Q6_K (one token
    /// and tiles of eight), FMA tiles for F32, F16 and BF16.
    public let usesAVX512: Bool

    /// - Parameter avx512: nil picks AVX-512 when the path is AVX2 and the CPU has AVX-512 VNNI
    ///   (`TERN_KERNELS=avx2` turns it off).
    public init(path: KernelPath = .best, avx512: Bool? = nil) {
        self.path = path
        usesAVX512 = path == .avx2 && (avx512 ?? (KernelPath.avx512Available && getenvString("TERN_KERNELS") != "avx2"))
    }

    /// Rows of the weight matrix handed to a thread at a time: two claims per thread, so a thread
    /// whose core is busy leaves its second chunk to the others. Every chunk start costs a
    /// contended claim and a cold start of the row streams; on a 576-row decode matrix (~2 µs
    /// per chunk at four chunks per thread) two-thread decode ran 15-20% faster with two chunks
    /// per thread than with four, and 8% faster again with one (BENCHMARKS.md).
    static func rowsPerChunk(rows: Int, threads: Int) -> Int {
        max(16, rows / (2 * threads))
    }

    /// - Parameters:
    ///   - input: (tokens, weights.columns) activations
    ///   - output: (tokens, weights.rows) results
    ///   - scratch: activation quantization buffer with at least `tokens` rows of `weights.columns`
    ///   - quantizeInput: false when `scratch` already holds this input quantized (consecutive
    ///     projections of one input share the work)
    public func callAsFunction(_ weights: WeightMatrix, input: UnsafePointer<Float>, tokens: Int,
                               output: UnsafeMutablePointer<Float>, scratch: QuantizedActivations, pool: ThreadPool,
                               quantizeInput: Bool = true) {
        let rows = weights.rows, columns = weights.columns
        if let mode = weights.type.activationQuantization {
            precondition(scratch.columns == columns && scratch.capacityRows >= tokens, "scratch too small")
            if quantizeInput {
                scratch.quantize(input, rows: tokens, mode: mode, pool: pool, path: path)
            } else {
                precondition(scratch.mode == mode, "scratch holds activations quantized for another weight format")
            }
            let blocks = columns / 32
            #if TERN_AVX2
            // The common formats get their own loops whose kernels are leaf functions: sharing one
            // loop with the calls to the other formats' kernels made it 40% slower (BENCHMARKS.md).
            if path == .avx2 && AVX2Dot.hasFourTokenKernel(weights.type) {
                if tokens >= 8 {
                    manyTokensCommon(weights, tokens: tokens, output: output, scratch: scratch, pool: pool)
                    return
                }
                #if TERN_AVX512
                if usesAVX512 && tokens < 4 {
                    fewTokensAVX512(weights, tokens: tokens, output: output, scratch: scratch, pool: pool)
                    return
                }
                #endif
                let groupsOfFour = tokens / 4
                pool.parallelFor(rows, chunk: Self.rowsPerChunk(rows: rows, threads: pool.threadCount)) { range in
                    for r in range {
                        let row = weights.row(r)
                        for g in 0..<groupsOfFour {
                            let t = 4 * g
                            AVX2Dot.quantizedFour(weights.type, row, codes: scratch.codes + t * columns, codeStride: columns,
                                                  scales: scratch.scales + t * blocks, sums: scratch.sums + t * blocks, blockStride: blocks,
                                                  blocks: blocks, output: output + t * rows + r, outputStride: rows)
                        }
                        for t in (4 * groupsOfFour)..<tokens {
                            output[t * rows + r] = AVX2Dot.quantizedCommon(weights.type, row, scratch.codes + t * columns,
                                                                           scratch.scales + t * blocks, scratch.sums + t * blocks, blocks: blocks)
                        }
                    }
                }
                return
            }
            if path == .avx2 && AVX2Dot.hasKQuantKernel(weights.type) {
                #if TERN_AVX512
                if usesAVX512 {
                    kQuantAVX512(weights, tokens: tokens, output: output, scratch: scratch, pool: pool)
                    return
                }
                #endif
                kQuantRows(weights, tokens: tokens, output: output, scratch: scratch, pool: pool)
                return
            }
            #endif
            // Other formats, and the portable path: one token at a time.
            pool.parallelFor(rows, chunk: Self.rowsPerChunk(rows: rows, threads: pool.threadCount)) { range in
                for r in range {
                    let row = weights.row(r)
                    for t in 0..<tokens {
                        output[t * rows + r] = dotQuantized(weights.type, row, scratch.codes + t * columns,
                                                            scratch.scales + t * blocks, scratch.sums + t * blocks, blocks: blocks)
                    }
                }
            }
        } else {
            #if TERN_AVX512
            if usesAVX512 {
                floatAVX512(weights, input: input, tokens: tokens, output: output, pool: pool)
                return
            }
            #endif
            #if TERN_AVX2
            if path == .avx2 && tokens >= 4 {
                floatTokensInFours(weights, input: input, tokens: tokens, output: output, pool: pool)
                return
            }
            #endif
            pool.parallelFor(rows, chunk: Self.rowsPerChunk(rows: rows, threads: pool.threadCount)) { range in
                for r in range {
                    let row = weights.row(r)
                    for t in 0..<tokens {
                        output[t * rows + r] = dotFloat(weights.type, row, input + t * columns, count: columns)
                    }
                }
            }
        }
    }

    #if TERN_AVX512
    /// F32, F16 and BF16 with AVX-512, every token count (a token's result does not depend on
    /// its batch).
    @inline(never)
    private func floatAVX512(_ weights: WeightMatrix, input: UnsafePointer<Float>, tokens: Int,
                             output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let format: AVX512Float.Format = switch weights.type {
        case .f32: .f32
        case .f16: .f16
        default: .bf16
        }
        pool.parallelFor(weights.rows, chunk: Self.rowsPerChunk(rows: weights.rows, threads: pool.threadCount)) { range in
            AVX512Float.matmul(format, weights: weights.base, rowStride: weights.rowStride, rows: range, x: input,
                               tokens: tokens, columns: weights.columns, output: output, outputStride: weights.rows)
        }
    }
    #endif

    #if TERN_AVX2
    /// Prefill for F32, F16 and BF16: tokens in groups of four share each widened weight vector;
    /// a group's activations stay in L1 while the thread's chunk of rows passes over them.
    /// Bit-identical to one token at a time.
    @inline(never)
    private func floatTokensInFours(_ weights: WeightMatrix, input: UnsafePointer<Float>, tokens: Int,
                                    output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let rows = weights.rows, columns = weights.columns, type = weights.type
        let groups = tokens / 4
        pool.parallelFor(rows, chunk: Self.rowsPerChunk(rows: rows, threads: pool.threadCount)) { range in
            for g in 0..<groups {
                let t = 4 * g
                for r in range {
                    AVX2Dot.floatFour(type, weights.row(r), input + t * columns, xStride: columns, count: columns,
                                      output: output + t * rows + r, outputStride: rows)
                }
            }
            for t in (4 * groups)..<tokens {
                for r in range { output[t * rows + r] = AVX2Dot.float(type, weights.row(r), input + t * columns, count: columns) }
            }
        }
    }
    #endif

    #if TERN_AVX2
    /// Prefill for Q8_0, Q4_0 and Q4_1: each thread takes a chunk of weight rows and walks the
    /// tokens in tiles of eight, so a tile's activations stay in L1 while the chunk's rows pass
    /// over them. Results are bit-identical to the one-token kernel, with AVX-512 or without.
    private func manyTokensCommon(_ weights: WeightMatrix, tokens: Int, output: UnsafeMutablePointer<Float>,
                                  scratch: QuantizedActivations, pool: ThreadPool) {
        let rows = weights.rows, columns = weights.columns, blocks = columns / 32
        let tiles = tokens / 8
        let avx512 = usesAVX512
        pool.parallelFor(rows, chunk: Self.rowsPerChunk(rows: rows, threads: pool.threadCount)) { range in
            for tile in 0..<tiles {
                let t = 8 * tile
                if avx512 {
                    AVX512Common.eightTokens(AVX512Common.Format(weights.type), weights: weights.base, rowStride: weights.rowStride,
                                             rows: range, codes: scratch.codes + t * columns, codeStride: columns,
                                             scalesByBlock: scratch.scalesByBlock + t, sumsByBlock: scratch.sumsByBlock + t,
                                             byBlockStride: scratch.capacityRows, blocks: blocks, output: output + t * rows, outputStride: rows)
                    continue
                }
                for r in range {
                    AVX2Dot.quantizedEight(weights.type, weights.row(r), codes: scratch.codes + t * columns, codeStride: columns,
                                           scales: scratch.scales + t * blocks, blockStride: blocks,
                                           sumsByBlock: scratch.sumsByBlock + t, sumStride: scratch.capacityRows,
                                           blocks: blocks, output: output + t * rows + r, outputStride: rows)
                }
            }
            for t in (8 * tiles)..<tokens {
                for r in range {
                    output[t * rows + r] = AVX2Dot.quantizedCommon(weights.type, weights.row(r), scratch.codes + t * columns,
                                                                   scratch.scales + t * blocks, scratch.sums + t * blocks, blocks: blocks)
                }
            }
        }
    }

    #if TERN_AVX512
    /// Decode and small batches for Q8_0, Q4_0 and Q4_1 with AVX-512, one token after another.
    /// Not inlined: in the caller's body it slowed the AVX2 loop beside it by a third.
    @inline(never)
    private func fewTokensAVX512(_ weights: WeightMatrix, tokens: Int, output: UnsafeMutablePointer<Float>,
                                 scratch: QuantizedActivations, pool: ThreadPool) {
        let rows = weights.rows, columns = weights.columns, blocks = columns / 32
        let format = AVX512Common.Format(weights.type)
        pool.parallelFor(rows, chunk: Self.rowsPerChunk(rows: rows, threads: pool.threadCount)) { range in
            for t in 0..<tokens {
                AVX512Common.oneToken(format, weights: weights.base, rowStride: weights.rowStride, rows: range,
                                      codes: scratch.codes + t * columns, scales: scratch.scales + t * blocks,
                                      sums: scratch.sums + t * blocks, blocks: blocks, output: output + t * rows)
            }
        }
    }
    #endif

    /// Q4_K, Q5_K and Q6_K (the bulk of Q4_K_M and Q5_K_M files) in loops of their own whose
    /// kernels are inlined, for the same reason as the common formats' loops; tokens in tiles of
    /// four share each unpacked weight super-block.
    private func kQuantRows(_ weights: WeightMatrix, tokens: Int, output: UnsafeMutablePointer<Float>,
                            scratch: QuantizedActivations, pool: ThreadPool) {
        pool.parallelFor(weights.rows, chunk: Self.rowsPerChunk(rows: weights.rows, threads: pool.threadCount)) { range in
            AVX2Dot.kQuantRows(weights, range, tokens: tokens, scratch: scratch, output: output)
        }
    }
    #endif

    @inline(__always)
    func dotQuantized(_ type: WeightType, _ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                      _ scales: UnsafePointer<Float>, _ sums: UnsafePointer<Float>, blocks: Int) -> Float {
        #if TERN_AVX2
        if path == .avx2 { return AVX2Dot.quantized(type, row, codes, scales, sums, blocks: blocks) }
        #endif
        return PortableDot.quantized(type, row, codes, scales, sums, blocks: blocks)
    }

    @inline(__always)
    func dotFloat(_ type: WeightType, _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int) -> Float {
        #if TERN_AVX2
        if path == .avx2 { return AVX2Dot.float(type, row, x, count: count) }
        #endif
        return PortableDot.float(type, row, x, count: count)
    }
}

/// The plain reference: dequantize each weight row to float and accumulate in Double.
/// Slow; used by tests to bound the error of the fast kernels.
public func referenceMatMul(_ weights: WeightMatrix, input: UnsafePointer<Float>, tokens: Int, output: UnsafeMutablePointer<Float>) {
    var row = [Float](repeating: 0, count: weights.columns)
    for r in 0..<weights.rows {
        row.withUnsafeMutableBufferPointer { dequantizeRow(weights.type, weights.row(r), into: $0.baseAddress!, count: weights.columns) }
        for t in 0..<tokens {
            var acc: Double = 0
            for c in 0..<weights.columns { acc += Double(row[c]) * Double(input[t * weights.columns + c]) }
            output[t * weights.rows + r] = Float(acc)
        }
    }
}

#if TERN_AVX512
extension AVX512Common.Format {
    init(_ type: WeightType) {
        switch type {
        case .q8_0: self = .q8_0
        case .q4_0: self = .q4_0
        case .q4_1: self = .q4_1
        default: preconditionFailure("no AVX-512 kernel for \(type)")
        }
    }
}
#endif
