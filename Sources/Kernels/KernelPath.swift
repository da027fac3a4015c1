import CIntrinsics
#if TERN_AVX512
import KernelsAVX512
#endif

/// Which implementation of the dot-product kernels runs.
public enum KernelPath: Sendable, Equatable {
    /// x86 AVX2 + FMA + F16C intrinsics.
    case avx2
    /// Plain Swift, any CPU.
    case portable

    /// The fastest path this build and this CPU support. `TERN_KERNELS=portable` forces the plain path.
    public static let best: KernelPath = {
        #if TERN_AVX2
        if tern_cpu_supports_avx2() != 0, getenvString("TERN_KERNELS") != "portable" { return .avx2 }
        #endif
        return .portable
    }()

    /// Whether this build contains the AVX-512 VNNI kernels and the CPU can run them.
    public static var avx512Available: Bool {
        #if TERN_AVX512
        return avx2Available && AVX512Common.isSupported
        #else
        return false
        #endif
    }

    /// Whether this build contains the AVX2 path and the CPU can run it.
    public static var avx2Available: Bool {
        #if TERN_AVX2
        return tern_cpu_supports_avx2() != 0
        #else
        return false
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func getenvString(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}
