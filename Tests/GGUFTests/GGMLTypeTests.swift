import GGUF
import Testing

/// Expected ids and block geometry, transcribed from ggml's type table (as mirrored by the
/// reference Python `gguf` package's `GGMLQuantizationType` and `GGML_QUANT_SIZES`).
private let referenceTable: [(type: GGMLType, id: UInt32, name: String, blockSize: Int, bytesPerBlock: Int)] = [
    (.f32, 0, "F32", 1, 4),
    (.f16, 1, "F16", 1, 2),
    (.q4_0, 2, "Q4_0", 32, 18),
    (.q4_1, 3, "Q4_1", 32, 20),
    (.q5_0, 6, "Q5_0", 32, 22),
    (.q5_1, 7, "Q5_1", 32, 24),
    (.q8_0, 8, "Q8_0", 32, 34),
    (.q8_1, 9, "Q8_1", 32, 40),
    (.q2_K, 10, "Q2_K", 256, 84),
    (.q3_K, 11, "Q3_K", 256, 110),
    (.q4_K, 12, "Q4_K", 256, 144),
    (.q5_K, 13, "Q5_K", 256, 176),
    (.q6_K, 14, "Q6_K", 256, 210),
    (.q8_K, 15, "Q8_K", 256, 292),
    (.iq2_xxs, 16, "IQ2_XXS", 256, 66),
    (.iq2_xs, 17, "IQ2_XS", 256, 74),
    (.iq3_xxs, 18, "IQ3_XXS", 256, 98),
    (.iq1_s, 19, "IQ1_S", 256, 50),
    (.iq4_nl, 20, "IQ4_NL", 32, 18),
    (.iq3_s, 21, "IQ3_S", 256, 110),
    (.iq2_s, 22, "IQ2_S", 256, 82),
    (.iq4_xs, 23, "IQ4_XS", 256, 136),
    (.i8, 24, "I8", 1, 1),
    (.i16, 25, "I16", 1, 2),
    (.i32, 26, "I32", 1, 4),
    (.i64, 27, "I64", 1, 8),
    (.f64, 28, "F64", 1, 8),
    (.iq1_m, 29, "IQ1_M", 256, 56),
    (.bf16, 30, "BF16", 1, 2),
    (.tq1_0, 34, "TQ1_0", 256, 54),
    (.tq2_0, 35, "TQ2_0", 256, 66),
    (.mxfp4, 39, "MXFP4", 32, 17),
    (.nvfp4, 40, "NVFP4", 64, 36),
    (.q1_0, 41, "Q1_0", 128, 18),
]

@Suite struct GGMLTypeTests {
    @Test func idsNamesAndBlockGeometryMatchGGML() {
        for row in referenceTable {
            #expect(row.type.rawValue == row.id, "\(row.name)")
            #expect(row.type.name == row.name)
            #expect(row.type.blockSize == row.blockSize, "\(row.name)")
            #expect(row.type.bytesPerBlock == row.bytesPerBlock, "\(row.name)")
        }
        #expect(GGMLType.allCases.count == referenceTable.count)
    }

    @Test func retiredIdsAreUnknown() {
        for id: UInt32 in [4, 5, 31, 32, 33, 36, 37, 38, 42, 1000] {
            #expect(GGMLType(rawValue: id) == nil, "id \(id)")
        }
    }

    @Test func byteCountForWholeBlocks() {
        #expect(GGMLType.f32.byteCount(elements: 6) == 24)
        #expect(GGMLType.bf16.byteCount(elements: 3) == 6)
        #expect(GGMLType.q4_1.byteCount(elements: 576) == 18 * 20)
        #expect(GGMLType.q8_0.byteCount(elements: 576 * 49152) == 30_081_024)
        #expect(GGMLType.q6_K.byteCount(elements: 512) == 420)
        #expect(GGMLType.q4_0.byteCount(elements: 0) == 0)
    }

    @Test func byteCountRejectsPartialBlocksNegativesAndOverflow() {
        #expect(GGMLType.q4_0.byteCount(elements: 33) == nil)
        #expect(GGMLType.q4_K.byteCount(elements: 128) == nil)
        #expect(GGMLType.f32.byteCount(elements: -1) == nil)
        #expect(GGMLType.f32.byteCount(elements: Int.max) == nil)
        #expect(GGMLType.f64.byteCount(elements: Int.max / 4) == nil)
    }
}
