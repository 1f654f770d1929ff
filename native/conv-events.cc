// The events of a conv input image (conv-events.h): CSR lists and channel bitmasks.
#include "conv-events.h"

#include <algorithm>

#include "simd.h"

namespace hsnn {

using Shape = ConvShape;

bool listEvents(const float* x, const Shape& s, int32_t* ptr, int32_t* fill, int32_t* off, float* val) {
  const int64_t plane = s.h * s.w, cells = (s.cIn + kChunk - 1) / kChunk * plane;
  std::fill(ptr, ptr + cells + 1, 0);
  for (int64_t c = 0; c < s.cIn; c++) {
    const float* xc = x + c * plane;
    int32_t* pc = ptr + 1 + (c / kChunk) * plane;
    for (int64_t p = 0; p < plane; p++) pc[p] += xc[p] != 0.0f;
  }
  for (int64_t q = 0; q < cells; q++) ptr[q + 1] += ptr[q];
  std::copy(ptr, ptr + cells, fill);
  bool binary = true;
  for (int64_t c = 0; c < s.cIn; c++) {
    const float* xc = x + c * plane;
    int32_t* fc = fill + (c / kChunk) * plane;
    const int32_t rowOff = static_cast<int32_t>((c % kChunk) * kTile);
    for (int64_t p = 0; p < plane; p++) {
      if (xc[p] != 0.0f) {
        const int32_t e = fc[p]++;
        off[e] = rowOff;
        val[e] = xc[p];
        binary = binary && xc[p] == 1.0f;
      }
    }
  }
  return binary;
}

/**
 * x [cIn, h, w] of one image -> per (channel chunk, pixel) two 64-bit masks of its nonzero
 * channels (masks [chunks][h * w][2]) when every nonzero is 1 (spikes); false (masks partly
 * written) otherwise. Each chunk's bits are collected planar (planar [2][h * w], contiguous
 * over pixels, so the loop over a channel's pixels vectorizes), then interleaved.
 */
HSNN_ISA_BODY bool spikeMasksBody(const float* x, const Shape& s, uint64_t* masks, uint64_t* planar) {
  const int64_t plane = s.h * s.w, chunks = (s.cIn + kChunk - 1) / kChunk;
  for (int64_t k = 0; k < chunks; k++) {
    std::fill(planar, planar + 2 * plane, uint64_t(0));
    for (int64_t c = k * kChunk; c < std::min(s.cIn, (k + 1) * kChunk); c++) {
      const float* xc = x + c * plane;
      uint64_t* row = planar + ((c % kChunk) / 64) * plane;
      const int shift = static_cast<int>(c % 64);
      int bad = 0;
      for (int64_t p = 0; p < plane; p++) {
        const float v = xc[p];
        row[p] |= static_cast<uint64_t>(v != 0.0f) << shift;
        bad |= static_cast<int>(v != 0.0f) & static_cast<int>(v != 1.0f);
      }
      if (bad) return false;
    }
    uint64_t* mk = masks + k * plane * 2;
    for (int64_t p = 0; p < plane; p++) {
      mk[2 * p] = planar[p];
      mk[2 * p + 1] = planar[plane + p];
    }
  }
  return true;
}
HSNN_MULTI_ISA(bool, spikeMasks,
               (const float* x, const Shape& s, uint64_t* masks, uint64_t* planar),
               (x, s, masks, planar))

/**
 * Averages of 2x2 spikes (every value a multiple of 1/4 in [0, 1]: 4v = k in 0..4) -> three
 * planes of channel masks per (chunk, pixel), masks [chunks][h * w][3][2], plane j holding bit j
 * of k, so x = (plane 0 + 2 plane 1 + 4 plane 2) / 4; false (masks partly written) otherwise.
 * Collected planar per chunk (planar [3][2][h * w]) like spikeMasks.
 */
HSNN_ISA_BODY bool quarterMasksBody(const float* x, const Shape& s, uint64_t* masks, uint64_t* planar) {
  const int64_t plane = s.h * s.w, chunks = (s.cIn + kChunk - 1) / kChunk;
  for (int64_t k = 0; k < chunks; k++) {
    std::fill(planar, planar + kMaskWords * plane, uint64_t(0));
    for (int64_t c = k * kChunk; c < std::min(s.cIn, (k + 1) * kChunk); c++) {
      const float* xc = x + c * plane;
      const int64_t half = (c % kChunk) / 64;
      uint64_t* bit0 = planar + half * plane;
      uint64_t* bit1 = planar + (2 + half) * plane;
      uint64_t* bit2 = planar + (4 + half) * plane;
      const int shift = static_cast<int>(c % 64);
      int bad = 0;
      for (int64_t p = 0; p < plane; p++) {
        const float q = xc[p] * 4.0f;
        // clamped first (NaN -> 0) so the cast stays defined; anything not exactly 0..4 is bad
        const float clamped = std::min(q > 0.0f ? q : 0.0f, 4.0f);
        const int kq = static_cast<int>(clamped);
        bad |= static_cast<int>(static_cast<float>(kq) != q);
        const uint64_t ku = static_cast<uint64_t>(kq);
        bit0[p] |= (ku & 1) << shift;
        bit1[p] |= ((ku >> 1) & 1) << shift;
        bit2[p] |= ((ku >> 2) & 1) << shift;
      }
      if (bad) return false;
    }
    uint64_t* mk = masks + k * plane * kMaskWords;
    for (int64_t p = 0; p < plane; p++) {
      for (int64_t j = 0; j < kMaskWords; j++) mk[p * kMaskWords + j] = planar[j * plane + p];
    }
  }
  return true;
}
HSNN_MULTI_ISA(bool, quarterMasks,
               (const float* x, const Shape& s, uint64_t* masks, uint64_t* planar),
               (x, s, masks, planar))

}  // namespace hsnn
