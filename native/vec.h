// Register-width vectors for the event-driven kernels.
#pragma once

#include <cstdint>

namespace hsnn {

/**
 * N floats in one register of the variant being compiled (GCC/Clang vector extensions): 16 for
 * AVX-512, 8 for AVX2, 4 for baseline x86-64, the N each multi-ISA function passes down
 * (simd.h). Wider generic vectors than the registers would be split by the compiler but kept in
 * memory, every add a store and a load: 64-float rows are held as 64 / N registers instead.
 */
template <int N>
struct Lanes {
  typedef float vec __attribute__((vector_size(N * 4)));
  typedef float unaligned __attribute__((vector_size(N * 4), aligned(4), may_alias));
};
template <int N>
using vf = typename Lanes<N>::vec;
template <int N>
using vfu = typename Lanes<N>::unaligned;

/** the K = 64 / N registers of a 64-float accumulator row */
template <int N>
struct Row64 {
  static constexpr int K = 64 / N;
  vf<N> r[K];

  static inline __attribute__((always_inline)) Row64 load(const float* p) {
    Row64 a;
#pragma GCC unroll 16
    for (int j = 0; j < K; j++) a.r[j] = *reinterpret_cast<const vfu<N>*>(p + j * N);
    return a;
  }
  inline __attribute__((always_inline)) void store(float* p) const {
#pragma GCC unroll 16
    for (int j = 0; j < K; j++) *reinterpret_cast<vfu<N>*>(p + j * N) = r[j];
  }
  /** += the 64-float row at p (64-byte aligned) */
  inline __attribute__((always_inline)) void add(const float* p) {
#pragma GCC unroll 16
    for (int j = 0; j < K; j++) r[j] += *reinterpret_cast<const vf<N>*>(p + j * N);
  }
  /** += v * the row at p */
  inline __attribute__((always_inline)) void addScaled(float v, const float* p) {
    const vf<N> s = vf<N>{} + v;
#pragma GCC unroll 16
    for (int j = 0; j < K; j++) r[j] += s * *reinterpret_cast<const vf<N>*>(p + j * N);
  }
};

/**
 * acc[0..64) += sum over the events e in [e0, e1) of val[e] * rows[off[e] .. off[e] + 64): the
 * inner loop of the event-driven forwards (a nonzero input adds its weight row). Spike inputs
 * (binary: every value 1) add without multiplying. Inlined into each ISA variant of the caller.
 */
template <int N, typename Index>
inline __attribute__((always_inline)) void addEventRows64(float* acc, const float* rows, const int32_t* off,
                                                          const float* val, Index e0, Index e1, bool binary) {
  Row64<N> a = Row64<N>::load(acc);
  if (binary) {
    for (Index e = e0; e < e1; e++) a.add(rows + off[e]);
  } else {
    for (Index e = e0; e < e1; e++) a.addScaled(val[e], rows + off[e]);
  }
  a.store(acc);
}

/** s += the 64-float rows (from base) whose bits are set in `bits` (ascending) */
template <int N>
inline __attribute__((always_inline)) void addRows64(uint64_t bits, const float* base, Row64<N>& s) {
  for (; bits; bits &= bits - 1) s.add(base + __builtin_ctzll(bits) * 64);
}

/**
 * acc[0..64) += the rows (64 floats each) of rows[] whose bits are set in m0 (rows 0-63) and
 * m1 (rows 64-127): the spike-input (binary) variant of addEventRows64, which walks a bitmask
 * of the active inputs instead of loading an index per event (the loop is bound by loads).
 */
template <int N>
inline __attribute__((always_inline)) void addMaskRows64(float* acc, const float* rows, uint64_t m0, uint64_t m1) {
  Row64<N> s = Row64<N>::load(acc);  // in registers across both halves
  addRows64<N>(m0, rows, s);
  addRows64<N>(m1, rows + 64 * 64, s);
  s.store(acc);
}

}  // namespace hsnn
