// Run-time ISA dispatch for the addon's own loops (LIF, pooling, optimizers, event-driven kernels):
// each hot function is compiled from one body three times, for AVX-512, AVX2 and baseline x86-64,
// and called through the variant of activeIsa(): the CPU's best, or lower when HIRE_SNN_ISA caps
// it (so one binary is right and fast everywhere, and an AVX-512 machine can run the AVX2 path).
// oneDNN dispatches its own ISA; the same switch caps it (isa.cc).
#pragma once

#include "isa.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(HSNN_NO_CLONES)
/**
 * Defines `ret name params` calling one of three variants compiled for AVX-512 (avx512f, which
 * brings FMA), AVX2 with FMA and baseline x86-64; each is `return <call>;` with the body inlined
 * and vectorized for its target. The call goes to activeIsa()'s variant.
 */
#define HSNN_MULTI_ISA_IMPL(ret, name, params, args, call512, call2, call0)             \
  __attribute__((target("avx512f"))) static ret name##Avx512 params { return call512; } \
  __attribute__((target("avx2,fma"))) static ret name##Avx2 params { return call2; }    \
  static ret name##Baseline params { return call0; }                                    \
  ret name params {                                                                     \
    switch (::hsnn::activeIsa()) {                                                      \
      case ::hsnn::Isa::Avx512: return name##Avx512 args;                               \
      case ::hsnn::Isa::Avx2: return name##Avx2 args;                                   \
      default: return name##Baseline args;                                              \
    }                                                                                   \
  }
#else
#define HSNN_MULTI_ISA_IMPL(ret, name, params, args, call512, call2, call0) \
  ret name params { return call0; }
#endif

/** `ret name params` from `nameBody` (HSNN_ISA_BODY, same parameters) in every ISA variant */
#define HSNN_MULTI_ISA(ret, name, params, args) \
  HSNN_MULTI_ISA_IMPL(ret, name, params, args, name##Body args, name##Body args, name##Body args)

/** the same for a body templated on its register width in floats (vec.h): 16, 8 and 4 */
#define HSNN_MULTI_ISA_LANES(ret, name, params, args) \
  HSNN_MULTI_ISA_IMPL(ret, name, params, args, name##Body<16> args, name##Body<8> args, name##Body<4> args)

/** the attributes of a multi-ISA function's body */
#define HSNN_ISA_BODY inline __attribute__((always_inline))
