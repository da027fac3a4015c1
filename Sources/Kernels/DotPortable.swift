/// Plain-Swift row dot products: the fallback on CPUs without AVX2 and the reference the
/// AVX2 kernels are checked against bit-for-bit on the integer part.
enum PortableDot {
    /// Σ_blocks  d_w · d_x · Σ q_w·q_x  (+ the format's offset term), one weight row against one
    /// quantized activation row of `blocks` blocks.
    static func quantized(_ type: WeightType, _ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                          _ scales: UnsafePointer<Float>, _ sums: UnsafePointer<Float>, blocks: Int) -> Float {
        var total: Float = 0
        switch type {
        case .q8_0:
            for b in 0..<blocks {
                let w = row + b * 34
                let x = codes + b * 32
                var acc: Int32 = 0
                for i in 0..<32 { acc &+= Int32(w.load(fromByteOffset: 2 + i, as: Int8.self)) &* Int32(x[i]) }
                total += loadHalf(w) * scales[b] * Float(acc)
            }
        case .q4_0, .q4_1:
            let stride = type == .q4_0 ? 18 : 20
            let codeOffset = type == .q4_0 ? 2 : 4
            for b in 0..<blocks {
                let w = row + b * stride
                let x = codes + b * 32
                var acc: Int32 = 0
                for j in 0..<16 {
                    let byte = w.load(fromByteOffset: codeOffset + j, as: UInt8.self)
                    acc &+= Int32(byte & 0x0F) &* Int32(x[j]) &+ Int32(byte >> 4) &* Int32(x[j + 16])
                }
                let d = loadHalf(w)
                // Q4_0 codes are offset by 8: Σ(q−8)·x = Σq·x − 8·Σx. Q4_1 adds m·Σx.
                let offset = type == .q4_0 ? -8 * d : loadHalf(w, byteOffset: 2)
                total += d * scales[b] * Float(acc) + offset * sums[b]
            }
        case .q5_0, .q5_1:
            total = q5(type, row, codes, scales, sums, blocks: blocks)
        case .q4_K, .q5_K:
            total = q45K(type, row, codes, scales, sums, blocks: blocks)
        case .q6_K:
            total = q6K(row, codes, scales, blocks: blocks)
        case .f32, .f16, .bf16:
            preconditionFailure("float weights use the float dot product")
        }
        return total
    }

    /// One float-format weight row against `count` floats.
    static func float(_ type: WeightType, _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        switch type {
        case .f32:
            let w = row.assumingMemoryBound(to: Float.self)
            while i + 8 <= count {
                acc += UnsafeRawPointer(w + i).loadUnaligned(as: SIMD8<Float>.self) * UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                i += 8
            }
            var tail = acc.sum()
            while i < count { tail += w[i] * x[i]; i += 1 }
            return tail
        case .f16:
            var tail: Float = 0
            while i < count { tail += loadHalf(row, byteOffset: 2 * i) * x[i]; i += 1 }
            return tail
        case .bf16:
            var tail: Float = 0
            while i < count { tail += loadBFloat16(row, byteOffset: 2 * i) * x[i]; i += 1 }
            return tail
        case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q4_K, .q5_K, .q6_K:
            preconditionFailure("quantized weights use the quantized dot product")
        }
    }
}
