// Event-driven (sparse-input) convolution forward for spike inputs, and a nonzero count.
//
// After the first layer a conv's input is spikes (0/1) or averages of spikes (0, .25, ...),
// and only a small fraction is nonzero. Per image, the nonzero inputs are listed per pixel
// (CSR: pixel -> (channel, value)); each output pixel then gathers, over its kh*kw taps, the
// weight rows of the active input channels: y[n, :, oh, ow] = sum v * Wt[tap, c, :], with
// Wt = weights transposed to [kh*kw, cIn, cOut] so a row is contiguous over output channels
// and accumulated in registers, 64 output channels at a time. Work is proportional to the
// number of nonzero inputs; results equal the dense conv up to float summation order.
#include "sparse.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common.h"
#include "simd.h"

namespace hsnn {

namespace {

struct Shape {
  int64_t n, cIn, h, w, cOut, kh, kw, stride, pad, oh, ow;
};

Shape readShape(const Napi::CallbackInfo& info) {
  Shape s{};
  s.n = intArg(info, 3, "n");
  s.cIn = intArg(info, 4, "cIn");
  s.h = intArg(info, 5, "h");
  s.w = intArg(info, 6, "w");
  s.cOut = intArg(info, 7, "cOut");
  s.kh = intArg(info, 8, "kh");
  s.kw = intArg(info, 9, "kw");
  s.stride = intArg(info, 10, "stride");
  s.pad = intArg(info, 11, "pad");
  if (s.kh < 1 || s.kw < 1 || s.stride < 1) throw Napi::RangeError::New(info.Env(), "conv2d: kh, kw and stride must be >= 1");
  const int64_t ohNum = s.h + 2 * s.pad - s.kh, owNum = s.w + 2 * s.pad - s.kw;
  if (ohNum < 0 || owNum < 0) throw Napi::RangeError::New(info.Env(), "conv2d: kernel larger than the padded input");
  s.oh = ohNum / s.stride + 1;
  s.ow = owNum / s.stride + 1;
  return s;
}

constexpr int64_t kTile = 64;

// GCC/Clang vector extensions: 16 floats, lowered to one zmm (AVX-512 clone), two ymm (AVX2)
// or four xmm (default); the accumulators stay in registers
typedef float v16 __attribute__((vector_size(64)));
typedef float v16u __attribute__((vector_size(64), aligned(4), may_alias));

/** one image: x [cIn, h, w] -> y [cOut, oh, ow]; ptr/ch/val are scratch of h*w+1 and cIn*h*w */
HSNN_SIMD_CLONES
void imageForward(const float* x, const float* wt, float* y, const Shape& s, int32_t* ptr, int32_t* ch, float* val) {
  const int64_t plane = s.h * s.w, oplane = s.oh * s.ow;
  // CSR over pixels: count, prefix-sum, fill in channel order
  std::fill(ptr, ptr + plane + 1, 0);
  for (int64_t c = 0; c < s.cIn; c++) {
    const float* xc = x + c * plane;
    for (int64_t p = 0; p < plane; p++) ptr[p + 1] += xc[p] != 0.0f;
  }
  for (int64_t p = 0; p < plane; p++) ptr[p + 1] += ptr[p];
  std::vector<int32_t> fill(ptr, ptr + plane);
  for (int64_t c = 0; c < s.cIn; c++) {
    const float* xc = x + c * plane;
    for (int64_t p = 0; p < plane; p++) {
      if (xc[p] != 0.0f) {
        const int32_t e = fill[p]++;
        ch[e] = static_cast<int32_t>(c);
        val[e] = xc[p];
      }
    }
  }
  alignas(64) float acc[kTile];
  const int64_t rowStride = s.cOut;
  for (int64_t t0 = 0; t0 < s.cOut; t0 += kTile) {
    const int64_t width = std::min(kTile, s.cOut - t0);
    for (int64_t oy = 0; oy < s.oh; oy++) {
      for (int64_t ox = 0; ox < s.ow; ox++) {
        v16 a0 = {}, a1 = {}, a2 = {}, a3 = {};
        if (width < kTile) std::memset(acc, 0, sizeof acc);
        for (int64_t ky = 0; ky < s.kh; ky++) {
          const int64_t iy = oy * s.stride - s.pad + ky;
          if (iy < 0 || iy >= s.h) continue;
          for (int64_t kx = 0; kx < s.kw; kx++) {
            const int64_t ix = ox * s.stride - s.pad + kx;
            if (ix < 0 || ix >= s.w) continue;
            const int64_t p = iy * s.w + ix;
            const float* wtap = wt + (ky * s.kw + kx) * s.cIn * rowStride + t0;
            if (width == kTile) {
              for (int32_t e = ptr[p]; e < ptr[p + 1]; e++) {
                const v16u* r = reinterpret_cast<const v16u*>(wtap + ch[e] * rowStride);
                const v16 v = v16{} + val[e];
                a0 += v * r[0];
                a1 += v * r[1];
                a2 += v * r[2];
                a3 += v * r[3];
              }
            } else {
              for (int32_t e = ptr[p]; e < ptr[p + 1]; e++) {
                const float* row = wtap + ch[e] * rowStride;
                const float v = val[e];
                for (int64_t j = 0; j < width; j++) acc[j] += v * row[j];
              }
            }
          }
        }
        if (width == kTile) {
          std::memcpy(acc, &a0, sizeof a0);
          std::memcpy(acc + 16, &a1, sizeof a1);
          std::memcpy(acc + 32, &a2, sizeof a2);
          std::memcpy(acc + 48, &a3, sizeof a3);
        }
        float* yo = y + t0 * oplane + oy * s.ow + ox;
        for (int64_t j = 0; j < width; j++) yo[j * oplane] = acc[j];
      }
    }
  }
}

}  // namespace

Napi::Value Conv2dForwardSparse(const Napi::CallbackInfo& info) {
  Shape s = readShape(info);
  const float* x = f32Arg(info, 0, elems(info, {s.n, s.cIn, s.h, s.w}), "x");
  const float* w = f32Arg(info, 1, elems(info, {s.cOut, s.cIn, s.kh, s.kw}), "weight");
  const size_t ySize = elems(info, {s.n, s.cOut, s.oh, s.ow});
  float* y = f32Arg(info, 2, ySize, "y");
  if (s.n == 0 || s.cOut == 0) return info.Env().Undefined();
  const int64_t taps = s.kh * s.kw;
  if (s.cIn == 0 || s.h * s.w >= (int64_t(1) << 31) / std::max<int64_t>(s.cIn, 1)) {
    if (s.cIn == 0) {
      std::fill(y, y + ySize, 0.0f);
      return info.Env().Undefined();
    }
    throw Napi::RangeError::New(info.Env(), "conv2dForwardSparse: image too large");
  }
  // Wt[tap][c][o] = w[o][c][tap]
  std::vector<float> wt(static_cast<size_t>(taps * s.cIn * s.cOut));
#pragma omp parallel for schedule(static) if (wt.size() >= (1 << 16))
  for (int64_t o = 0; o < s.cOut; o++) {
    for (int64_t c = 0; c < s.cIn; c++) {
      const float* src = w + (o * s.cIn + c) * taps;
      for (int64_t t = 0; t < taps; t++) wt[(t * s.cIn + c) * s.cOut + o] = src[t];
    }
  }
  const int64_t plane = s.h * s.w;
#pragma omp parallel
  {
    std::vector<int32_t> ptr(static_cast<size_t>(plane + 1));
    std::vector<int32_t> ch(static_cast<size_t>(s.cIn * plane));
    std::vector<float> val(static_cast<size_t>(s.cIn * plane));
#pragma omp for schedule(dynamic, 1)
    for (int64_t n = 0; n < s.n; n++) {
      imageForward(x + n * s.cIn * plane, wt.data(), y + n * s.cOut * s.oh * s.ow, s, ptr.data(), ch.data(), val.data());
    }
  }
  return info.Env().Undefined();
}

Napi::Value CountNonzero(const Napi::CallbackInfo& info) {
  const float* x = f32Arg(info, 0, 0, "x");
  const size_t len = info[0].As<Napi::Float32Array>().ElementLength();
  int64_t count = 0;
#pragma omp parallel for schedule(static) reduction(+ : count) if (len >= (1 << 16))
  for (size_t i = 0; i < len; i++) count += x[i] != 0.0f;
  return Napi::Number::New(info.Env(), static_cast<double>(count));
}

}  // namespace hsnn
