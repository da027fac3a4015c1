/// Activation rows quantized to 8 bits in blocks of 32, so that quantized weights can be
/// multiplied with integer dot products (as llama.cpp does with its Q8 activation blocks).
///
/// Allocated once for the largest batch; `quantize` overwrites the first `rows` rows.
public final class QuantizedActivations: @unchecked Sendable {
    public let capacityRows: Int
    public let columns: Int
    /// (capacityRows, columns) codes
    let codes: UnsafeMutablePointer<Int8>
    /// (capacityRows, columns / 32) per-block scale d, value ≈ d · code
    let scales: UnsafeMutablePointer<Float>
    /// (capacityRows, columns / 32) d · Σ codes, for weight formats with an offset term
    let sums: UnsafeMutablePointer<Float>

    public init(capacityRows: Int, columns: Int) {
        precondition(columns % 32 == 0)
        self.capacityRows = capacityRows
        self.columns = columns
        codes = .allocate(capacity: capacityRows * columns)
        scales = .allocate(capacity: capacityRows * columns / 32)
        sums = .allocate(capacity: capacityRows * columns / 32)
    }

    deinit {
        codes.deallocate()
        scales.deallocate()
        sums.deallocate()
    }

    @inline(__always) var blocksPerRow: Int { columns / 32 }

    /// Quantizes `rows` rows of `columns` floats from `input` (row-major).
    public func quantize(_ input: UnsafePointer<Float>, rows: Int) {
        precondition(rows <= capacityRows)
        for r in 0..<rows {
            let x = input + r * columns
            for block in 0..<blocksPerRow {
                let b = x + block * 32
                var amax = SIMD8<Float>()
                for i in stride(from: 0, to: 32, by: 8) {
                    let v = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
                    amax = pointwiseMax(amax, pointwiseMax(v, -v))
                }
                // Same arithmetic as ggml's Q8_0/Q8_1 quantizers: multiply by 127/max, round to
                // nearest even, store the scales in half precision. Greedy decoding of small
                // models is sensitive to these last bits, and matching them reproduces llama.cpp.
                let maxMagnitude = amax.max()
                let d = maxMagnitude / 127
                let id: Float = maxMagnitude != 0 ? 127 / maxMagnitude : 0
                let q = codes + r * columns + block * 32
                var total: Int32 = 0
                for i in 0..<32 {
                    let code = Int8((b[i] * id).rounded(.toNearestOrEven))
                    q[i] = code
                    total &+= Int32(code)
                }
                scales[r * blocksPerRow + block] = Float(Float16(d))
                sums[r * blocksPerRow + block] = Float(Float16(d * Float(total)))
            }
        }
    }
}
