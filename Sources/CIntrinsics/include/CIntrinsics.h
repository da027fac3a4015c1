// Exposes the x86 SIMD intrinsics to Swift. Kernel logic stays in Swift; this header only
// makes `_mm256_*` (and, in the AVX-512 module, `_mm512_*`) callable and reports whether the module was compiled with AVX2+FMA+F16C.
#ifndef TERN_CINTRINSICS_H
#define TERN_CINTRINSICS_H

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)
#include <immintrin.h>
#define TERN_HAS_AVX2 1
#else
#define TERN_HAS_AVX2 0
#endif

/// 1 when the CPU running this process supports AVX2, FMA and F16C.
int tern_cpu_supports_avx2(void);

/// 1 when the CPU running this process supports AVX-512 F, BW and VL with VNNI (and the OS
/// saves the AVX-512 registers).
int tern_cpu_supports_avx512vnni(void);

/// Asks for the cache line at `p` ahead of its use (read, keep in all levels).
static inline void tern_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

/// A spin-wait hint (x86 `pause`), so spinning threads yield pipeline resources to a sibling.
static inline void tern_cpu_relax(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}

#endif
