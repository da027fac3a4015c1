#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin POSIX helpers that turn failures into `GGUFError.Kind.io` errors naming the cause.
enum SystemIO {
    /// An `.io` error for the failed operation `what`, citing the current `errno`.
    static func error(_ what: String) -> GGUFError {
        let code = errno
        return GGUFError(.io, "\(what): \(String(cString: strerror(code))) (errno \(code))")
    }

    /// Creates or truncates the file at `path` and writes all of `bytes` to it.
    static func writeFile(_ bytes: [UInt8], to path: String) throws(GGUFError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw error("cannot create '\(path)'")
        }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return write(descriptor, base + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw error("cannot write '\(path)'")
            }
            written += result
        }
    }
}
