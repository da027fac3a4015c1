import ArgumentParser
import Engine
import Foundation
import GGUF
import Kernels
import Testing
import TernTestSupport
@testable import TernCLI

/// `tern quantize` through its core function, on the tiny test model (64/96-wide rows) and on a
/// synthetic model with 256-wide rows so K-quants apply.
@Suite struct QuantizeCommandTests {
    /// A scratch directory holding one input model and the outputs made from it.
    struct Workspace {
        let directory: URL
        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("tern-quantize-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// Every matrix of the 256-wide model is a whole number of K-quant blocks (256 and 512).
    static let wide = SyntheticShape(name: "wide", layers: 2, embedding: 256, feedForward: 512, heads: 4, kvHeads: 2,
                                     vocabulary: 300, contextLength: 64, ropeBase: 10_000, tiedEmbeddings: false)

    /// Normalized RMS error bounds (‖dequantized − original‖ / ‖original‖) per output encoding.
    static func errorBound(_ type: GGMLType) -> Double {
        switch type {
        case .f32: 0
        case .f16: 1e-3
        case .bf16: 1e-2
        case .q8_0: 0.01
        case .q6_K: 0.02
        case .q5_0, .q5_1, .q5_K: 0.04
        case .q4_0, .q4_1, .q4_K: 0.1
        default: -1
        }
    }

    static let matrixSuffixes = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"]
    static func matrixNames(layers: Int, tied: Bool) -> [String] {
        ["token_embd.weight"] + (0..<layers).flatMap { layer in matrixSuffixes.map { "blk.\(layer).\($0).weight" } }
            + (tied ? [] : ["output.weight"])
    }

    static func quantize(_ input: String, _ output: String, _ type: String) throws -> (QuantizeSummary, [String]) {
        let target = try #require(QuantizeTarget.named(type))
        var lines: [String] = []
        let summary = try quantizeModel(input: input, output: output, target: target, threads: 2) { lines.append($0) }
        return (summary, lines)
    }

    /// The matrix `name` of `file` decoded to floats, row after row.
    static func decoded(_ file: GGUFFile, _ name: String) throws -> [Float] {
        let tensor = try #require(file.tensor(named: name))
        let type = try #require(WeightType.allCases.first { $0.ggmlType == tensor.type })
        let columns = tensor.dimensions[0], rows = tensor.elementCount / columns
        let data = file.tensorData(tensor)
        var values = [Float](repeating: 0, count: tensor.elementCount)
        values.withUnsafeMutableBufferPointer { out in
            for row in 0..<rows {
                dequantizeRow(type, data.baseAddress! + row * type.rowBytes(columns: columns), into: out.baseAddress! + row * columns, count: columns)
            }
        }
        return values
    }

    static func normalizedError(_ original: [Float], _ approximation: [Float]) -> Double {
        var difference = 0.0, signal = 0.0
        for (a, b) in zip(original, approximation) {
            difference += Double(a - b) * Double(a - b)
            signal += Double(a) * Double(a)
        }
        return (difference / signal).squareRoot()
    }

    static func generatesTokens(_ path: String) throws {
        let bundle = try ModelBundle(path: path, threads: 1)
        let result = try Generator(bundle: bundle).generate(
            prompt: [10, 20, 30], parameters: GenerationParameters(sampling: .greedy, maxTokens: 3, ignoreEOS: true))
        #expect(result.outputIDs.count == 3)
    }

    /// Checks what every output must satisfy: types, untouched 1-D tensors, metadata, accuracy.
    static func checkOutput(input: String, output: String, matrices: [String], expectedType: (String) -> GGMLType, fileType: UInt32) throws {
        let source = try GGUFFile(path: input), result = try GGUFFile(path: output)
        #expect(result.tensors.map(\.name) == source.tensors.map(\.name))
        for tensor in source.tensors where !matrices.contains(tensor.name) {
            let copy = try #require(result.tensor(named: tensor.name))
            #expect(copy.type == .f32 && Array(result.tensorData(copy)) == Array(source.tensorData(tensor)), "\(tensor.name) copied")
        }
        for name in matrices {
            let tensor = try #require(result.tensor(named: name))
            #expect(tensor.type == expectedType(name), "\(name) is \(tensor.type.name)")
            #expect(tensor.dimensions == source.tensor(named: name)?.dimensions)
            let error = normalizedError(try decoded(source, name), try decoded(result, name))
            #expect(error <= errorBound(tensor.type), "\(name) in \(tensor.type.name): error \(error)")
        }
        // Metadata: same keys in the same order, same values, plus general.file_type at the end.
        #expect(result.metadataKeys == source.metadataKeys + ["general.file_type"])
        for key in source.metadataKeys { #expect(result.metadata[key] == source.metadata[key], "\(key)") }
        #expect(result.metadata["general.file_type"] == .uint32(fileType))
    }

    /// Tiny model (rows of 64 and 96): 32-block types apply as asked; K-quants do not fit and
    /// fall back to Q8_0, each fallback reported. File types are llama.h's `llama_ftype`.
    @Test(arguments: [("f16", GGMLType.f16, UInt32(1)), ("BF16", .bf16, 32), ("q8_0", .q8_0, 7), ("Q4_0", .q4_0, 2),
                      ("q4_1", .q4_1, 3), ("q5_0", .q5_0, 8), ("q5_1", .q5_1, 9), ("q4_k", .q8_0, 14), ("Q6_K", .q8_0, 18),
                      ("Q4_K_M", .q8_0, 15)])
    func quantizesTheTinyModel(type: String, expected: GGMLType, fileType: UInt32) throws {
        let model = try TinyModelFile(tiedEmbeddings: false)
        defer { model.remove() }
        let output = model.directory.appendingPathComponent("out.gguf").path
        let (summary, log) = try Self.quantize(model.path, output, type)

        let matrices = Self.matrixNames(layers: 2, tied: false)
        try Self.checkOutput(input: model.path, output: output, matrices: matrices, expectedType: { _ in expected }, fileType: fileType)
        try Self.generatesTokens(output)
        #expect(summary.convertedCount == matrices.count)
        #expect(summary.tensorCount == matrices.count + 5)
        let fallsBack = type.lowercased().contains("_k")
        #expect(summary.fallbacks == (fallsBack ? matrices : []))
        #expect(log.filter { $0.contains("using Q8_0") }.count == (fallsBack ? matrices.count : 0))
        #expect(log.filter { $0.hasPrefix("[") }.count == summary.tensorCount)
        #expect(summary.outputBytes == (try FileManager.default.attributesOfItem(atPath: output)[.size] as? NSNumber)?.intValue)
    }

    /// 256-wide model: K-quants apply directly, and Q4_K_M promotes the sensitive matrices.
    @Test(arguments: [("q4_K", UInt32(14)), ("q5_K", 16), ("q6_K", 18), ("Q4_K_M", 15), ("q5_k_m", 17), ("q8_0", 7)])
    func quantizesWideRowsWithKQuants(type: String, fileType: UInt32) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let input = workspace.path("wide.gguf"), output = workspace.path("out.gguf")
        try Self.wide.writer(weightType: .f32, seed: 5).write(to: input)
        let (summary, _) = try Self.quantize(input, output, type)

        let base: GGMLType = switch type.lowercased() {
        case "q4_k", "q4_k_m": .q4_K
        case "q5_k", "q5_k_m": .q5_K
        case "q6_k": .q6_K
        default: .q8_0
        }
        let mixed = type.lowercased().hasSuffix("_m")
        func expected(_ name: String) -> GGMLType {
            let promoted = name == "token_embd.weight" || name == "output.weight" || name.hasSuffix("attn_v.weight") || name.hasSuffix("ffn_down.weight")
            return mixed && promoted ? .q6_K : base
        }
        try Self.checkOutput(input: input, output: output, matrices: Self.matrixNames(layers: 2, tied: false), expectedType: expected, fileType: fileType)
        try Self.generatesTokens(output)
        #expect(summary.fallbacks.isEmpty)
    }

    /// F32 → F16 → F32: every weight is its nearest half-precision value; norms are untouched.
    @Test func halfPrecisionRoundTripIsExactRounding() throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let half = model.directory.appendingPathComponent("half.gguf").path
        let back = model.directory.appendingPathComponent("back.gguf").path
        _ = try Self.quantize(model.path, half, "F16")
        _ = try Self.quantize(half, back, "f32")

        let source = try GGUFFile(path: model.path), result = try GGUFFile(path: back)
        #expect(result.metadata["general.file_type"] == .uint32(0))
        for name in Self.matrixNames(layers: 2, tied: true) {
            #expect(result.tensor(named: name)?.type == .f32)
            let original = try Self.decoded(source, name), restored = try Self.decoded(result, name)
            #expect(restored == original.map { Float(Float16($0)) }, "\(name)")
            // Half precision keeps 11 significant bits: error ≤ half an ulp, 2⁻¹¹ relative, or
            // half the subnormal spacing 2⁻²⁴ for the tiniest weights.
            #expect(zip(original, restored).allSatisfy { abs($0 - $1) <= max(abs($0) * 0x1p-11, 0x1p-25) })
        }
        for name in ["blk.0.attn_norm.weight", "output_norm.weight"] {
            let before = try #require(source.tensor(named: name)), after = try #require(result.tensor(named: name))
            #expect(Array(result.tensorData(after)) == Array(source.tensorData(before)))
        }
    }

    /// Q8_0 → F32 yields d · q for every element, read here from the input's raw blocks.
    @Test func decodesQ8_0InputExactly() throws {
        let model = try TinyModelFile(encoding: .q8_0)
        defer { model.remove() }
        let output = model.directory.appendingPathComponent("f32.gguf").path
        _ = try Self.quantize(model.path, output, "f32")
        let source = try GGUFFile(path: model.path), result = try GGUFFile(path: output)
        let tensor = try #require(source.tensor(named: "blk.0.attn_q.weight"))
        let blocks = Array(source.tensorData(tensor))
        var expected: [Float] = []
        for start in stride(from: 0, to: blocks.count, by: 34) {
            let d = Float(Float16(bitPattern: UInt16(blocks[start]) | UInt16(blocks[start + 1]) << 8))
            expected += blocks[start + 2..<start + 34].map { d * Float(Int8(bitPattern: $0)) }
        }
        #expect(try Self.decoded(result, "blk.0.attn_q.weight") == expected)
    }

    /// Converting F32 to F32 copies every tensor, so the file must be byte for byte what
    /// `GGUFWriter` writes for the same metadata and tensors.
    @Test func layoutMatchesGGUFWriter() throws {
        let model = try TinyModelFile()
        defer { model.remove() }
        let output = model.directory.appendingPathComponent("copy.gguf").path
        let (summary, _) = try Self.quantize(model.path, output, "F32")
        #expect(summary.convertedCount == 0)
        let reference = TinyModelFile.writer(encoding: .f32, tiedEmbeddings: true, seed: 0x7E12,
                                             extraMetadata: [("general.file_type", .uint32(0))]).serialize()
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: output))) == reference)
    }

    /// An existing general.file_type keeps its place and gets the new value.
    @Test func replacesAnExistingFileType() throws {
        let model = try TinyModelFile(extraMetadata: [("general.file_type", .uint32(0)), ("general.name", .string("tiny"))])
        defer { model.remove() }
        let output = model.directory.appendingPathComponent("q8.gguf").path
        _ = try Self.quantize(model.path, output, "Q8_0")
        let source = try GGUFFile(path: model.path), result = try GGUFFile(path: output)
        #expect(result.metadataKeys == source.metadataKeys)
        #expect(result.metadata["general.file_type"] == .uint32(7))
        #expect(result.metadata["general.name"] == .string("tiny"))
    }

    @Test func corruptInputIsAOneLineError() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let input = workspace.path("corrupt.gguf"), output = workspace.path("out.gguf")
        try Data("GGUF not really a model".utf8).write(to: URL(fileURLWithPath: input))
        for path in [input, workspace.path("missing.gguf")] {
            let error = try #require(throws: CLIError.self) { try Self.quantize(path, output, "q8_0") }
            #expect(error.description.hasPrefix("cannot read '\(path)'"))
            #expect(!error.description.contains("\n"))
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// A matrix in an encoding Tern cannot decode (Q2_K here) is refused by name.
    @Test func refusesUndecodableMatrices() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let input = workspace.path("q2k.gguf"), output = workspace.path("out.gguf")
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.addTensor(name: "blk.0.attn_q.weight", dimensions: [256, 2], type: .q2_K, data: [UInt8](repeating: 0, count: 2 * 84))
        try writer.write(to: input)
        let error = try #require(throws: CLIError.self) { try Self.quantize(input, output, "q8_0") }
        #expect(error.description == "tensor 'blk.0.attn_q.weight' is Q2_K, which tern cannot decode")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func parsesTargets() throws {
        #expect(QuantizeTarget.named("q4_k_m") == QuantizeTarget(name: "Q4_K_M", baseType: .q4_K, promotesSensitiveMatrices: true))
        #expect(QuantizeTarget.named("Q8_0")?.baseType == .q8_0)
        #expect(QuantizeTarget.named("bf16")?.llamaFileType == 32)
        #expect(QuantizeTarget.named("q3_k") == nil)
        let command = try QuantizeCommand.parse(["in.gguf", "out.gguf", "Q5_K_M"])
        #expect(command.input == "in.gguf" && command.output == "out.gguf" && command.type == "Q5_K_M")
        #expect(throws: (any Error).self) { try QuantizeCommand.parse(["in.gguf", "out.gguf", "q9_9"]) }
    }

    @Test func fallsBackToBlocksThatFit() {
        #expect(WeightType.q4_K.fitting(columns: 512) == .q4_K)
        #expect(WeightType.q6_K.fitting(columns: 96) == .q8_0)
        #expect(WeightType.q4_0.fitting(columns: 48) == .f16)
        #expect(WeightType.f16.fitting(columns: 7) == .f16)
    }
}
