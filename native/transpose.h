// A cache-blocked strided transpose, shared by the event-driven kernels' weight packing.
#pragma once

#include <algorithm>
#include <cstdint>

namespace hsnn {

/**
 * dst[j * dstStride + i] = src[i * srcStride + j * srcStep] for i < rows, j < cols, in 32x32
 * blocks so both sides stay in cache (a plain double loop misses on every element of one side).
 */
inline void transpose(const float* src, int64_t rows, int64_t cols, int64_t srcStride, int64_t srcStep, float* dst,
                      int64_t dstStride) {
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
