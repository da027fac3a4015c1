/// Plain-Swift row dot products for the 5-bit and K-quant weight formats against 8-bit
/// activations in blocks of 32. The integer part of each 32-block is exact; it is scaled in float.
extension PortableDot {
    /// Q5_0 / Q5_1: d · d_x · Σ q·q_x plus the offset term (−16·d or m) times d_x · Σ q_x.
    static func q5(_ type: WeightType, _ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                   _ scales: UnsafePointer<Float>, _ sums: UnsafePointer<Float>, blocks: Int) -> Float {
        let stride = type.bytesPerBlock
        let qhOffset = Q5Codec.highBitsOffset(type)
        var total: Float = 0
        for b in 0..<blocks {
            let w = row + b * stride
            let x = codes + b * 32
            let qh = w.loadUnaligned(fromByteOffset: qhOffset, as: UInt32.self).littleEndian
            var acc: Int32 = 0
            for j in 0..<16 {
                let byte = w.load(fromByteOffset: qhOffset + 4 + j, as: UInt8.self)
                let low = Int32(byte & 0x0F) | Int32((qh >> UInt32(j)) & 1) << 4
                let high = Int32(byte >> 4) | Int32((qh >> UInt32(j + 16)) & 1) << 4
                acc &+= low &* Int32(x[j]) &+ high &* Int32(x[j + 16])
            }
            let d = loadHalf(w)
            let offset = type == .q5_0 ? -16 * d : loadHalf(w, byteOffset: 2)
            total += d * scales[b] * Float(acc) + offset * sums[b]
        }
        return total
    }

    /// Q4_K / Q5_K: per 32-element sub-block, d · sc · d_x · Σ q·q_x − dmin · m · d_x · Σ q_x.
    static func q45K(_ type: WeightType, _ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                     _ scales: UnsafePointer<Float>, _ sums: UnsafePointer<Float>, blocks: Int) -> Float {
        let stride = type.bytesPerBlock
        let qsOffset = type == .q4_K ? 16 : 48
        var total: Float = 0
        for s in 0..<blocks / 8 {
            let w = row + s * stride
            let d = loadHalf(w), dmin = loadHalf(w, byteOffset: 2)
            for c in 0..<4 {
                let b = 8 * s + 2 * c
                let x = codes + 32 * b
                var accLow: Int32 = 0, accHigh: Int32 = 0
                for l in 0..<32 {
                    let byte = w.load(fromByteOffset: qsOffset + 32 * c + l, as: UInt8.self)
                    var low = Int32(byte & 0x0F), high = Int32(byte >> 4)
                    if type == .q5_K {
                        let h = Int32(w.load(fromByteOffset: 16 + l, as: UInt8.self)) >> Int32(2 * c)
                        low |= (h & 1) << 4
                        high |= (h & 2) << 3
                    }
                    accLow &+= low &* Int32(x[l])
                    accHigh &+= high &* Int32(x[32 + l])
                }
                let (scaleLow, minLow) = KQuantCodec.scaleAndMin(w + 4, 2 * c)
                let (scaleHigh, minHigh) = KQuantCodec.scaleAndMin(w + 4, 2 * c + 1)
                total += d * (scales[b] * Float(Int32(scaleLow) &* accLow) + scales[b + 1] * Float(Int32(scaleHigh) &* accHigh))
                total -= dmin * (Float(minLow) * sums[b] + Float(minHigh) * sums[b + 1])
            }
        }
        return total
    }

    /// Q6_K: per 32-element activation block, d · d_x · (sc_a · Σ_first16 (q−32)·q_x + sc_b · Σ_last16).
    static func q6K(_ row: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                    _ scales: UnsafePointer<Float>, blocks: Int) -> Float {
        var total: Float = 0
        for s in 0..<blocks / 8 {
            let w = row + s * 210
            let d = loadHalf(w, byteOffset: 208)
            for h in 0..<2 {
                // acc[2k + l / 16]: the four 32-blocks k of this half, split in 16-element halves.
                var acc = (Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0))
                let x = codes + 256 * s + 128 * h
                for l in 0..<32 {
                    let ql0 = Int32(w.load(fromByteOffset: 64 * h + l, as: UInt8.self))
                    let ql1 = Int32(w.load(fromByteOffset: 64 * h + 32 + l, as: UInt8.self))
                    let hb = Int32(w.load(fromByteOffset: 128 + 32 * h + l, as: UInt8.self))
                    let q0 = ((ql0 & 15) | (hb & 3) << 4) - 32
                    let q1 = ((ql1 & 15) | (hb >> 2 & 3) << 4) - 32
                    let q2 = ((ql0 >> 4) | (hb >> 4 & 3) << 4) - 32
                    let q3 = ((ql1 >> 4) | (hb >> 6 & 3) << 4) - 32
                    let p0 = q0 &* Int32(x[l]), p1 = q1 &* Int32(x[32 + l])
                    let p2 = q2 &* Int32(x[64 + l]), p3 = q3 &* Int32(x[96 + l])
                    if l < 16 {
                        acc.0 &+= p0; acc.2 &+= p1; acc.4 &+= p2; acc.6 &+= p3
                    } else {
                        acc.1 &+= p0; acc.3 &+= p1; acc.5 &+= p2; acc.7 &+= p3
                    }
                }
                @inline(__always) func sc(_ k: Int) -> Int32 { Int32(w.load(fromByteOffset: 192 + 8 * h + k, as: Int8.self)) }
                let b = 8 * s + 4 * h
                total += d * (scales[b] * Float(sc(0) &* acc.0 &+ sc(1) &* acc.1)
                    + scales[b + 1] * Float(sc(2) &* acc.2 &+ sc(3) &* acc.3)
                    + scales[b + 2] * Float(sc(4) &* acc.4 &+ sc(5) &* acc.5)
                    + scales[b + 3] * Float(sc(6) &* acc.6 &+ sc(7) &* acc.7))
            }
        }
        return total
    }
}
