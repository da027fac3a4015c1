import GGUF

/// libFuzzer entry point: parses arbitrary bytes as a GGUF file.
///
/// Every input must either be rejected with a `GGUFError` or parse into a file whose tensor
/// views are all readable. Accepted files must also survive a writer round trip: writing
/// the parsed file and parsing it back, then writing that again, must give identical bytes
/// (skipped when the alignment would pad the rewritten file beyond 1 MiB).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? GGUFFile(bytes: bytes) else { return 0 }
    var checksum: UInt8 = 0
    for tensor in file.tensors {
        let view = file.tensorData(tensor)
        precondition(view.count == tensor.byteCount, "tensor view has the wrong length")
        for byte in view { checksum &+= byte }
    }
    for key in file.metadataKeys {
        precondition(file.metadata[key] != nil, "metadata key '\(key)' has no value")
    }
    blackHole(checksum)

    // A legal but huge alignment (up to 2^62) would make the rewritten file enormous.
    let paddingBound = file.alignment.multipliedReportingOverflow(by: file.tensors.count + 2)
    guard !paddingBound.overflow, paddingBound.partialValue <= 1 << 20 else { return 0 }
    let rewritten = rewrite(file)
    do {
        let reparsed = try GGUFFile(bytes: rewritten)
        precondition(rewrite(reparsed) == rewritten, "writer output is not a fixed point of read + write")
    } catch {
        preconditionFailure("the reader rejects what the writer produced: \(error)")
    }
    return 0
}

/// Re-serializes a parsed file with `GGUFWriter`.
private func rewrite(_ file: GGUFFile) -> [UInt8] {
    var writer = GGUFWriter(version: file.version, alignment: file.alignment)
    for key in file.metadataKeys {
        if let value = file.metadata[key] { writer.set(key, value) }
    }
    for tensor in file.tensors {
        writer.addTensor(
            name: tensor.name, dimensions: tensor.dimensions, type: tensor.type,
            data: Array(file.tensorData(tensor)))
    }
    return writer.serialize()
}

@inline(never)
private func blackHole(_ value: UInt8) {
    withExtendedLifetime(value) {}
}

public typealias CArgv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<CArgv>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// Process entry point. SwiftPM links executables with `main` aliased to `<module>_main`,
/// which would otherwise clash with libFuzzer's own `main`; defining it here and handing
/// control to `LLVMFuzzerRunDriver` keeps the plain `swift build` workflow working.
/// `--write-seeds DIR` writes the seed corpus instead of fuzzing.
@_cdecl("GGUFFuzz_main")
public func fuzzerMain(_ argc: CInt, _ argv: CArgv) -> CInt {
    let arguments = (0..<Int(argc)).map { argv[$0].map { String(cString: $0) } ?? "" }
    if arguments.count == 3, arguments[1] == "--write-seeds" {
        return writeSeedCorpus(to: arguments[2])
    }
    var count = argc
    var vector = argv
    return runFuzzerDriver(&count, &vector, fuzz)
}
