import Foundation
import Testing
@testable import Kernels

/// The Q8_0 KV cache: the block layout, the row codec on both paths, and both attention kernels
/// over quantized keys and values against the full-softmax float reference.
struct AttentionQ8Tests {
    /// x[i] = (i − 16) / 2: max|x| = 8 at i = 0, so d = 8/127 and code = round(x · 127/8).
    @Test(arguments: KernelPathCase.available)
    func blockLayoutByHand(path: KernelPathCase) {
        let x = (0..<32).map { Float($0 - 16) / 2 }
        var block = [UInt8](repeating: 0xAA, count: 34)
        block.withUnsafeMutableBytes { KVQ8Codec.quantize(x, count: 32, into: $0.baseAddress!, path: path.path) }
        let scaleBits = UInt16(block[0]) | UInt16(block[1]) << 8
        #expect(scaleBits == Float16(Float(8) / 127).bitPattern)
        let codes = block[2...].map { Int8(bitPattern: $0) }
        #expect(codes[0] == -127)   // −8 · 127/8
        #expect(codes[1] == -119)   // −7.5 · 15.875 = −119.06
        #expect(codes[15] == -8)    // −0.5 · 15.875 = −7.94
        #expect(codes[16] == 0)
        #expect(codes[17] == 8)
        #expect(codes[31] == 119)   // 7.5
        var back = [Float](repeating: .nan, count: 32)
        block.withUnsafeBytes { KVQ8Codec.dequantize($0.baseAddress!, count: 32, into: &back, path: path.path) }
        let d = Float(Float16(Float(8) / 127))
        #expect(back[0] == -127 * d && back[17] == 8 * d && back[16] == 0)
    }

    /// Round to nearest with d = max|x|/127: each value is off by at most d/2, plus the Float16
    /// rounding of d (relative 2⁻¹¹) times |code| ≤ 127.
    @Test(arguments: KernelPathCase.available)
    func roundTripErrorIsHalfAStep(path: KernelPathCase) {
        var random = TestRandom(seed: 81)
        let x = random.floats(4 * 128, scale: 3)
        var bytes = [UInt8](repeating: 0, count: 4 * 4 * 34)
        var back = [Float](repeating: .nan, count: x.count)
        bytes.withUnsafeMutableBytes { raw in
            KVQ8Codec.quantize(x, count: x.count, into: raw.baseAddress!, path: path.path)
            KVQ8Codec.dequantize(raw.baseAddress!, count: x.count, into: &back, path: path.path)
        }
        for b in 0..<x.count / 32 {
            let block = x[b * 32..<(b + 1) * 32]
            let d = block.map { abs($0) }.max()! / 127
            for i in block.indices { #expect(abs(back[i] - x[i]) <= d / 2 + 127 * d * 0x1p-11 + 1e-7) }
        }
        #expect(ReferenceQ8.roundTrip(x) == back)
    }

    /// The AVX2 codec writes the same bytes and reads back the same floats as the portable one,
    /// and the attention kernels give the same outputs on either path.
    @Test(.enabled(if: KernelPath.avx2Available))
    func avx2MatchesPortable() {
        var random = TestRandom(seed: 7)
        // The last block holds a NaN: it must not trap (its bytes may differ between the paths).
        let x = random.floats(8 * 64, scale: 5) + [Float.nan] + [Float](repeating: 1, count: 31)
        var portableBytes = [UInt8](repeating: 0, count: x.count / 32 * 34), avx2Bytes = portableBytes
        portableBytes.withUnsafeMutableBytes { KVQ8Codec.quantize(x, count: x.count, into: $0.baseAddress!, path: .portable) }
        avx2Bytes.withUnsafeMutableBytes { KVQ8Codec.quantize(x, count: x.count, into: $0.baseAddress!, path: .avx2) }
        #expect(portableBytes[..<(8 * 2 * 34)] == avx2Bytes[..<(8 * 2 * 34)])
        var a = [Float](repeating: 0, count: 8 * 64), b = a
        portableBytes.withUnsafeBytes { KVQ8Codec.dequantize($0.baseAddress!, count: 8 * 64, into: &a, path: .portable) }
        portableBytes.withUnsafeBytes { KVQ8Codec.dequantize($0.baseAddress!, count: 8 * 64, into: &b, path: .avx2) }
        #expect(a == b)

        let (heads, kvHeads, headSize, context) = (8, 2, 128, 45)
        let cache = ScatteredQ8KV(context: context, kvHeads: kvHeads, headSize: headSize, random: &random, path: .avx2)
        let qSize = heads * headSize
        let queries = random.floats(5 * qSize, scale: 3)
        let scale = 1 / Float(headSize).squareRoot()
        var outputs: [[Float]] = []
        for path in [KernelPath.portable, .avx2] {
            var decode = [Float](repeating: .nan, count: qSize), tile = [Float](repeating: .nan, count: 5 * qSize)
            for h in 0..<kvHeads {
                Attention.attend(query: queries, heads: heads, kvHead: h, kv: cache.kv, blockTable: cache.table,
                                 contextLength: context, scale: scale, output: &decode, path: path)
                Attention.attendTile(queries: queries, queryStride: qSize, count: 5, firstPosition: context - 5, heads: heads,
                                     kvHead: h, kv: cache.kv, blockTable: cache.table, scale: scale, output: &tile,
                                     outputStride: qSize, path: path)
            }
            outputs.append(decode + tile)
        }
        #expect(outputs[0] == outputs[1])
    }

    /// Decode attention over a scattered Q8_0 cache: against the reference on the dequantized
    /// rows (the kernel's own arithmetic, as tight as the f16 test) and on the original floats
    /// (the quantization error, see ``q8Bound``).
    @Test(arguments: [(1, 1, 1, 64), (9, 3, 37, 64), (4, 4, 16, 128), (8, 2, 100, 64), (32, 8, 33, 128), (6, 2, 81, 32)])
    func decodeMatchesReference(heads: Int, kvHeads: Int, context: Int, headSize: Int) {
        for path in KernelPathCase.available.map(\.path) {
            var random = TestRandom(seed: UInt64(heads * 100 + context))
            let cache = ScatteredQ8KV(context: context, kvHeads: kvHeads, headSize: headSize, random: &random, path: path)
            let query = random.floats(heads * headSize)
            var output = [Float](repeating: .nan, count: heads * headSize)
            let scale = 1 / Float(headSize).squareRoot()
            for h in 0..<kvHeads {
                Attention.attend(query: query, heads: heads, kvHead: h, kv: cache.kv, blockTable: cache.table, contextLength: context,
                                 scale: scale, output: &output, path: path)
            }
            let onStored = query.withUnsafeBufferPointer {
                Attention.reference(query: $0.baseAddress!, heads: heads, keys: cache.storedKeyRows, values: cache.storedValueRows,
                                    kvHeads: kvHeads, headSize: headSize, scale: scale)
            }
            let onFloats = query.withUnsafeBufferPointer {
                Attention.reference(query: $0.baseAddress!, heads: heads, keys: cache.keyRows, values: cache.valueRows,
                                    kvHeads: kvHeads, headSize: headSize, scale: scale)
            }
            #expect(normalizedError(output, onStored) < 1e-5, "\(path)")
            #expect(normalizedError(output, onFloats) < Self.q8Bound, "\(path)")
        }
    }

    /// The prefill tile kernel over a scattered Q8_0 cache, token by token against the reference.
    @Test(arguments: [(1, 1, 0, 1), (9, 3, 0, 21), (9, 3, 40, 7), (4, 4, 3, 18), (8, 2, 17, 30), (32, 8, 15, 19)])
    func tileMatchesReference(heads: Int, kvHeads: Int, firstPosition: Int, count: Int) {
        let headSize = heads == 32 ? 128 : 64
        for path in KernelPathCase.available.map(\.path) {
            var random = TestRandom(seed: UInt64(heads * 1000 + firstPosition * 10 + count))
            let cache = ScatteredQ8KV(context: firstPosition + count, kvHeads: kvHeads, headSize: headSize, random: &random, path: path)
            let qSize = heads * headSize
            let queries = random.floats(count * qSize, scale: 3)
            var output = [Float](repeating: .nan, count: count * qSize)
            let scale = 1 / Float(headSize).squareRoot()
            for h in 0..<kvHeads {
                Attention.attendTile(queries: queries, queryStride: qSize, count: count, firstPosition: firstPosition, heads: heads,
                                     kvHead: h, kv: cache.kv, blockTable: cache.table, scale: scale, output: &output,
                                     outputStride: qSize, path: path)
            }
            for t in 0..<count {
                let visible = firstPosition + t + 1
                let got = Array(output[t * qSize..<(t + 1) * qSize])
                let onStored = queries.withUnsafeBufferPointer {
                    Attention.reference(query: $0.baseAddress! + t * qSize, heads: heads, keys: Array(cache.storedKeyRows[0..<visible]),
                                        values: Array(cache.storedValueRows[0..<visible]), kvHeads: kvHeads, headSize: headSize, scale: scale)
                }
                let onFloats = queries.withUnsafeBufferPointer {
                    Attention.reference(query: $0.baseAddress! + t * qSize, heads: heads, keys: Array(cache.keyRows[0..<visible]),
                                        values: Array(cache.valueRows[0..<visible]), kvHeads: kvHeads, headSize: headSize, scale: scale)
                }
                #expect(normalizedError(got, onStored) < 1e-5, "\(path) token \(t)")
                #expect(normalizedError(got, onFloats) < Self.q8Bound, "\(path) token \(t)")
            }
        }
    }

    /// Error of attention over Q8_0 rows against the unquantized floats, normalised. Uniform
    /// values lose d/√12 = max|x|/(127·√12) RMS to rounding, 1/(127·√12·(1/√3)) = 1/254 ≈ 0.4%
    /// of their RMS. Value errors are averaged by the softmax weights; key errors move the
    /// scores by scale·q·δk (≲ 0.02 here for |q| ≤ 3, |k| ≤ 2, headSize 64), which moves the
    /// weights by about as much relatively. The cases here measure 0.4-0.9%; the bound is about
    /// twice the worst.
    static let q8Bound = 0.02
}

/// The kernel paths this build and CPU can run, as test arguments.
struct KernelPathCase: CustomTestStringConvertible, Sendable {
    let path: KernelPath
    var testDescription: String { path == .avx2 ? "avx2" : "portable" }
    static var available: [KernelPathCase] {
        KernelPath.avx2Available ? [.init(path: .portable), .init(path: .avx2)] : [.init(path: .portable)]
    }
}

/// Q8_0 as the format describes it, written plainly: per 32 values d = max|x|/127, code =
/// x / d rounded half to even, value = Float16(d) · code.
enum ReferenceQ8 {
    static func roundTrip(_ x: [Float]) -> [Float] {
        var out: [Float] = []
        for b in 0..<x.count / 32 {
            let block = Array(x[b * 32..<(b + 1) * 32])
            let amax = block.map { abs($0) }.max()!
            let d = Float(Float16(amax / 127))
            for v in block {
                let code = amax == 0 ? 0 : (v * (127 / amax)).rounded(.toNearestOrEven)
                out.append(d * code)
            }
        }
        return out
    }
}

/// A Q8_0 paged cache of `context` random positions whose logical blocks live in odd physical
/// blocks in reverse order (logical 0 in the last), filled through `PagedKV.store`. Keeps the
/// original rows and, for the kernel-arithmetic check, the rows as ``ReferenceQ8`` stores them.
final class ScatteredQ8KV {
    static let blockSize = 16
    let kv: PagedKV
    let table: [Int32]
    private(set) var keyRows: [[Float]] = []
    private(set) var valueRows: [[Float]] = []
    private(set) var storedKeyRows: [[Float]] = []
    private(set) var storedValueRows: [[Float]] = []

    init(context: Int, kvHeads: Int, headSize: Int, random: inout TestRandom, path: KernelPath) {
        let blockSize = Self.blockSize
        let blocksNeeded = (context + blockSize - 1) / blockSize
        let bytes = (blocksNeeded * 2 + 1) * blockSize * kvHeads * (headSize / 32 * 34)
        table = (0..<blocksNeeded).map { Int32(2 * (blocksNeeded - 1 - $0) + 1) }
        kv = PagedKV(keyBytes: .allocate(byteCount: bytes, alignment: 64), valueBytes: .allocate(byteCount: bytes, alignment: 64),
                     elementType: .q8_0, blockSize: blockSize, kvHeads: kvHeads, headSize: headSize)
        for position in 0..<context {
            let k = random.floats(kvHeads * headSize, scale: 2)
            let v = random.floats(kvHeads * headSize)
            kv.store(slot: Int(table[position / blockSize]) * blockSize + position % blockSize, keys: k, values: v, path: path)
            keyRows.append(k)
            valueRows.append(v)
            storedKeyRows.append(ReferenceQ8.roundTrip(k))
            storedValueRows.append(ReferenceQ8.roundTrip(v))
        }
    }

    deinit {
        kv.keyBytes.deallocate()
        kv.valueBytes.deallocate()
    }
}
