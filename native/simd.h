// Function multiversioning for the addon's own loops (LIF, pooling): the binary stays
// runnable on any x86-64, and the loader picks an AVX-512 / AVX2 clone where the CPU has it.
// (oneDNN dispatches its own ISA at run time.)
#pragma once

#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(HSNN_NO_CLONES)
#define HSNN_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define HSNN_SIMD_CLONES
#endif
