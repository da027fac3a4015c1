import Testing
@testable import Kernels

/// Hand-built blocks of the 5-bit and K-quant formats, with expected values worked out from the
/// ggml block layouts (not from the decoder under test).
struct BlockLayoutTests {
    static func half(_ value: Float16) -> [UInt8] { withUnsafeBytes(of: value.bitPattern) { Array($0) } }

    static func decode(_ type: WeightType, _ block: [UInt8]) -> [Float] {
        #expect(block.count == type.bytesPerBlock)
        var out = [Float](repeating: .nan, count: type.blockSize)
        block.withUnsafeBytes { dequantizeRow(type, $0.baseAddress!, into: &out, count: type.blockSize) }
        return out
    }

    /// 16 bytes whose low nibbles count up 0...15 and high nibbles count down 15...0.
    static let countingNibbles: [UInt8] = (0..<16).map { UInt8($0) | UInt8(15 - $0) << 4 }

    /// d = 0.5; qh = 0x0001_8000 sets the fifth bit of elements 15 and 16. value = d · (q − 16).
    @Test func q5_0Block() {
        let block = Self.half(0.5) + [0x00, 0x80, 0x01, 0x00] + Self.countingNibbles
        let out = Self.decode(.q5_0, block)
        #expect(out[0] == -8)     // q = 0
        #expect(out[1] == -7.5)   // q = 1
        #expect(out[14] == -1)    // q = 14
        #expect(out[15] == 7.5)   // q = 15 + 16
        #expect(out[16] == 7.5)   // high nibble of byte 0: 15, plus 16
        #expect(out[17] == -1)    // high nibble of byte 1: 14
        #expect(out[31] == -8)    // high nibble of byte 15: 0
    }

    /// d = 0.25, m = 1; qh = 0x8000_0001 sets the fifth bit of elements 0 and 31. value = d · q + m.
    @Test func q5_1Block() {
        let block = Self.half(0.25) + Self.half(1) + [0x01, 0x00, 0x00, 0x80] + Self.countingNibbles
        let out = Self.decode(.q5_1, block)
        #expect(out[0] == 5)      // q = 16
        #expect(out[1] == 1.25)   // q = 1
        #expect(out[15] == 4.75)  // q = 15
        #expect(out[16] == 4.75)  // q = 15
        #expect(out[30] == 1.25)  // q = 1
        #expect(out[31] == 5)     // q = 0 + 16
    }

    /// Sub-block scales 1, 2, 3, 4, 17, 33, 48, 63 and mins 0, 5, 10, 63, 20, 40, 1, 62 packed by hand:
    /// bytes 0-3 = scale | (scale of j + 4) >> 4 << 6, bytes 4-7 the same for mins, bytes 8-11 =
    /// (scale of j + 4) & 15 | ((min of j + 4) & 15) << 4.
    static let packedScales: [UInt8] = [65, 130, 195, 196, 64, 133, 10, 255, 0x41, 0x81, 0x10, 0xEF]
    static let subScales: [Float] = [1, 2, 3, 4, 17, 33, 48, 63]
    static let subMins: [Float] = [0, 5, 10, 63, 20, 40, 1, 62]

    /// d = 0.5, dmin = 0.25; qs[32c + l] has low nibble l % 16 (sub-block 2c) and high nibble
    /// 15 − l % 16 (sub-block 2c + 1). value = d · scale · q − dmin · min.
    @Test func q4_KBlock() {
        let qs: [UInt8] = (0..<128).map { UInt8($0 % 16) | UInt8(15 - $0 % 16) << 4 }
        let out = Self.decode(.q4_K, Self.half(0.5) + Self.half(0.25) + Self.packedScales + qs)
        #expect(out[3] == 1.5)        // sub 0, q 3: 0.5·1·3
        #expect(out[32] == 13.75)     // sub 1, q 15: 0.5·2·15 − 0.25·5
        #expect(out[111] == -15.75)   // sub 3, q 0: −0.25·63
        #expect(out[145] == 3.5)      // sub 4, q 1: 0.5·17 − 0.25·20
        #expect(out[191] == -10)      // sub 5, q 0: −0.25·40
        #expect(out[202] == 239.75)   // sub 6, q 10: 0.5·48·10 − 0.25
        #expect(out[225] == 425.5)    // sub 7, q 14: 0.5·63·14 − 0.25·62
        for i in 0..<256 {
            let sub = i / 32, l = i % 32
            let q = Float(sub % 2 == 0 ? l % 16 : 15 - l % 16)
            #expect(out[i] == 0.5 * Self.subScales[sub] * q - 0.25 * Self.subMins[sub], "element \(i)")
        }
    }

    /// As the Q4_K block, with qh[0] = 0b1000_0001 (fifth bit of element 0 of sub-blocks 0 and 7)
    /// and qh[5] = 0b100 (element 5 of sub-block 2).
    @Test func q5_KBlock() {
        var qh = [UInt8](repeating: 0, count: 32)
        qh[0] = 0b1000_0001
        qh[5] = 0b0000_0100
        let qs: [UInt8] = (0..<128).map { UInt8($0 % 16) | UInt8(15 - $0 % 16) << 4 }
        let out = Self.decode(.q5_K, Self.half(0.5) + Self.half(0.25) + Self.packedScales + qh + qs)
        #expect(out[0] == 8)        // sub 0, q 0 + 16: 0.5·1·16
        #expect(out[224] == 961)    // sub 7, q 15 + 16: 0.5·63·31 − 0.25·62
        #expect(out[69] == 29)      // sub 2, q 5 + 16: 0.5·3·21 − 0.25·10
        #expect(out[37] == 8.75)    // sub 1, q 10: 0.5·2·10 − 0.25·5
        #expect(out[3] == 1.5)      // sub 0, q 3, no fifth bit
    }

    /// ql[n] = n, qh[n] = 4n + 3, scales[k] = k − 8, d = 0.5. Element i lives in half h = i / 128,
    /// group k = (i % 128) / 32, lane l = i % 32: low bits from nibble k / 2 of ql[64h + 32(k % 2) + l],
    /// high bits from bits 2k, 2k + 1 of qh[32h + l]; value = d · scales[i / 16] · (q − 32).
    @Test func q6_KBlock() {
        let ql: [UInt8] = (0..<128).map { UInt8($0) }
        let qh: [UInt8] = (0..<64).map { UInt8(4 * $0 + 3) }
        let scales: [UInt8] = (0..<16).map { UInt8(bitPattern: Int8($0 - 8)) }
        let out = Self.decode(.q6_K, ql + qh + scales + Self.half(0.5))
        #expect(out[0] == -64)    // ql[0] low 0, qh[0] = 3 bits 0-1 = 3: q 48, scale −8
        #expect(out[37] == 33)    // ql[37] = 0x25 low 5, qh[5] = 23 bits 2-3 = 1: q 21, scale −6
        #expect(out[70] == 32)    // ql[6] high 0, qh[6] = 27 bits 4-5 = 1: q 16, scale −4
        #expect(out[127] == 6.5)  // ql[63] high 3, qh[31] = 127 bits 6-7 = 1: q 19, scale −1
        #expect(out[150] == 11)   // ql[86] low 6, qh[54] = 219 bits 0-1 = 3: q 54, scale 1
        #expect(out[200] == 8)    // ql[72] high 4, qh[40] = 163 bits 4-5 = 2: q 36, scale 4
        #expect(out[255] == 80.5) // ql[127] high 7, qh[63] = 255 bits 6-7 = 3: q 55, scale 7
    }

    /// The integer dot products see the same codes as the decoder: a hand-built block times an
    /// activation row of ones gives the sum of the decoded values, up to the activation scale.
    @Test(arguments: [WeightType.q4_K, .q5_K, .q6_K])
    func dotOfHandBuiltBlockWithOnes(type: WeightType) {
        let block: [UInt8]
        switch type {
        case .q6_K: block = (0..<128).map { UInt8($0) } + (0..<64).map { UInt8(4 * $0 + 3) } + (0..<16).map { UInt8(bitPattern: Int8($0 - 8)) } + Self.half(0.5)
        default:
            let qs: [UInt8] = (0..<128).map { UInt8($0 % 16) | UInt8(15 - $0 % 16) << 4 }
            let qh = type == .q5_K ? [UInt8](repeating: 0b1010_0101, count: 32) : []
            block = Self.half(0.5) + Self.half(0.25) + Self.packedScales + qh + qs
        }
        let expected = Self.decode(type, block).reduce(0, +)
        let ones = [Float](repeating: 1, count: 256)
        let scratch = QuantizedActivations(capacityRows: 1, columns: 256)
        var paths: [KernelPath] = [.portable]
        if KernelPath.avx2Available { paths.append(.avx2) }
        for path in paths {
            var out: [Float] = [.nan]
            block.withUnsafeBytes { raw in
                let weights = WeightMatrix(type: type, rows: 1, columns: 256, base: raw.baseAddress!)
                MatMul(path: path)(weights, input: ones, tokens: 1, output: &out, scratch: scratch, pool: ThreadPool(threadCount: 1))
            }
            // Ones quantize to code 127 with scale 1/127, which f16 rounds slightly.
            #expect(abs(out[0] - expected) <= 1e-3 * abs(expected) + 1e-3, "\(type) \(path)")
        }
    }
}
