/// Scalar reference decoding of weight rows. These are the ground truth that the fast
/// kernels are tested against, and the portable path for embedding lookups.

/// Decodes `count` elements (a multiple of `type.blockSize`) starting at `source` into `destination`.
public func dequantizeRow(_ type: WeightType, _ source: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>, count: Int) {
    switch type {
    case .f32:
        destination.update(from: source.assumingMemoryBound(to: Float.self), count: count)
    case .f16:
        for i in 0..<count { destination[i] = loadHalf(source, byteOffset: 2 * i) }
    case .bf16:
        for i in 0..<count { destination[i] = loadBFloat16(source, byteOffset: 2 * i) }
    case .q8_0:
        for block in 0..<count / 32 {
            let b = source + block * 34
            let d = loadHalf(b)
            let out = destination + block * 32
            for i in 0..<32 { out[i] = d * Float(b.load(fromByteOffset: 2 + i, as: Int8.self)) }
        }
    case .q4_0:
        for block in 0..<count / 32 {
            let b = source + block * 18
            let d = loadHalf(b)
            let out = destination + block * 32
            // Byte j holds element j in its low nibble and element j + 16 in its high nibble.
            for j in 0..<16 {
                let byte = b.load(fromByteOffset: 2 + j, as: UInt8.self)
                out[j] = d * Float(Int(byte & 0x0F) - 8)
                out[j + 16] = d * Float(Int(byte >> 4) - 8)
            }
        }
    case .q4_1:
        for block in 0..<count / 32 {
            let b = source + block * 20
            let d = loadHalf(b)
            let m = loadHalf(b, byteOffset: 2)
            let out = destination + block * 32
            for j in 0..<16 {
                let byte = b.load(fromByteOffset: 4 + j, as: UInt8.self)
                out[j] = d * Float(byte & 0x0F) + m
                out[j + 16] = d * Float(byte >> 4) + m
            }
        }
    case .q5_0, .q5_1:
        Q5Codec.dequantize(type, source, into: destination, count: count)
    case .q4_K, .q5_K, .q6_K:
        KQuantCodec.dequantize(type, source, into: destination, count: count)
    }
}

/// Encodes `values` (count a multiple of `type.blockSize`) in `type`, following ggml's reference
/// quantizers (round to nearest; Q4_0 maps the value of largest magnitude to −8). K-quants use a
/// simpler scale choice than llama.cpp (see `KQuantCodec.quantize`).
public func quantizeRow(_ type: WeightType, _ values: UnsafeBufferPointer<Float>) -> [UInt8] {
    let count = values.count
    precondition(count % type.blockSize == 0)
    var out = [UInt8](repeating: 0, count: type.rowBytes(columns: count))
    out.withUnsafeMutableBytes { raw in
        let dst = raw.baseAddress!
        func storeHalf(_ v: Float, _ offset: Int) { dst.storeBytes(of: Float16(v).bitPattern, toByteOffset: offset, as: UInt16.self) }
        switch type {
        case .f32:
            for i in 0..<count { dst.storeBytes(of: values[i], toByteOffset: 4 * i, as: Float.self) }
        case .f16:
            for i in 0..<count { storeHalf(values[i], 2 * i) }
        case .bf16:
            for i in 0..<count { dst.storeBytes(of: bfloat16Bits(values[i]), toByteOffset: 2 * i, as: UInt16.self) }
        case .q8_0:
            for block in 0..<count / 32 {
                let x = values.baseAddress! + block * 32
                var amax: Float = 0
                for i in 0..<32 { amax = max(amax, abs(x[i])) }
                let d = amax / 127
                let id: Float = d != 0 ? 1 / d : 0
                storeHalf(d, block * 34)
                for i in 0..<32 {
                    dst.storeBytes(of: Int8((x[i] * id).rounded()), toByteOffset: block * 34 + 2 + i, as: Int8.self)
                }
            }
        case .q4_0:
            for block in 0..<count / 32 {
                let x = values.baseAddress! + block * 32
                var amax: Float = 0, extreme: Float = 0
                for i in 0..<32 where abs(x[i]) > amax { amax = abs(x[i]); extreme = x[i] }
                let d = extreme / -8
                let id: Float = d != 0 ? 1 / d : 0
                storeHalf(d, block * 18)
                for j in 0..<16 {
                    let lo = UInt8(min(15, max(0, (x[j] * id + 8.5).rounded(.down))))
                    let hi = UInt8(min(15, max(0, (x[j + 16] * id + 8.5).rounded(.down))))
                    dst.storeBytes(of: lo | hi << 4, toByteOffset: block * 18 + 2 + j, as: UInt8.self)
                }
            }
        case .q4_1:
            for block in 0..<count / 32 {
                let x = values.baseAddress! + block * 32
                var lo = Float.infinity, hi = -Float.infinity
                for i in 0..<32 { lo = min(lo, x[i]); hi = max(hi, x[i]) }
                let d = (hi - lo) / 15
                let id: Float = d != 0 ? 1 / d : 0
                storeHalf(d, block * 20)
                storeHalf(lo, block * 20 + 2)
                for j in 0..<16 {
                    let a = UInt8(min(15, max(0, ((x[j] - lo) * id + 0.5).rounded(.down))))
                    let b = UInt8(min(15, max(0, ((x[j + 16] - lo) * id + 0.5).rounded(.down))))
                    dst.storeBytes(of: a | b << 4, toByteOffset: block * 20 + 4 + j, as: UInt8.self)
                }
            }
        case .q5_0, .q5_1:
            Q5Codec.quantize(type, values, into: dst)
        case .q4_K, .q5_K, .q6_K:
            KQuantCodec.quantize(type, values, into: dst)
        }
    }
    return out
}
