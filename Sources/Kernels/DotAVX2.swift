#if TERN_AVX2
import CIntrinsics

/// AVX2 row dot products. Same arithmetic as `PortableDot`: integer products summed exactly per
/// block (`vpmaddubsw` then `vpmaddwd`), then scaled in float with FMA.
enum AVX2Dot {
    /// The 32 4-bit codes of a Q4 block as bytes: element j (low nibbles) in byte j, element
    /// j + 16 (high nibbles) in byte j + 16.
    @inline(__always)
    static func unpackNibbles(_ p: UnsafeRawPointer) -> __m256i {
        let packed = p.loadUnaligned(as: __m128i.self)
        let mask = _mm_set1_epi8(0x0F)
        let low = _mm_and_si128(packed, mask)
        let high = _mm_and_si128(_mm_srli_epi16(packed, 4), mask)
        return _mm256_set_m128i(high, low)
    }

    static func quantized(_ type: WeightType, _ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                          _ scales: UnsafePointer<Float>, _ sums: UnsafePointer<Float>, blocks: Int) -> Float {
        switch type {
        case .q8_0, .q4_0, .q4_1:
            return quantizedCommon(type, row, codes, scales, sums, blocks: blocks)
        case .q5_0, .q5_1:
            return q5(type, row, codes, scales, sums, blocks: blocks)
        case .q4_K, .q5_K:
            return q45K(type, row, codes, scales, sums, blocks: blocks)
        case .q6_K:
            return q6K(row, codes, scales, blocks: blocks)
        case .f32, .f16, .bf16:
            preconditionFailure("float weights use the float dot product")
        }
    }

    /// Q8_0, Q4_0 and Q4_1 only, and nothing it calls: kept a leaf so the matmul loop around it
    /// compiles as well as it did before other formats existed (see BENCHMARKS.md).
    @inline(__always)
    static func quantizedCommon(_ type: WeightType, _ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                                _ scales: UnsafePointer<Float>, _ sums: UnsafePointer<Float>, blocks: Int) -> Float {
        let ones = _mm256_set1_epi16(1)
        var acc = _mm256_setzero_ps()
        var offsetTotal: Float = 0
        switch type {
        case .q8_0:
            for b in 0..<blocks {
                let w = row + b * 34
                let wv = (w + 2).loadUnaligned(as: __m256i.self)
                let xv = UnsafeRawPointer(codes + b * 32).loadUnaligned(as: __m256i.self)
                // vpmaddubsw multiplies unsigned by signed: move w's sign onto x.
                let products = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(wv, wv), _mm256_sign_epi8(xv, wv)), ones)
                let scale = _mm256_set1_ps(loadHalf(w) * scales[b])
                acc = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(products), acc)
            }
        case .q4_0, .q4_1:
            let stride = type == .q4_0 ? 18 : 20
            let codeOffset = type == .q4_0 ? 2 : 4
            for b in 0..<blocks {
                let w = row + b * stride
                let q = unpackNibbles(w + codeOffset)
                let xv = UnsafeRawPointer(codes + b * 32).loadUnaligned(as: __m256i.self)
                let products = _mm256_madd_epi16(_mm256_maddubs_epi16(q, xv), ones)
                let d = loadHalf(w)
                acc = _mm256_fmadd_ps(_mm256_set1_ps(d * scales[b]), _mm256_cvtepi32_ps(products), acc)
                let offset = type == .q4_0 ? -8 * d : loadHalf(w, byteOffset: 2)
                offsetTotal += offset * sums[b]
            }
        default:
            preconditionFailure("quantizedCommon handles Q8_0, Q4_0 and Q4_1 only")
        }
        return horizontalSum(acc) + offsetTotal
    }

    /// Eight weights of an F32, F16 or BF16 row from element `offset` on, as floats.
    @inline(__always)
    static func floats(_ type: WeightType, _ row: UnsafeRawPointer, _ offset: Int) -> __m256 {
        switch type {
        case .f32: return (row + 4 * offset).loadUnaligned(as: __m256.self)
        case .f16: return _mm256_cvtph_ps((row + 2 * offset).loadUnaligned(as: __m128i.self))
        default: // bf16: widen to 32 bits and shift into the high half
            let wide = _mm256_cvtepu16_epi32((row + 2 * offset).loadUnaligned(as: __m128i.self))
            return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16))
        }
    }

    static func float(_ type: WeightType, _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps()
        var i = 0
        let xr = UnsafeRawPointer(x)
        @inline(__always) func load(_ offset: Int) -> __m256 { floats(type, row, offset) }
        while i + 16 <= count {
            acc0 = _mm256_fmadd_ps(load(i), (xr + 4 * i).loadUnaligned(as: __m256.self), acc0)
            acc1 = _mm256_fmadd_ps(load(i + 8), (xr + 4 * i + 32).loadUnaligned(as: __m256.self), acc1)
            i += 16
        }
        while i + 8 <= count {
            acc0 = _mm256_fmadd_ps(load(i), (xr + 4 * i).loadUnaligned(as: __m256.self), acc0)
            i += 8
        }
        var total = horizontalSum(_mm256_add_ps(acc0, acc1))
        if i < count { total += PortableDot.float(type, row + type.rowBytes(columns: i), x + i, count: count - i) }
        return total
    }
}
#endif
