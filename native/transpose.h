// A cache-blocked strided transpose, shared by the event-driven kernels' weight packing.
#pragma once

#include <algorithm>
#include <cstdint>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HSNN_TRANSPOSE_AVX512 1
#endif

namespace hsnn {

#ifdef HSNN_TRANSPOSE_AVX512
/** dst[j * dstStride + i] = src[i * srcStride + j] for i, j < 16, in registers (unpack, then 128-bit lane shuffles) */
__attribute__((target("avx512f"))) inline void transpose16x16(const float* src, int64_t srcStride, float* dst,
                                                              int64_t dstStride) {
  __m512 r[16], t[16];
  for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(src + i * srcStride);
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    const __m512d a = _mm512_castps_pd(t[i]), b = _mm512_castps_pd(t[i + 1]);
    const __m512d c = _mm512_castps_pd(t[i + 2]), d = _mm512_castps_pd(t[i + 3]);
    r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  for (int h = 0; h < 16; h += 8) {
    for (int i = 0; i < 4; i++) {
      t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + 4 + i], 0x88);
      t[h + 4 + i] = _mm512_shuffle_f32x4(r[h + i], r[h + 4 + i], 0xdd);
    }
  }
  for (int i = 0; i < 8; i++) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
    r[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xdd);
  }
  for (int j = 0; j < 16; j++) _mm512_storeu_ps(dst + j * dstStride, r[j]);
}

inline bool hasAvx512() {
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
}
#endif

/**
 * dst[j * dstStride + i] = src[i * srcStride + j * srcStep] for i < rows, j < cols, in 32x32
 * blocks so both sides stay in cache (a plain double loop misses on every element of one side);
 * contiguous rows (srcStep 1) go through 16x16 register tiles where the CPU has AVX-512.
 */
inline void transpose(const float* src, int64_t rows, int64_t cols, int64_t srcStride, int64_t srcStep, float* dst,
                      int64_t dstStride) {
  int64_t done = 0;  // rows (and cols) covered by whole 16x16 tiles
#ifdef HSNN_TRANSPOSE_AVX512
  if (srcStep == 1 && hasAvx512() && rows >= 16 && cols >= 16) {
    const int64_t r16 = rows / 16 * 16, c16 = cols / 16 * 16;
    for (int64_t i = 0; i < r16; i += 16)
      for (int64_t j = 0; j < c16; j += 16) transpose16x16(src + i * srcStride + j, srcStride, dst + j * dstStride + i, dstStride);
    // the right strip (j >= c16, all rows) and the bottom strip (i >= r16, j < c16) element-wise
    for (int64_t j = c16; j < cols; j++)
      for (int64_t i = 0; i < rows; i++) dst[j * dstStride + i] = src[i * srcStride + j];
    for (int64_t j = 0; j < c16; j++)
      for (int64_t i = r16; i < rows; i++) dst[j * dstStride + i] = src[i * srcStride + j];
    done = 1;
  }
#endif
  if (done) return;
  constexpr int64_t B = 32;
  for (int64_t i0 = 0; i0 < rows; i0 += B) {
    const int64_t i1 = std::min(rows, i0 + B);
    for (int64_t j0 = 0; j0 < cols; j0 += B) {
      const int64_t j1 = std::min(cols, j0 + B);
      for (int64_t j = j0; j < j1; j++)
        for (int64_t i = i0; i < i1; i++) dst[j * dstStride + i] = src[i * srcStride + j * srcStep];
    }
  }
}

}  // namespace hsnn
