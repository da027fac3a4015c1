import Testing
import Foundation
@testable import Kernels

struct AttentionTests {
    /// Paged attention with a scattered block table against a full-softmax reference.
    @Test(arguments: [(1, 1, 1), (9, 3, 37), (4, 4, 16), (8, 2, 100)])
    func matchesReference(heads: Int, kvHeads: Int, context: Int) {
        let headSize = 64
        var random = TestRandom(seed: UInt64(heads * 100 + context))
        let cache = ScatteredKV(context: context, kvHeads: kvHeads, headSize: headSize, random: &random)
        defer { withExtendedLifetime(cache) {} }
        let (kv, table, keyRows, valueRows) = (cache.kv, cache.table, cache.keyRows, cache.valueRows)
        let query = random.floats(heads * headSize)
        var output = [Float](repeating: .nan, count: heads * headSize)
        let scale = 1 / Float(headSize).squareRoot()
        for h in 0..<kvHeads {
            Attention.attend(query: query, heads: heads, kvHead: h, kv: kv, blockTable: table, contextLength: context, scale: scale, output: &output)
        }
        let expected = query.withUnsafeBufferPointer {
            Attention.reference(query: $0.baseAddress!, heads: heads, keys: keyRows, values: valueRows, kvHeads: kvHeads, headSize: headSize, scale: scale)
        }
        #expect(normalizedError(output, expected) < 1e-5)
    }
}

struct ElementwiseTests {
    @Test func rmsNormByHand() {
        let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        let w: [Float] = [1, 1, 1, 1, 1, 1, 1, 1, 2]
        var out = [Float](repeating: 0, count: 9)
        Elementwise.rmsNorm(x, weight: w, epsilon: 0, output: &out, rows: 1, count: 9)
        let rms = (285.0 / 9.0).squareRoot()  // Σ i² for 1...9 = 285
        #expect(abs(Double(out[0]) - 1 / rms) < 1e-6)
        #expect(abs(Double(out[8]) - 18 / rms) < 1e-5)
    }

    @Test func ropeRotatesPairs() {
        // position 1, base 10000, 4 dims: pair 0 angle 1 rad, pair 1 angle 0.01 rad
        let rope = RotaryEmbedding(dimensions: 4, base: 10000, pairing: .adjacent)
        var x: [Float] = [1, 0, 1, 0]
        rope.apply(&x, heads: 1, headSize: 4, position: 1)
        #expect(abs(x[0] - cos(1)) < 1e-6 && abs(x[1] - sin(1)) < 1e-6)
        #expect(abs(x[2] - cos(0.01)) < 1e-6 && abs(x[3] - sin(0.01)) < 1e-6)
        let neox = RotaryEmbedding(dimensions: 4, base: 10000, pairing: .halves)
        var y: [Float] = [1, 1, 0, 0]
        neox.apply(&y, heads: 1, headSize: 4, position: 1)
        #expect(abs(y[0] - cos(1)) < 1e-6 && abs(y[2] - sin(1)) < 1e-6)
        #expect(abs(y[1] - cos(0.01)) < 1e-6 && abs(y[3] - sin(0.01)) < 1e-6)
    }

    @Test func swigluByHand() {
        var gate: [Float] = [0, 1, -2]
        let up: [Float] = [5, 2, 3]
        Elementwise.swiglu(gate: &gate, up: up, count: 3)
        #expect(gate[0] == 0)
        #expect(abs(gate[1] - 2 / (1 + exp(-1))) < 1e-6)
        #expect(abs(gate[2] - 3 * -2 / (1 + exp(2))) < 1e-6)
    }
}
import Foundation

/// The prefill kernel (a tile of consecutive queries over shared key/value tiles) against the
/// full-softmax reference, token by token, each token seeing keys up to its own position.
struct AttentionTileTests {
    @Test(arguments: [(1, 1, 0, 1), (9, 3, 0, 21), (9, 3, 40, 7), (4, 4, 3, 18), (8, 2, 17, 30), (6, 1, 5, 11)])
    func matchesReference(heads: Int, kvHeads: Int, firstPosition: Int, count: Int) {
        let headSize = 64
        var random = TestRandom(seed: UInt64(heads * 1000 + firstPosition * 10 + count))
        let cache = ScatteredKV(context: firstPosition + count, kvHeads: kvHeads, headSize: headSize, random: &random)
        defer { withExtendedLifetime(cache) {} }
        let (kv, table, keyRows, valueRows) = (cache.kv, cache.table, cache.keyRows, cache.valueRows)
        let qSize = heads * headSize
        let queries = random.floats(count * qSize, scale: 3)
        var output = [Float](repeating: .nan, count: count * qSize)
        let scale = 1 / Float(headSize).squareRoot()
        for h in 0..<kvHeads {
            Attention.attendTile(queries: queries, queryStride: qSize, count: count, firstPosition: firstPosition,
                                 heads: heads, kvHead: h, kv: kv, blockTable: table, scale: scale, output: &output, outputStride: qSize)
        }
        for t in 0..<count {
            let visible = firstPosition + t + 1
            let expected = queries.withUnsafeBufferPointer {
                Attention.reference(query: $0.baseAddress! + t * qSize, heads: heads, keys: Array(keyRows[0..<visible]),
                                    values: Array(valueRows[0..<visible]), kvHeads: kvHeads, headSize: headSize, scale: scale)
            }
            let got = Array(output[t * qSize..<(t + 1) * qSize])
            #expect(normalizedError(got, expected) < 1e-5, "token \(t)")
        }
    }

    /// e^x of the softmax against Foundation's, over the range the softmax feeds it.
    @Test func vectorExpMatchesFoundation() {
        var worst: Float = 0
        var x: Float = -87
        while x <= 10 {
            let v = SIMD8<Float>((0..<8).map { x + Float($0) * 0.013 })
            let e = exp8(v)
            for i in 0..<8 {
                let want = Foundation.exp(v[i])
                worst = max(worst, abs(e[i] - want) / want)
            }
            x += 0.37
        }
        #expect(worst < 4e-7)
        let masked = exp8(SIMD8(repeating: -.infinity))
        #expect(masked == SIMD8(repeating: 0))
    }
}

/// A paged KV cache of `context` random positions whose logical block i lives in physical
/// block 2i+1, with the same keys and values kept as rows for the reference. Values are
/// rounded through Float16 so the reference sees what the cache holds.
final class ScatteredKV {
    static let blockSize = 16
    let kv: PagedKV
    let table: [Int32]
    private(set) var keyRows: [[Float]] = []
    private(set) var valueRows: [[Float]] = []

    init(context: Int, kvHeads: Int, headSize: Int, random: inout TestRandom) {
        let blockSize = Self.blockSize
        let blocksNeeded = (context + blockSize - 1) / blockSize
        let elements = (blocksNeeded * 2 + 1) * blockSize * kvHeads * headSize
        table = (0..<blocksNeeded).map { Int32(2 * $0 + 1) }
        kv = PagedKV(keys: .allocate(capacity: elements), values: .allocate(capacity: elements),
                     blockSize: blockSize, kvHeads: kvHeads, headSize: headSize)
        for position in 0..<context {
            let k = random.floats(kvHeads * headSize, scale: 2).map { Float(Float16($0)) }
            let v = random.floats(kvHeads * headSize).map { Float(Float16($0)) }
            kv.store(slot: Int(table[position / blockSize]) * blockSize + position % blockSize, keys: k, values: v)
            keyRows.append(k)
            valueRows.append(v)
        }
    }

    deinit {
        kv.keys.deallocate()
        kv.values.deallocate()
    }
}
