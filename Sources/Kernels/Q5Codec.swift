/// Scalar reference encoding and decoding of ggml's Q5_0 and Q5_1 blocks (32 elements).
///
/// Layout (ggml `block_q5_0` / `block_q5_1`): f16 `d`, [f16 `m` for Q5_1], 4 bytes `qh` read as
/// one little-endian 32-bit word, 16 bytes `qs`. Element j < 16 is the low nibble of `qs[j]`,
/// element j + 16 its high nibble; bit i of `qh` is the fifth (value 16) bit of element i.
enum Q5Codec {
    /// Byte offset of `qh` within a block; `qs` follows it.
    @inline(__always)
    static func highBitsOffset(_ type: WeightType) -> Int { type == .q5_0 ? 2 : 4 }

    /// The 5-bit code (0...31) of element `i` of the block at `block`.
    @inline(__always)
    static func code(_ type: WeightType, _ block: UnsafeRawPointer, _ i: Int) -> Int {
        let qhOffset = highBitsOffset(type)
        let qh = block.loadUnaligned(fromByteOffset: qhOffset, as: UInt32.self).littleEndian
        let byte = block.load(fromByteOffset: qhOffset + 4 + (i & 15), as: UInt8.self)
        let low = i < 16 ? byte & 0x0F : byte >> 4
        return Int(low) | Int((qh >> UInt32(i)) & 1) << 4
    }

    static func dequantize(_ type: WeightType, _ source: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>, count: Int) {
        let stride = type.bytesPerBlock
        for block in 0..<count / 32 {
            let b = source + block * stride
            let d = loadHalf(b)
            let out = destination + block * 32
            if type == .q5_0 {
                for i in 0..<32 { out[i] = d * Float(code(type, b, i) - 16) }
            } else {
                let m = loadHalf(b, byteOffset: 2)
                for i in 0..<32 { out[i] = d * Float(code(type, b, i)) + m }
            }
        }
    }

    /// Round-to-nearest quantizers as ggml's reference ones: Q5_0 maps the value of largest
    /// magnitude to −16; Q5_1 spans [min, max] with 31 steps.
    static func quantize(_ type: WeightType, _ values: UnsafeBufferPointer<Float>, into dst: UnsafeMutableRawPointer) {
        let stride = type.bytesPerBlock
        for block in 0..<values.count / 32 {
            let x = values.baseAddress! + block * 32
            let b = dst + block * stride
            var codes = [Int](repeating: 0, count: 32)
            if type == .q5_0 {
                var amax: Float = 0, extreme: Float = 0
                for i in 0..<32 where abs(x[i]) > amax { amax = abs(x[i]); extreme = x[i] }
                let d = extreme / -16
                let id: Float = d != 0 ? 1 / d : 0
                b.storeBytes(of: Float16(d).bitPattern, as: UInt16.self)
                for i in 0..<32 { codes[i] = Int(min(31, max(0, (x[i] * id + 16.5).rounded(.down)))) }
            } else {
                var lo = Float.infinity, hi = -Float.infinity
                for i in 0..<32 { lo = min(lo, x[i]); hi = max(hi, x[i]) }
                let d = (hi - lo) / 31
                let id: Float = d != 0 ? 1 / d : 0
                b.storeBytes(of: Float16(d).bitPattern, as: UInt16.self)
                b.storeBytes(of: Float16(lo).bitPattern, toByteOffset: 2, as: UInt16.self)
                for i in 0..<32 { codes[i] = Int(min(31, max(0, ((x[i] - lo) * id + 0.5).rounded(.down)))) }
            }
            var qh: UInt32 = 0
            for i in 0..<32 { qh |= UInt32(codes[i] >> 4) << UInt32(i) }
            let qhOffset = highBitsOffset(type)
            b.storeBytes(of: qh.littleEndian, toByteOffset: qhOffset, as: UInt32.self)
            for j in 0..<16 {
                b.storeBytes(of: UInt8(codes[j] & 15) | UInt8(codes[j + 16] & 15) << 4, toByteOffset: qhOffset + 4 + j, as: UInt8.self)
            }
        }
    }
}
