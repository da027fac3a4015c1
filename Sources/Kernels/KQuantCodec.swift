/// Scalar reference encoding and decoding of ggml's K-quant super-blocks of 256 elements.
///
/// Layouts (ggml `block_q4_K`, `block_q5_K`, `block_q6_K`):
/// - Q4_K (144 bytes): f16 `d`, f16 `dmin`, `scales[12]`, `qs[128]`. Eight sub-blocks of 32 with
///   6-bit scale `sc` and 6-bit min `m`: value = d · sc · q − dmin · m, q in 0...15. Sub-blocks
///   2c and 2c + 1 are the low and high nibbles of `qs[32c ..< 32c + 32]`.
/// - Q5_K (176 bytes): as Q4_K with `qh[32]` between `scales` and `qs`; bit s of `qh[l]` is the
///   fifth bit (value 16) of element l of sub-block s.
/// - Q6_K (210 bytes): `ql[128]`, `qh[64]`, int8 `scales[16]`, f16 `d`. Sixteen sub-blocks of 16:
///   value = d · scales[i / 16] · (q − 32), q in 0...63. See `q6Code` for the bit positions.
enum KQuantCodec {
    static let superBlock = 256

    /// Packed 6-bit scale and min of sub-block `j` (0..<8), stored in 12 bytes: bytes 0-3 hold
    /// the scales of sub-blocks 0-3 and bytes 4-7 their mins in their low 6 bits; sub-blocks 4-7
    /// keep their low 4 bits in the nibbles of bytes 8-11 and their top 2 bits in the top bits of
    /// bytes 0-3 (scales) and 4-7 (mins).
    @inline(__always)
    static func scaleAndMin(_ scales: UnsafeRawPointer, _ j: Int) -> (scale: Int, min: Int) {
        @inline(__always) func byte(_ k: Int) -> Int { Int(scales.load(fromByteOffset: k, as: UInt8.self)) }
        if j < 4 { return (byte(j) & 63, byte(j + 4) & 63) }
        return ((byte(j + 4) & 0x0F) | (byte(j - 4) >> 6) << 4, (byte(j + 4) >> 4) | (byte(j) >> 6) << 4)
    }

    /// The inverse of `scaleAndMin` for eight 6-bit scales and mins.
    static func packScalesAndMins(_ scales: [Int], _ mins: [Int], into p: UnsafeMutableRawPointer) {
        for j in 0..<4 {
            p.storeBytes(of: UInt8(scales[j] | (scales[j + 4] >> 4) << 6), toByteOffset: j, as: UInt8.self)
            p.storeBytes(of: UInt8(mins[j] | (mins[j + 4] >> 4) << 6), toByteOffset: j + 4, as: UInt8.self)
            p.storeBytes(of: UInt8((scales[j + 4] & 0x0F) | (mins[j + 4] & 0x0F) << 4), toByteOffset: j + 8, as: UInt8.self)
        }
    }

    /// The 4-bit (Q4_K) or 5-bit (Q5_K) code of element `i` (0..<256) of a super-block.
    @inline(__always)
    static func q45Code(_ type: WeightType, _ block: UnsafeRawPointer, _ i: Int) -> Int {
        let sub = i >> 5, l = i & 31
        let qsOffset = type == .q4_K ? 16 : 48
        let byte = block.load(fromByteOffset: qsOffset + 32 * (sub >> 1) + l, as: UInt8.self)
        var code = Int(sub & 1 == 0 ? byte & 0x0F : byte >> 4)
        if type == .q5_K { code |= Int((block.load(fromByteOffset: 16 + l, as: UInt8.self) >> UInt8(sub)) & 1) << 4 }
        return code
    }

    /// The 6-bit code of element `i` (0..<256) of a Q6_K super-block. In half h = i / 128, with
    /// k = (i % 128) / 32 and l = i % 32: the low 4 bits are nibble k / 2 of `ql[64h + 32(k % 2) + l]`,
    /// the high 2 bits are bits 2k, 2k + 1 of `qh[32h + l]`.
    @inline(__always)
    static func q6Code(_ block: UnsafeRawPointer, _ i: Int) -> Int {
        let h = i >> 7, k = (i >> 5) & 3, l = i & 31
        let low = block.load(fromByteOffset: 64 * h + 32 * (k & 1) + l, as: UInt8.self)
        let high = block.load(fromByteOffset: 128 + 32 * h + l, as: UInt8.self)
        return Int(k < 2 ? low & 0x0F : low >> 4) | Int((high >> UInt8(2 * k)) & 3) << 4
    }

    static func dequantize(_ type: WeightType, _ source: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>, count: Int) {
        let stride = type.bytesPerBlock
        for block in 0..<count / superBlock {
            let b = source + block * stride
            let out = destination + block * superBlock
            if type == .q6_K {
                let d = loadHalf(b, byteOffset: 208)
                for i in 0..<superBlock {
                    let scale = Float(b.load(fromByteOffset: 192 + i / 16, as: Int8.self))
                    out[i] = d * scale * Float(q6Code(b, i) - 32)
                }
            } else {
                let d = loadHalf(b), dmin = loadHalf(b, byteOffset: 2)
                for sub in 0..<8 {
                    let (scale, m) = scaleAndMin(b + 4, sub)
                    let step = d * Float(scale), offset = dmin * Float(m)
                    for l in 0..<32 { out[32 * sub + l] = step * Float(q45Code(type, b, 32 * sub + l)) - offset }
                }
            }
        }
    }

    /// A simple round-to-nearest quantizer, not llama.cpp's iterative scale search
    /// (`make_qkx2_quants` / `make_qx_quants`): each sub-block takes the scale that spans its range
    /// (Q4_K/Q5_K: [min(0, lo), hi]; Q6_K: the value of largest magnitude maps to −32), the
    /// sub-block scales are rounded to 6 (8) bits against the super-block scale, and codes are then
    /// rounded against the scales as stored. Correct and decodable by any ggml reader, slightly less
    /// accurate than llama.cpp's output.
    static func quantize(_ type: WeightType, _ values: UnsafeBufferPointer<Float>, into dst: UnsafeMutableRawPointer) {
        let stride = type.bytesPerBlock
        for block in 0..<values.count / superBlock {
            let x = values.baseAddress! + block * superBlock
            let b = dst + block * stride
            if type == .q6_K { quantizeQ6(x, into: b) } else { quantizeQ45(type, x, into: b) }
        }
    }

    private static func quantizeQ45(_ type: WeightType, _ x: UnsafePointer<Float>, into b: UnsafeMutableRawPointer) {
        let levels: Float = type == .q4_K ? 15 : 31
        var subScales = [Float](repeating: 0, count: 8), subMins = [Float](repeating: 0, count: 8)
        for sub in 0..<8 {
            var lo: Float = 0, hi = -Float.infinity
            for l in 0..<32 { lo = min(lo, x[32 * sub + l]); hi = max(hi, x[32 * sub + l]) }
            subScales[sub] = max(0, hi - lo) / levels
            subMins[sub] = -lo
        }
        let d = Float(Float16(subScales.max()! / 63)), dmin = Float(Float16(subMins.max()! / 63))
        b.storeBytes(of: Float16(d).bitPattern, as: UInt16.self)
        b.storeBytes(of: Float16(dmin).bitPattern, toByteOffset: 2, as: UInt16.self)
        let scales = subScales.map { d > 0 ? Int(min(63, ($0 / d).rounded())) : 0 }
        let mins = subMins.map { dmin > 0 ? Int(min(63, ($0 / dmin).rounded())) : 0 }
        packScalesAndMins(scales, mins, into: b + 4)
        let qsOffset = type == .q4_K ? 16 : 48
        if type == .q5_K { for l in 0..<32 { b.storeBytes(of: UInt8(0), toByteOffset: 16 + l, as: UInt8.self) } }
        for sub in 0..<8 {
            let step = d * Float(scales[sub]), offset = dmin * Float(mins[sub])
            for l in 0..<32 {
                let q = step > 0 ? Int(min(levels, max(0, ((x[32 * sub + l] + offset) / step).rounded()))) : 0
                let at = qsOffset + 32 * (sub >> 1) + l
                let old = b.load(fromByteOffset: at, as: UInt8.self)
                let nibble = UInt8(q & 15)
                b.storeBytes(of: sub & 1 == 0 ? nibble : (old & 0x0F) | nibble << 4, toByteOffset: at, as: UInt8.self)
                if type == .q5_K {
                    let h = b.load(fromByteOffset: 16 + l, as: UInt8.self)
                    b.storeBytes(of: h | UInt8(q >> 4) << UInt8(sub), toByteOffset: 16 + l, as: UInt8.self)
                }
            }
        }
    }

    private static func quantizeQ6(_ x: UnsafePointer<Float>, into b: UnsafeMutableRawPointer) {
        var subScales = [Float](repeating: 0, count: 16)
        for sub in 0..<16 {
            var amax: Float = 0, extreme: Float = 0
            for l in 0..<16 where abs(x[16 * sub + l]) > amax { amax = abs(x[16 * sub + l]); extreme = x[16 * sub + l] }
            subScales[sub] = extreme / -32
        }
        let d = Float(Float16(subScales.map { abs($0) }.max()! / 127))
        b.storeBytes(of: Float16(d).bitPattern, toByteOffset: 208, as: UInt16.self)
        let scales = subScales.map { d > 0 ? Int(min(127, max(-128, ($0 / d).rounded()))) : 0 }
        for sub in 0..<16 { b.storeBytes(of: Int8(scales[sub]), toByteOffset: 192 + sub, as: Int8.self) }
        for k in 0..<192 { b.storeBytes(of: UInt8(0), toByteOffset: k, as: UInt8.self) }
        for i in 0..<superBlock {
            let step = d * Float(scales[i / 16])
            let q = step != 0 ? Int(min(63, max(0, (x[i] / step).rounded() + 32))) : 32
            let h = i >> 7, k = (i >> 5) & 3, l = i & 31
            let lowAt = 64 * h + 32 * (k & 1) + l, highAt = 128 + 32 * h + l
            let low = b.load(fromByteOffset: lowAt, as: UInt8.self)
            b.storeBytes(of: low | UInt8(q & 15) << UInt8(k < 2 ? 0 : 4), toByteOffset: lowAt, as: UInt8.self)
            let high = b.load(fromByteOffset: highAt, as: UInt8.self)
            b.storeBytes(of: high | UInt8(q >> 4) << UInt8(2 * k), toByteOffset: highAt, as: UInt8.self)
        }
    }
}
