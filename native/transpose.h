// A cache-blocked strided transpose, shared by the event-driven kernels' weight packing.
#pragma once

#include <algorithm>
#include <cstdint>

#include "isa.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HSNN_TRANSPOSE_TILES 1
#endif

namespace hsnn {

#ifdef HSNN_TRANSPOSE_TILES
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

/** the same for 8x8 tiles in 256-bit registers (unpack, shuffle, 128-bit lane permutes) */
__attribute__((target("avx2"))) inline void transpose8x8(const float* src, int64_t srcStride, float* dst,
                                                         int64_t dstStride) {
  __m256 r[8], t[8];
  for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(src + i * srcStride);
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int h = 0; h < 8; h += 4) {
    r[h] = _mm256_shuffle_ps(t[h], t[h + 2], 0x44);
    r[h + 1] = _mm256_shuffle_ps(t[h], t[h + 2], 0xee);
    r[h + 2] = _mm256_shuffle_ps(t[h + 1], t[h + 3], 0x44);
    r[h + 3] = _mm256_shuffle_ps(t[h + 1], t[h + 3], 0xee);
  }
  for (int i = 0; i < 4; i++) {
    t[i] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x20);
    t[i + 4] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x31);
  }
  for (int j = 0; j < 8; j++) _mm256_storeu_ps(dst + j * dstStride, t[j]);
}
#endif

/**
 * dst[j * dstStride + i] = src[i * srcStride + j * srcStep] for i < rows, j < cols, in 32x32
 * blocks so both sides stay in cache (a plain double loop misses on every element of one side);
 * contiguous rows (srcStep 1) go through register tiles: 16x16 on the AVX-512 path, 8x8 on AVX2.
 */
inline void transpose(const float* src, int64_t rows, int64_t cols, int64_t srcStride, int64_t srcStep, float* dst,
                      int64_t dstStride) {
#ifdef HSNN_TRANSPOSE_TILES
  const Isa isa = activeIsa();
  const int64_t tile = isa == Isa::Avx512 ? 16 : isa == Isa::Avx2 ? 8 : 0;
  if (srcStep == 1 && tile > 0 && rows >= tile && cols >= tile) {
    const int64_t rt = rows / tile * tile, ct = cols / tile * tile;
    for (int64_t i = 0; i < rt; i += tile) {
      for (int64_t j = 0; j < ct; j += tile) {
        if (tile == 16) transpose16x16(src + i * srcStride + j, srcStride, dst + j * dstStride + i, dstStride);
        else transpose8x8(src + i * srcStride + j, srcStride, dst + j * dstStride + i, dstStride);
      }
    }
    // the right strip (j >= ct, all rows) and the bottom strip (i >= rt, j < ct) element-wise
    for (int64_t j = ct; j < cols; j++)
      for (int64_t i = 0; i < rows; i++) dst[j * dstStride + i] = src[i * srcStride + j];
    for (int64_t j = 0; j < ct; j++)
      for (int64_t i = rt; i < rows; i++) dst[j * dstStride + i] = src[i * srcStride + j];
    return;
  }
#endif
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
