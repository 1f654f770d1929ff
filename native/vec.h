// 16-float vectors for the event-driven kernels.
#pragma once

#include <cstdint>

namespace hsnn {

// GCC/Clang vector extensions: 16 floats, lowered to one zmm (AVX-512 clone), two ymm (AVX2)
// or four xmm (default); the accumulators stay in registers
typedef float v16 __attribute__((vector_size(64)));
typedef float v16u __attribute__((vector_size(64), aligned(4), may_alias));

/**
 * acc[0..64) += sum over the events e in [e0, e1) of val[e] * rows[off[e] .. off[e] + 64): the
 * inner loop of the event-driven forwards (a nonzero input adds its weight row). Spike inputs
 * (binary: every value 1) add without multiplying. Inlined into each SIMD clone of the caller.
 */
template <typename Index>
inline __attribute__((always_inline)) void addEventRows64(float* acc, const float* rows, const int32_t* off,
                                                          const float* val, Index e0, Index e1, bool binary) {
  v16* a = reinterpret_cast<v16*>(acc);
  v16 a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
  if (binary) {
    for (Index e = e0; e < e1; e++) {
      const v16* r = reinterpret_cast<const v16*>(rows + off[e]);
      a0 += r[0];
      a1 += r[1];
      a2 += r[2];
      a3 += r[3];
    }
  } else {
    for (Index e = e0; e < e1; e++) {
      const v16* r = reinterpret_cast<const v16*>(rows + off[e]);
      const v16 v = v16{} + val[e];
      a0 += v * r[0];
      a1 += v * r[1];
      a2 += v * r[2];
      a3 += v * r[3];
    }
  }
  a[0] = a0;
  a[1] = a1;
  a[2] = a2;
  a[3] = a3;
}

/** s[0..4) += the rows (64 floats each, from base) whose bits are set in `bits` (ascending) */
inline __attribute__((always_inline)) void addRows64(uint64_t bits, const float* base, v16* s) {
  v16 s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
  for (; bits; bits &= bits - 1) {
    const v16* r = reinterpret_cast<const v16*>(base + __builtin_ctzll(bits) * 64);
    s0 += r[0];
    s1 += r[1];
    s2 += r[2];
    s3 += r[3];
  }
  s[0] = s0;
  s[1] = s1;
  s[2] = s2;
  s[3] = s3;
}

/**
 * acc[0..64) += the rows (64 floats each) of rows[] whose bits are set in m0 (rows 0-63) and
 * m1 (rows 64-127): the spike-input (binary) variant of addEventRows64, which walks a bitmask
 * of the active inputs instead of loading an index per event (the loop is bound by loads).
 */
inline __attribute__((always_inline)) void addMaskRows64(float* acc, const float* rows, uint64_t m0, uint64_t m1) {
  v16* a = reinterpret_cast<v16*>(acc);
  v16 s[4] = {a[0], a[1], a[2], a[3]};  // in registers across both halves
  addRows64(m0, rows, s);
  addRows64(m1, rows + 64 * 64, s);
  for (int j = 0; j < 4; j++) a[j] = s[j];
}

}  // namespace hsnn
