import Foundation

/// This process's memory counters from /proc/self/status (Linux), for tests that bound growth.
public enum ProcessMemory {
    /// The value in KiB of a `/proc/self/status` line such as `VmRSS:` (all resident memory) or
    /// `RssFile:` (file-backed resident pages); -1 when it cannot be read.
    public static func kiB(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let value = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return -1 }
        return value
    }

    /// Resident set size in KiB.
    public static var residentKiB: Int { kiB("VmRSS") }
}
