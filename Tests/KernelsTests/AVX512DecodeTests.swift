#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Kernels

/// The AVX-512 decode kernel (one to three tokens) for Q8_0, Q4_0 and Q4_1 against the AVX2 one,
/// bit for bit, on rows long enough for its groups of eight blocks: block counts 8, 9, 10, 18,
/// 19, 23 and 48 leave no tail, an odd block, a pair, and pairs plus an odd block after the
/// groups. Each weight block has its own magnitude, so a block paired with the wrong scale or
/// offset changes the result.
@Suite(.enabled(if: KernelPath.avx512Available, "the CPU has no AVX-512 VNNI; the AVX2 kernels cover it"))
struct AVX512DecodeTests {
    static let blockCounts = [8, 9, 10, 18, 19, 23, 48]

    /// Row-major encoded weights: block k of every row scaled by 2^(k mod 7 − 3).
    static func encodedWeights(_ type: WeightType, rows: Int, columns: Int, random: inout TestRandom) -> [UInt8] {
        var encoded: [UInt8] = []
        for _ in 0..<rows {
            var row = random.floats(columns)
            for c in 0..<columns { row[c] *= Float(1 << ((c / 32) % 7)) / 8 }
            encoded += row.withUnsafeBufferPointer { quantizeRow(type, $0) }
        }
        return encoded
    }

    /// Runs both kernels on `weights` and returns (AVX-512, AVX2, reference).
    static func run(_ weights: WeightMatrix, tokens: Int, random: inout TestRandom) -> ([Float], [Float], [Float]) {
        var input = random.floats(tokens * weights.columns, scale: 2)
        for i in stride(from: 5, to: input.count, by: 97) { input[i] *= 40 }
        let count = tokens * weights.rows
        var avx512 = [Float](repeating: .nan, count: count)
        var avx2 = [Float](repeating: .nan, count: count)
        var reference = [Float](repeating: .nan, count: count)
        let pool = ThreadPool(threadCount: 2)
        let scratch = QuantizedActivations(capacityRows: tokens, columns: weights.columns)
        MatMul(path: .avx2, avx512: true)(weights, input: input, tokens: tokens, output: &avx512, scratch: scratch, pool: pool)
        MatMul(path: .avx2, avx512: false)(weights, input: input, tokens: tokens, output: &avx2, scratch: scratch, pool: pool)
        referenceMatMul(weights, input: input, tokens: tokens, output: &reference)
        return (avx512, avx2, reference)
    }

    @Test(arguments: [WeightType.q8_0, .q4_0, .q4_1])
    func matchesAVX2BitForBit(type: WeightType) {
        for blocks in Self.blockCounts {
            for tokens in 1...3 {
                let rows = 33, columns = 32 * blocks
                var random = TestRandom(seed: UInt64(blocks * 10 + tokens))
                let encoded = Self.encodedWeights(type, rows: rows, columns: columns, random: &random)
                let (avx512, avx2, reference) = encoded.withUnsafeBytes { raw in
                    Self.run(WeightMatrix(type: type, rows: rows, columns: columns, base: raw.baseAddress!), tokens: tokens, random: &random)
                }
                #expect(avx512 == avx2, "\(type) blocks \(blocks) tokens \(tokens)")
                #expect(normalizedError(avx512, reference) < MatMulTests.tolerance(type), "\(type) blocks \(blocks) tokens \(tokens)")
            }
        }
    }

    /// The last row ends where an inaccessible page begins: a wide load past the weights' end
    /// would crash the test.
    @Test(arguments: [WeightType.q8_0, .q4_0, .q4_1])
    func readsNothingPastTheLastRow(type: WeightType) throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        for blocks in Self.blockCounts {
            let rows = 3, columns = 32 * blocks
            var random = TestRandom(seed: UInt64(blocks))
            let encoded = Self.encodedWeights(type, rows: rows, columns: columns, random: &random)
            let dataPages = (encoded.count + page - 1) / page
            let mapping = try #require(mmap(nil, (dataPages + 1) * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
            #expect(mapping != MAP_FAILED)
            defer { munmap(mapping, (dataPages + 1) * page) }
            let guardPage = mapping + dataPages * page
            #expect(mprotect(guardPage, page, PROT_NONE) == 0)
            let base = guardPage - encoded.count
            encoded.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: encoded.count) }
            let (avx512, avx2, _) = Self.run(WeightMatrix(type: type, rows: rows, columns: columns, base: UnsafeRawPointer(base)),
                                             tokens: 1, random: &random)
            #expect(avx512 == avx2, "\(type) blocks \(blocks)")
        }
    }
}
