// Event-driven conv grad-weight for spike inputs: work proportional to the nonzero inputs.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include <omp.h>

#include "aligned.h"
#include "common.h"
#include "conv-shape.h"
#include "simd.h"
#include "sparse.h"
#include "transpose.h"
#include "vec.h"

namespace hsnn {

namespace {

using Shape = ConvShape;

// dW[o, c, ky, kx] = sum over nonzero x[n, c, iy, ix] = v of v * dy[n, o, oy, ox],
// oy * stride = iy + pad - ky. dy is transposed per block of images to [n][py][px][o] (padded
// with zero margins for stride 1 so every tap of an event is in range, and o padded to a
// multiple of 16); per input channel, the channel's events of the block are listed and each
// 16-wide output tile accumulates all taps in registers over the events, then adds into
// dWt[c][tap][o]. Threads split the input channels, so no two threads write the same row.

constexpr int64_t kLane = 16;

/**
 * 3x3 taps, 16 output channels: acc[t] = sum_e val[e] * dyt[base[e] - off[t]]; out[t*16..] += acc[t].
 * The nine accumulators of 16 floats fill nine AVX-512 registers; narrower registers take the 16
 * channels in 16 / N passes, nine registers each (so they never spill).
 */
template <int N>
HSNN_ISA_BODY void gather9Body(const int64_t* base, const float* val, int64_t count, const float* dyt,
                               const int64_t* off, float* out, int64_t outStride) {
  for (int lane = 0; lane < kLane; lane += N) {
    vf<N> a[9] = {};
    const float* d = dyt + lane;
    for (int64_t e = 0; e < count; e++) {
      const float* b = d + base[e];
      const vf<N> v = vf<N>{} + val[e];
#pragma GCC unroll 9
      for (int t = 0; t < 9; t++) a[t] += v * *reinterpret_cast<const vfu<N>*>(b - off[t]);
    }
#pragma GCC unroll 9
    for (int t = 0; t < 9; t++) *reinterpret_cast<vfu<N>*>(out + t * outStride + lane) += a[t];
  }
}
HSNN_MULTI_ISA_LANES(void, gather9,
                     (const int64_t* base, const float* val, int64_t count, const float* dyt, const int64_t* off,
                      float* out, int64_t outStride),
                     (base, val, count, dyt, off, out, outStride))

/** any taps (stride 1): one tap at a time */
template <int N>
HSNN_ISA_BODY void gatherTapsBody(const int64_t* base, const float* val, int64_t count, const float* dyt,
                                  const int64_t* off, int64_t taps, float* out, int64_t outStride) {
  for (int64_t t = 0; t < taps; t++) {
    vf<N> a[kLane / N] = {};
    const float* d = dyt - off[t];
    for (int64_t e = 0; e < count; e++) {
      const vf<N> v = vf<N>{} + val[e];
#pragma GCC unroll 4
      for (int j = 0; j < kLane / N; j++) a[j] += v * *reinterpret_cast<const vfu<N>*>(d + base[e] + j * N);
    }
#pragma GCC unroll 4
    for (int j = 0; j < kLane / N; j++) *reinterpret_cast<vfu<N>*>(out + t * outStride + j * N) += a[j];
  }
}
HSNN_MULTI_ISA_LANES(void, gatherTaps,
                     (const int64_t* base, const float* val, int64_t count, const float* dyt, const int64_t* off,
                      int64_t taps, float* out, int64_t outStride),
                     (base, val, count, dyt, off, taps, out, outStride))

}  // namespace

Napi::Value Conv2dBackwardWeightsSparse(const Napi::CallbackInfo& info) {
  const Shape s = readConvShape(info);
  const LayerOperands op = convOperands(info, s, LayerOp::BackwardWeights);
  const float* x = op.a;
  const float* dy = op.b;
  float* dw = op.out;
  if (op.outSize == 0) return info.Env().Undefined();
  const int64_t taps = s.kh * s.kw;
  const bool unit = s.stride == 1;
  const int64_t mh = unit ? std::max<int64_t>(0, s.kh - 1 - s.pad) : 0;
  const int64_t mw = unit ? std::max<int64_t>(0, s.kw - 1 - s.pad) : 0;
  const int64_t PH = s.oh + 2 * mh, PW = s.ow + 2 * mw;
  const int64_t cOutP = (s.cOut + kLane - 1) / kLane * kLane;
  const int64_t plane = s.h * s.w, oplane = s.oh * s.ow;
  const int64_t rowLen = taps * cOutP, dwtLen = s.cIn * rowLen;
  // Output channels go in groups of kGroup; the block's transposed dy is stored per group,
  // [group][image][py][px][kGroup], so while a group runs its slice is contiguous (a layout
  // with all channels per position would touch 256 of every 2048 bytes and, at that power-of-two
  // stride, only a fraction of the cache sets). The slice, blockImages * PH * PW * kGroup
  // floats, is sized to about 1 MiB to stay in L2 next to the dWt rows streaming through;
  // bigger blocks make fewer passes over dWt.
  constexpr int64_t kGroup = 64;
  const int64_t groups = (cOutP + kGroup - 1) / kGroup;
  const int64_t perImage = PH * PW * kGroup;
  const int threadsMax = std::max(1, omp_get_max_threads());
  const int64_t nbMax = std::max<int64_t>(1, (int64_t(1) << 18) / std::max<int64_t>(PH * PW * kGroup, 1));
  int64_t blocks = (s.n + nbMax - 1) / nbMax;
  if (blocks < s.n) blocks = std::min<int64_t>(s.n, (blocks + threadsMax - 1) / threadsMax * threadsMax);
  const int64_t nb = (s.n + blocks - 1) / blocks;
  blocks = (s.n + nb - 1) / nb;
  // tap offsets (floats) from an event's base position, stride 1
  std::vector<int64_t> off(static_cast<size_t>(taps));
  for (int64_t ky = 0; ky < s.kh; ky++)
    for (int64_t kx = 0; kx < s.kw; kx++) off[ky * s.kw + kx] = (ky * PW + kx) * kGroup;
  // Threads take whole image blocks and accumulate into private dWt[c][tap][o] copies, summed
  // at the end in thread order. The blocks go to threads statically: with dynamic hand-out,
  // which thread summed which images (and so the float summation order) changed from run to
  // run, and the same seed must give the same numbers.
  const int threads = static_cast<int>(std::min<int64_t>(threadsMax, blocks));
  std::vector<AlignedVector<float>> partial(static_cast<size_t>(threads));
#pragma omp parallel num_threads(threads)
  {
    AlignedVector<float>& dwt = partial[static_cast<size_t>(omp_get_thread_num())];
    dwt.assign(static_cast<size_t>(dwtLen), 0.0f);
    const int64_t groupSize = nb * perImage;
    AlignedVector<float> dyt(static_cast<size_t>(groups * groupSize), 0.0f);
    // the block's events, grouped by input channel (CSR)
    std::vector<int64_t> ptr(static_cast<size_t>(s.cIn + 1));
    std::vector<int64_t> base;
    std::vector<float> val;
    std::vector<int32_t> pix;
#pragma omp for schedule(static, 1)
    for (int64_t b = 0; b < blocks; b++) {
      const int64_t n0 = b * nb, cnt = std::min(nb, s.n - n0);
      for (int64_t nl = 0; nl < cnt; nl++) {
        for (int64_t g = 0; g < groups; g++) {
          const int64_t rows = std::min(kGroup, s.cOut - g * kGroup);
          if (rows <= 0) break;
          for (int64_t oy = 0; oy < s.oh; oy++) {
            transpose(dy + ((n0 + nl) * s.cOut + g * kGroup) * oplane + oy * s.ow, rows, s.ow, oplane, 1,
                      dyt.data() + g * groupSize + nl * perImage + ((oy + mh) * PW + mw) * kGroup, kGroup);
          }
        }
      }
      base.clear();
      val.clear();
      pix.clear();
      for (int64_t c = 0; c < s.cIn; c++) {
        ptr[static_cast<size_t>(c)] = static_cast<int64_t>(val.size());
        for (int64_t nl = 0; nl < cnt; nl++) {
          const float* xc = x + ((n0 + nl) * s.cIn + c) * plane;
          for (int64_t iy = 0; iy < s.h; iy++) {
            for (int64_t ix = 0; ix < s.w; ix++) {
              const float v = xc[iy * s.w + ix];
              if (v == 0.0f) continue;
              val.push_back(v);
              if (unit) {
                base.push_back(nl * perImage + ((iy + s.pad + mh) * PW + ix + s.pad + mw) * kGroup);
              } else {
                base.push_back(nl * perImage);
                pix.push_back(static_cast<int32_t>(iy * s.w + ix));
              }
            }
          }
        }
      }
      ptr[static_cast<size_t>(s.cIn)] = static_cast<int64_t>(val.size());
      if (unit) {
        for (int64_t g = 0; g < groups; g++) {
          const int64_t g0 = g * kGroup, g1 = std::min(cOutP, g0 + kGroup);
          const float* slice = dyt.data() + g * groupSize;
          for (int64_t c = 0; c < s.cIn; c++) {
            const int64_t e0 = ptr[static_cast<size_t>(c)], count = ptr[static_cast<size_t>(c) + 1] - e0;
            if (count == 0) continue;
            float* row = dwt.data() + c * rowLen;
            for (int64_t t0 = g0; t0 < g1; t0 += kLane) {
              const float* d = slice + (t0 - g0);
              if (taps == 9) gather9(base.data() + e0, val.data() + e0, count, d, off.data(), row + t0, cOutP);
              else gatherTaps(base.data() + e0, val.data() + e0, count, d, off.data(), taps, row + t0, cOutP);
            }
          }
        }
      } else {
        for (int64_t c = 0; c < s.cIn; c++) {
          float* row = dwt.data() + c * rowLen;
          for (int64_t e = ptr[static_cast<size_t>(c)]; e < ptr[static_cast<size_t>(c) + 1]; e++) {
            const int64_t iy = pix[e] / s.w, ix = pix[e] % s.w;
            for (int64_t ky = 0; ky < s.kh; ky++) {
              const int64_t ny = iy + s.pad - ky;
              if (ny < 0 || ny % s.stride != 0 || ny / s.stride >= s.oh) continue;
              for (int64_t kx = 0; kx < s.kw; kx++) {
                const int64_t nx = ix + s.pad - kx;
                if (nx < 0 || nx % s.stride != 0 || nx / s.stride >= s.ow) continue;
                const float* src = dyt.data() + base[e] + ((ny / s.stride) * PW + nx / s.stride) * kGroup;
                float* dst = row + (ky * s.kw + kx) * cOutP;
                const float v = val[e];
                for (int64_t o = 0; o < s.cOut; o++) dst[o] += v * src[(o / kGroup) * groupSize + o % kGroup];
              }
            }
          }
        }
      }
    }
    // (implicit barrier) sum the private copies into the first
    if (threads > 1) {
#pragma omp for schedule(static)
      for (int64_t k = 0; k < dwtLen; k++) {
        float sum = partial[0][static_cast<size_t>(k)];
        for (int i = 1; i < threads; i++) sum += partial[static_cast<size_t>(i)][static_cast<size_t>(k)];
        partial[0][static_cast<size_t>(k)] = sum;
      }
    }
    // dw[o][(c, tap)] = dWt[(c, tap)][o]
    const int64_t rows = s.cIn * taps;
#pragma omp for schedule(static)
    for (int64_t r0 = 0; r0 < rows; r0 += 32) {
      transpose(partial[0].data() + r0 * cOutP, std::min<int64_t>(32, rows - r0), s.cOut, cOutP, 1, dw + r0, rows);
    }
  }
  return info.Env().Undefined();
}

}  // namespace hsnn
