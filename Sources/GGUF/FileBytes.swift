#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns an immutable, stable run of bytes: either a read-only private memory mapping of a
/// file or a heap copy. The bytes never move and are released exactly once, in `deinit`.
///
/// `@unchecked Sendable` is sound because the memory is never written after `init` and is
/// only freed when the last reference goes away.
final class FileBytes: @unchecked Sendable {
    private enum Ownership {
        case mapped
        case allocated
    }

    /// The bytes; valid for the lifetime of this object.
    let bytes: UnsafeRawBufferPointer
    private let ownership: Ownership

    /// Heap copies are page-aligned like a mapping, so tensor data lands at the same
    /// alignment either way.
    private static let copyAlignment = 4096

    /// Copies `source` into a page-aligned heap buffer.
    init(copying source: [UInt8]) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(source.count, 1), alignment: Self.copyAlignment)
        source.withUnsafeBytes { buffer.copyMemory(from: $0) }
        bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<source.count])
        ownership = .allocated
    }

    /// Maps the file at `path` with `PROT_READ` and `MAP_PRIVATE`. An empty file yields an
    /// empty buffer (a zero-length mapping is not allowed).
    init(mapping path: String) throws(GGUFError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SystemIO.error("cannot open '\(path)'")
        }
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw SystemIO.error("cannot stat '\(path)'")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw GGUFError(.io, "'\(path)' is not a regular file")
        }
        guard let size = Int(exactly: status.st_size), size >= 0 else {
            throw GGUFError(.io, "'\(path)' reports an invalid size \(status.st_size)")
        }
        if size == 0 {
            let empty = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: Self.copyAlignment)
            bytes = UnsafeRawBufferPointer(rebasing: empty[0..<0])
            ownership = .allocated
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        // MAP_FAILED is ((void *)-1), which Swift does not import as a constant.
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw SystemIO.error("cannot map '\(path)' (\(size) bytes)")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
        ownership = .mapped
    }

    /// Lets the kernel drop the resident pages of a mapping's first `count` bytes (whole pages
    /// only). Their contents are unchanged: a private, never-written file mapping reads them
    /// from the file again if they are touched. Does nothing for heap copies.
    func releasePages(upTo count: Int) {
        guard ownership == .mapped, let base = bytes.baseAddress else { return }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = min(count, bytes.count) / pageSize * pageSize
        guard length > 0 else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base), length, Int32(MADV_DONTNEED))
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        switch ownership {
        case .mapped:
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        case .allocated:
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }
}
