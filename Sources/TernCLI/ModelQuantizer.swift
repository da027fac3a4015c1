import Foundation
import GGUF
import Kernels

/// What `quantizeModel` did, printed as the command's last line.
struct QuantizeSummary: Sendable, CustomStringConvertible {
    let targetName: String
    let tensorCount: Int
    /// Tensors re-encoded (the rest were copied byte for byte).
    let convertedCount: Int
    /// Names of matrices that could not use the target's block size (see `WeightType.fitting`).
    let fallbacks: [String]
    let inputBytes: Int
    let outputBytes: Int

    var description: String {
        "\(targetName): re-encoded \(convertedCount) of \(tensorCount) tensors, "
            + "\(formatByteCount(inputBytes)) → \(formatByteCount(outputBytes))"
    }
}

/// Writes `output`: the GGUF model at `input` with every 2-D `.weight` matrix re-encoded for
/// `target`, all other tensors copied verbatim, and the metadata copied in order with
/// `general.file_type` set to the target's llama.cpp value.
///
/// Matrices are converted row by row (decode to Float, encode in the new type) in batches of
/// at most ~32 MiB of output spread over `threads` threads, and streamed to a temporary file
/// that replaces `output` only when complete, so memory stays bounded and `output` may even
/// name the input. Progress and fallbacks go to `log`, one line each.
func quantizeModel(
    input: String, output: String, target: QuantizeTarget, threads: Int = 1, log: (String) -> Void
) throws(CLIError) -> QuantizeSummary {
    let file: GGUFFile
    do { file = try GGUFFile(path: input) } catch { throw CLIError("cannot read '\(input)': \(error)") }
    let plans = try planTensors(of: file, for: target, log: log)

    let pool = ThreadPool(threadCount: threads)
    var metadata = file.metadata
    var keys = file.metadataKeys
    if metadata.updateValue(.uint32(target.llamaFileType), forKey: fileTypeKey) == nil { keys.append(fileTypeKey) }
    let header = GGUFWriter.header(alignment: file.alignment, keys: keys, metadata: metadata, tensors: plans.map {
        GGUFWriter.TensorLayout(name: $0.source.name, dimensions: $0.source.dimensions, type: $0.outputType, byteCount: $0.outputByteCount)
    })

    let partial = output + ".partial"
    guard FileManager.default.createFile(atPath: partial, contents: nil), let handle = FileHandle(forWritingAtPath: partial) else {
        throw CLIError("cannot create '\(output)'")
    }
    var written = 0
    do {
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(header))
        written += header.count
        for (index, plan) in plans.enumerated() {
            let action = plan.conversion.map { "\($0.from.displayName) → \($0.to.displayName)" } ?? "\(plan.source.type.name) (copied)"
            log("[\(index + 1)/\(plans.count)] \(plan.source.name): \(action)")
            let data = file.tensorData(plan.source)
            if let conversion = plan.conversion {
                try convertMatrix(data, columns: plan.source.dimensions[0], rows: plan.source.dimensions[1],
                                  from: conversion.from, to: conversion.to, pool: pool) { try handle.write(contentsOf: $0) }
            } else {
                try writeInChunks(data, to: handle)
            }
            let padding = GGUFWriter.padding(after: plan.outputByteCount, alignment: file.alignment)
            if padding > 0 { try handle.write(contentsOf: Data(count: padding)) }
            written += plan.outputByteCount + padding
        }
    } catch {
        try? FileManager.default.removeItem(atPath: partial)
        throw CLIError("cannot write '\(output)': \(error.localizedDescription)")
    }
    do {
        if FileManager.default.fileExists(atPath: output) { try FileManager.default.removeItem(atPath: output) }
        try FileManager.default.moveItem(atPath: partial, toPath: output)
    } catch {
        try? FileManager.default.removeItem(atPath: partial)
        throw CLIError("cannot replace '\(output)': \(error.localizedDescription)")
    }
    return QuantizeSummary(
        targetName: target.name, tensorCount: plans.count, convertedCount: plans.count(where: { $0.conversion != nil }),
        fallbacks: plans.filter(\.isFallback).map(\.source.name), inputBytes: file.fileSize, outputBytes: written)
}

private let fileTypeKey = "general.file_type"

/// How one tensor of the output is produced.
private struct TensorPlan {
    let source: GGUFTensorInfo
    let outputType: GGMLType
    let outputByteCount: Int
    /// Decode and encode types when the tensor is re-encoded; `nil` when it is copied verbatim.
    let conversion: (from: WeightType, to: WeightType)?
    let isFallback: Bool
}

/// Chooses each tensor's output type. Only 2-D tensors named `*.weight` are matrices to
/// convert (as llama.cpp's quantizer does); 1-D norms, biases and anything else keep their bytes.
private func planTensors(of file: GGUFFile, for target: QuantizeTarget, log: (String) -> Void) throws(CLIError) -> [TensorPlan] {
    var plans: [TensorPlan] = []
    for tensor in file.tensors {
        guard tensor.name.hasSuffix(".weight"), tensor.dimensions.count == 2 else {
            plans.append(TensorPlan(source: tensor, outputType: tensor.type, outputByteCount: tensor.byteCount, conversion: nil, isFallback: false))
            continue
        }
        guard let from = WeightType.allCases.first(where: { $0.ggmlType == tensor.type }) else {
            throw CLIError("tensor '\(tensor.name)' is \(tensor.type.name), which tern cannot decode")
        }
        let columns = tensor.dimensions[0], rows = tensor.dimensions[1]
        let preferred = target.preferredType(forTensor: tensor.name)
        let to = preferred.fitting(columns: columns)
        if to != preferred {
            log("\(tensor.name): rows of \(columns) are not whole \(preferred.displayName) blocks of \(preferred.blockSize); using \(to.displayName)")
        }
        plans.append(TensorPlan(
            source: tensor, outputType: to.ggmlType, outputByteCount: to.rowBytes(columns: columns) * rows,
            conversion: from == to ? nil : (from, to), isFallback: to != preferred))
    }
    return plans
}

/// Re-encodes a `rows` × `columns` matrix, handing the output to `emit` in batches of whole
/// rows (about 32 MiB each) so a large matrix never needs to be held in memory at once.
private func convertMatrix(
    _ source: UnsafeRawBufferPointer, columns: Int, rows: Int, from: WeightType, to: WeightType,
    pool: ThreadPool, emit: (Data) throws -> Void
) throws {
    guard let sourceBase = source.baseAddress, rows > 0 else { return }
    let inputRowBytes = from.rowBytes(columns: columns)
    let outputRowBytes = to.rowBytes(columns: columns)
    let batchRows = max(1, (32 << 20) / max(1, outputRowBytes))
    for batchStart in stride(from: 0, to: rows, by: batchRows) {
        let batchCount = min(batchRows, rows - batchStart)
        var batch = Data(count: batchCount * outputRowBytes)
        batch.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) in
            guard let outBase = out.baseAddress else { return }
            // Rows are claimed in small runs, each with its own scratch row of floats.
            pool.parallelFor(batchCount, chunk: 16) { range in
                var scratch = [Float](repeating: 0, count: columns)
                scratch.withUnsafeMutableBufferPointer { values in
                    guard let valuesBase = values.baseAddress else { return }
                    for row in range {
                        dequantizeRow(from, sourceBase + (batchStart + row) * inputRowBytes, into: valuesBase, count: columns)
                        let encoded = quantizeRow(to, UnsafeBufferPointer(values))
                        encoded.withUnsafeBytes { UnsafeMutableRawBufferPointer(start: outBase + row * outputRowBytes, count: outputRowBytes).copyMemory(from: $0) }
                    }
                }
            }
        }
        try emit(batch)
    }
}

/// Writes a tensor's bytes unchanged, 16 MiB at a time.
private func writeInChunks(_ bytes: UnsafeRawBufferPointer, to handle: FileHandle) throws {
    let chunk = 16 << 20
    for start in stride(from: 0, to: bytes.count, by: chunk) {
        try handle.write(contentsOf: Data(UnsafeRawBufferPointer(rebasing: bytes[start..<min(start + chunk, bytes.count)])))
    }
}

/// "812 KiB", "1.4 GiB": sizes in binary units with one decimal above KiB.
func formatByteCount(_ count: Int) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(count), unit = 0
    while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
    if unit == 0 { return "\(count) bytes" }
    return "\((value * 10).rounded() / 10) \(units[unit])"
}
