import ArgumentParser
import Foundation
import Kernels

/// `tern quantize INPUT OUTPUT TYPE`: re-encodes a GGUF model's weight matrices.
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Re-encode a GGUF model's weight matrices in another type.",
        discussion: """
            TYPE is any weight type Tern computes with (\(QuantizeTarget.uniformNames)), or a \
            llama.cpp-style mix: Q4_K_M / Q5_K_M encode token_embd, output, attn_v and ffn_down \
            matrices in Q6_K and every other matrix in Q4_K / Q5_K. Only 2-D `.weight` tensors \
            are converted; norms, biases and other tensors are copied unchanged. A matrix whose \
            rows are not whole blocks of the target falls back to Q8_0 (rows a multiple of 32) \
            or F16, and each fallback is reported.
            """)

    @Argument(help: "The GGUF model to read.") var input: String
    @Argument(help: "The GGUF file to write.") var output: String
    @Argument(help: "Target type, case-insensitive (e.g. q8_0, q4_k_m, f16).") var type: String
    @Option(help: "Worker threads (default: number of cores).") var threads: Int?

    func validate() throws {
        guard QuantizeTarget.named(type) != nil else {
            throw ValidationError("unknown quantization type '\(type)'; expected one of \(QuantizeTarget.allNames)")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            guard let target = QuantizeTarget.named(type) else { throw CLIError("unknown quantization type '\(type)'") }
            let summary = try quantizeModel(
                input: input, output: output, target: target,
                threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, log: printError)
            printError(summary.description)
        }
    }
}

/// What `tern quantize` produces: a base encoding for weight matrices, optionally promoted to
/// Q6_K for the tensors quantization error hurts most (a simplified llama.cpp "_M" mix).
struct QuantizeTarget: Sendable, Equatable {
    /// The name as the user spells it, upper-cased ("Q4_K_M", "Q8_0").
    let name: String
    /// The encoding of ordinary weight matrices.
    let baseType: WeightType
    /// Whether token_embd, output, attn_v and ffn_down matrices are encoded in Q6_K instead.
    let promotesSensitiveMatrices: Bool

    /// The target called `name` (case-insensitive): a `WeightType` name, "Q4_K_M" or "Q5_K_M".
    static func named(_ name: String) -> QuantizeTarget? {
        switch name.uppercased() {
        case "Q4_K_M": return QuantizeTarget(name: "Q4_K_M", baseType: .q4_K, promotesSensitiveMatrices: true)
        case "Q5_K_M": return QuantizeTarget(name: "Q5_K_M", baseType: .q5_K, promotesSensitiveMatrices: true)
        default:
            return WeightType.named(name).map { QuantizeTarget(name: $0.displayName, baseType: $0, promotesSensitiveMatrices: false) }
        }
    }

    static var uniformNames: String { WeightType.allCases.map(\.displayName).joined(separator: ", ") }
    static var allNames: String { uniformNames + ", Q4_K_M, Q5_K_M" }

    /// The encoding wanted for the weight matrix `tensorName`, before any block-size fallback.
    ///
    /// llama.cpp's Q4_K_M/Q5_K_M give the output projection Q6_K and some layers' attn_v and
    /// ffn_down more bits; this keeps the rule simple and promotes all of them (plus the token
    /// embedding, which is also the output projection in tied-embedding models).
    func preferredType(forTensor tensorName: String) -> WeightType {
        guard promotesSensitiveMatrices else { return baseType }
        let sensitive = ["token_embd.weight", "output.weight"].contains(tensorName)
            || tensorName.hasSuffix(".attn_v.weight") || tensorName.hasSuffix(".ffn_down.weight")
        return sensitive ? .q6_K : baseType
    }

    /// llama.cpp's `general.file_type` (`enum llama_ftype` in llama.h) for this target.
    /// A uniform K-quant is the "_S" variant (Q4_K_S 14, Q5_K_S 16).
    var llamaFileType: UInt32 {
        switch baseType {
        case .f32: 0
        case .f16: 1
        case .q4_0: 2
        case .q4_1: 3
        case .q8_0: 7
        case .q5_0: 8
        case .q5_1: 9
        case .q4_K: promotesSensitiveMatrices ? 15 : 14
        case .q5_K: promotesSensitiveMatrices ? 17 : 16
        case .q6_K: 18
        case .bf16: 32
        }
    }
}

extension WeightType {
    /// The ggml spelling in upper case ("Q4_K", "F16"), as llama.cpp prints types.
    var displayName: String { "\(self)".uppercased() }

    /// The encoding a matrix of `columns`-long rows gets when it cannot use `self`: rows must be
    /// whole blocks, so K-quants (256) and 32-blocks fall back to Q8_0 when 32 divides the row,
    /// else to F16 (block size 1). Returns `self` when it fits.
    func fitting(columns: Int) -> WeightType {
        if columns % blockSize == 0 { return self }
        return columns % WeightType.q8_0.blockSize == 0 ? .q8_0 : .f16
    }
}
